from django_tasks import task


@task()
def daily_registration_task():
    """Daily (core.schedule): mark registrations lapsed the day after expiry, then send expiry reminders."""
    from . import services

    return services.daily()

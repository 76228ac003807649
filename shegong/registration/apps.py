from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shegong.core import capabilities


def _is_worker(user):
    return capabilities.is_social_worker(user)


class RegistrationConfig(AppConfig):
    name = "shegong.registration"
    label = "registration"
    verbose_name = _("Certificate registration")

    def ready(self):
        from shegong.core import navigation, seeding
        from shegong.core.schedule import register_periodic
        from shegong.registration import queries
        from shegong.workers import panels as person_panels

        from . import dashboard, flows, hooks, national, panels, services  # noqa: F401 (dashboard registers its panel)
        from .demo import seed_registrations
        from .tasks import daily_registration_task

        flows.register()
        hooks.register()  # registration periods for continuing education
        person_panels.register_person_panel(panels.registrations_panel, order=40)
        person_panels.register_person_panel(panels.applications_panel, order=50)
        person_panels.register_edit_lock(queries.edit_lock_reason)
        from . import eligibility

        person_panels.register_certificate_check(eligibility.correction_warnings)
        person_panels.register_person_listener(services.refresh_pending_snapshots)
        register_periodic(daily_registration_task, every=timedelta(days=1))
        navigation.register(
            navigation.NavItem(
                key="registration-mine",
                label=_("My registration"),
                url_name="registration:mine",
                order=105,
                visible=_is_worker,
            )
        )
        national.register()  # registration histories for seed_national
        # The demo registrations are of the workers' demo persons.
        seeding.register(seeding.DEMO, "registrations", seed_registrations, order=30, after=("workers",))

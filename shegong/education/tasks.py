"""Background work: the daily refresh of standings (periods roll over).

The compliance list's export is the engine's export job (education/tables.py).
"""

from datetime import timedelta

from django_tasks import task

from shegong.core.schedule import register_periodic


@task()
def refresh_all_standings():
    """Daily: recompute every standing (periods roll over, certificates and registrations change)."""
    from shegong.education.services.ledger import refresh_standings

    return refresh_standings()


register_periodic(refresh_all_standings, every=timedelta(days=1))


@task()
def refresh_region_standings(region_code):
    """Recompute the standings of one region's subtree (after its province changed its rules)."""
    from shegong.education.services.ledger import refresh_standings
    from shegong.regions.models import Region

    region = Region.objects.unscoped("division tree: public reference data").filter(code=region_code).first()
    return refresh_standings(region) if region is not None else 0

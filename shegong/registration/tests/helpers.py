from datetime import timedelta

from django.utils import timezone

from shegong.core import workflow as wf
from shegong.registration import services
from shegong.registration.models import RegistrationKind, RowStatus
from shegong.workers.status import add_years
from tests.factories import official


def approve_both(application, county=None, province=None):
    county = county or official(application.region_id, username=f"c{application.region_id}")
    province = province or official(wf.province_code(application.region), username=f"p{application.region_id}")
    wf.approve(application, "ok", actor=county)
    application.refresh_from_db()
    wf.approve(application, "ok", actor=province)
    application.refresh_from_db()
    return application


def registered(certificate, *, days_left=600, region=None):
    """A registration in force for ``certificate`` expiring in ``days_left`` days (imported)."""
    today = timezone.localdate()
    valid_to = today + timedelta(days=days_left)
    return services.import_registration(
        certificate,
        kind=RegistrationKind.FIRST,
        valid_from=add_years(valid_to, -3) + timedelta(days=1),
        valid_to=valid_to,
        region=region or certificate.person.region_id,
        status=RowStatus.REGISTERED if days_left >= 0 else RowStatus.LAPSED,
    )

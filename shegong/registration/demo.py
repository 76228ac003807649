"""Demo registrations (after the workers seeder): registered, expiring, lapsed and never-registered holders,
and one first-registration application waiting for the county. Safe to re-run."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shegong.workers.models import Certificate
from shegong.workers.status import add_years

from . import services
from .models import Registration, RegistrationKind, RowStatus

# management number -> (days from today to the end of validity, row status)
DEMO_REGISTRATIONS = {
    "20184401060000011": (600, RowStatus.REGISTERED),  # 陈晓明: registered
    "20204401060000022": (45, RowStatus.REGISTERED),  # 李静: expiring (inside the 3-month window)
    "20164401060000033": (-30, RowStatus.LAPSED),  # 黄志强: lapsed
    "20175101070000055": (400, RowStatus.REGISTERED),  # 刘洋: registered
}


@transaction.atomic
def seed_registrations():
    from shegong.workers.demo import DEMO_APPLICANT

    today = timezone.localdate()
    for management_no, (days, status) in DEMO_REGISTRATIONS.items():
        certificate = Certificate.objects.filter(management_no=management_no).select_related("person").first()
        if certificate is None or Registration.objects.filter(certificate=certificate).exists():
            continue
        valid_to = today + timedelta(days=days)
        valid_from = add_years(valid_to, -3) + timedelta(days=1)
        services.import_registration(
            certificate,
            kind=RegistrationKind.FIRST,
            valid_from=valid_from,
            valid_to=valid_to,
            region=certificate.person.region,
            status=status,
        )
    lines = ["  + demo registrations: registered, expiring (李静), lapsed (黄志强), not registered (张敏, 杨帆)"]
    from django.contrib.auth import get_user_model

    applicant = get_user_model().objects.filter(username=DEMO_APPLICANT).first()
    person = getattr(applicant, "person", None) if applicant else None
    if person is not None:
        certificate = person.certificates.order_by("-exam_year").first()
        if certificate is not None and not person.registration_requests.exists():
            services.apply(actor=applicant, kind=RegistrationKind.FIRST, certificate=certificate, declared=True)
            lines.append(f"  + a first-registration application by {person.name} waits in 天河区's to-do list")
    return lines

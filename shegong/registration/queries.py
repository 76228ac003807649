"""Read-only queries of this app: nothing here writes (the verbs are in services.py)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shegong.core import workflow as wf
from shegong.core.identifiers import mask_id_number
from shegong.core.roles import Role
from shegong.regions.models import Region
from shegong.registration import eligibility
from shegong.registration.models import Registration, RegistrationRequest, RequestPlace, RowStatus
from shegong.workers import services as worker_services
from shegong.workers.status import RegistrationStatus, status_of


def in_force_registration(certificate):
    return Registration.objects.filter(certificate=certificate, status=RowStatus.REGISTERED).order_by("-id").first()


def latest_registration(certificate):
    return Registration.objects.filter(certificate=certificate).order_by("-id").first()


def request_for(application):
    return RegistrationRequest.objects.select_related("person", "certificate", "previous", "region").get(
        application=application
    )


def open_request(certificate):
    return (
        RegistrationRequest.objects.filter(certificate=certificate, application__state__in=eligibility.OPEN_STATES)
        .select_related("application")
        .first()
    )


def region_for_place(person, place):
    if place == RequestPlace.HOUSEHOLD:
        if person.household_region_id is None:
            raise ValidationError(
                {"place": _("Your household registration county is not recorded; add it to your information first.")}
            )
        return person.household_region
    return person.region


def snapshot_data(request):
    """What the reviewers decide on, stored with the application at each (re)submission."""
    person, certificate, previous = request.person, request.certificate, request.previous
    from shegong.core import crypto

    return {
        "kind": request.kind,
        "person": person.pk,
        "name": person.name,
        "id_number": mask_id_number(crypto.decrypt(person.id_encrypted)),
        "sex": person.get_sex_display(),
        "birth_date": f"{person.birth_date:%Y-%m-%d}",
        "education": person.get_education_display(),
        "employer_type": person.get_employer_type_display(),
        "employer": person.employer_display,
        "household_region": str(person.household_region or ""),
        "work_region": str(person.region),
        "level": certificate.get_level_display(),
        "management_no": certificate.management_no,
        "exam_year": certificate.exam_year,
        "place": request.get_place_display(),
        "filed_with": str(request.region),
        "previous_number": previous.number if previous else "",
        "previous_valid_to": f"{previous.valid_to:%Y-%m-%d}" if previous else "",
        "changes": request.changes,
        "reason": request.reason,
    }


def checked_snapshot(application):
    """The flows' snapshot hook: refuses the (re)submission of an ineligible application."""
    request = request_for(application)
    problems = eligibility.problems(request)
    if problems:
        raise wf.WorkflowError(" ".join(problems))
    return snapshot_data(request)


def province_of(region):
    return Region.objects.get(code=wf.province_code(region))


def current_for_certificate(registration):
    """Whether ``registration`` is the certificate's registration in force today (an e-certificate can be issued)."""
    return (
        registration.status == RowStatus.REGISTERED
        and latest_registration(registration.certificate).pk == registration.pk
        and status_of(registration.certificate) in {RegistrationStatus.REGISTERED, RegistrationStatus.EXPIRING}
    )


def may_download(user, registration):
    """Holder: their own; officials (administrators) reprint in their scope. Returns "own", "reprint" or None."""
    role = getattr(user, "role", None)
    if role == worker_services.WORKER_ROLE and registration.person_id == getattr(user, "person_id", None):
        return "own"
    if role == Role.ADMIN and Registration.objects.editable_by(user).filter(pk=registration.pk).exists():
        return "reprint"
    return None


def edit_lock_reason(person):
    """An application that passed initial review locks the personal information table (docs/domain.md, Registration)."""
    locked = RegistrationRequest.objects.filter(person_id=person.pk, application__state=wf.State.PENDING).exclude(
        application__current_step="initial"
    )
    if locked.exists():
        return _(
            "Your registration application has passed initial review, so your information is locked until it is decided."
        )
    return ""

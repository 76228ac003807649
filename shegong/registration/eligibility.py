"""Eligibility checked before an application can be submitted (docs/domain.md, Registration).

``evaluate(request)`` returns every check with its outcome, for showing the applicant what is
missing before they apply; ``problems(request)`` only the failures. Submission and resubmission
refuse an application with problems (services.checked_snapshot).

Time windows are measured on the day the application was first submitted (a resubmission after a
return is not refused because the review took time), or today for a new one.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.models import ApplicationState
from shegong.core.workflow import province_code
from shegong.workers.queries import missing_fields
from shegong.workers.status import RegistrationStatus, add_months, in_window, status_of, window_opens_on

from . import conf
from .models import RegistrationKind, RegistrationRequest, RowStatus

OPEN_STATES = {ApplicationState.DRAFT, ApplicationState.PENDING, ApplicationState.RETURNED}


@dataclass(frozen=True)
class Check:
    ok: bool
    label: str
    message: str = ""


class HoursCheckUnavailable:
    """What the re-registration check answers while the continuing-education module is not installed."""

    ok = False
    required = None
    credited = None

    @property
    def reason(self):
        return _(
            "The study-hour check is unavailable (the continuing-education module is not installed), so "
            "re-registration cannot be submitted yet. Contact the civil affairs bureau."
        )


def hours_check(person, registration):
    """THE study-hour check for re-registration, owned by the education app (imported lazily: it sits below us)."""
    try:
        from shegong.education.queries import reregistration_hours_check
    except ImportError:
        return HoursCheckUnavailable()
    return reregistration_hours_check(person, registration)


def reference_date(request, today=None):
    application = getattr(request, "application", None) if request.pk else None
    if application is not None and application.submitted_at is not None:
        return timezone.localdate(application.submitted_at)
    return today or timezone.localdate()


def pass_date(certificate):
    """The day the exam was passed: the certificate's date of issue, or 31 December of the exam year."""
    return certificate.issued_on or date(certificate.exam_year, 12, 31)


def counted_from(certificate, issued_on=None):
    """Words for the day the first-registration limit counts from: the date of issue, or 31 December of the exam year."""
    issued_on = certificate.issued_on if issued_on is None else issued_on
    if issued_on:
        return _("counted from %(date)s, the certificate's date of issue") % {"date": f"{issued_on:%Y-%m-%d}"}
    return _(
        "counted from %(date)s, 31 December of the exam year (the certificate's date of issue is not recorded)"
    ) % {"date": f"{date(certificate.exam_year, 12, 31):%Y-%m-%d}"}


def first_deadline_message(certificate, deadline, issued_on=None):
    return _(
        "First registration had to be applied for by %(date)s, %(months)s months after passing the exam "
        "(%(counted_from)s); this province does not waive the limit."
    ) % {
        "date": f"{deadline:%Y-%m-%d}",
        "months": conf.first_within_months(),
        "counted_from": counted_from(certificate, issued_on),
    }


def correction_warnings(certificate, *, level, issued_on, today=None):
    """What a correction of ``certificate`` (new level and date of issue) would break for registration, in words.

    Registered with workers.panels.register_certificate_check: the correction page shows these and asks
    the official to confirm before saving.
    """
    from .models import Registration

    today = today or timezone.localdate()
    warnings = []
    if not issued_on or issued_on == certificate.issued_on:
        return warnings
    status = status_of(certificate, today)
    province = province_code(certificate.person.region)
    first = Registration.objects.filter(certificate_id=certificate.pk).order_by("id").first()
    if first is None and status == RegistrationStatus.NOT_REGISTERED and not conf.first_limit_waived(province):
        deadline = add_months(issued_on, conf.first_within_months())
        open_request = (
            RegistrationRequest.objects.filter(
                certificate_id=certificate.pk,
                kind=RegistrationKind.FIRST,
                application__state__in=OPEN_STATES,
                application__submitted_at__isnull=False,
            )
            .select_related("application")
            .first()
        )
        if open_request is not None:
            submitted = timezone.localdate(open_request.application.submitted_at)
            if submitted > deadline:
                warnings.append(
                    _(
                        "With this date of issue the open application for first registration, submitted on "
                        "%(submitted)s, is out of time: %(rule)s"
                    )
                    % {
                        "submitted": f"{submitted:%Y-%m-%d}",
                        "rule": first_deadline_message(certificate, deadline, issued_on),
                    }
                )
        elif today > deadline:
            warnings.append(
                _("With this date of issue %(name)s can no longer apply for first registration: %(rule)s")
                % {"name": certificate.person.name, "rule": first_deadline_message(certificate, deadline, issued_on)}
            )
    if first is not None and issued_on > first.valid_from:
        warnings.append(
            _(
                "With this date of issue the certificate would be issued after its first registration (valid from %(date)s)."
            )
            % {"date": f"{first.valid_from:%Y-%m-%d}"}
        )
    return warnings


def _open_request_exists(request):
    others = RegistrationRequest.objects.filter(
        certificate_id=request.certificate_id, application__state__in=OPEN_STATES
    )
    if request.pk:
        others = others.exclude(pk=request.pk)
    return others.exists()


def _kind_checks(request, day):
    certificate = request.certificate
    status = status_of(certificate, day)
    province = province_code(request.region) if request.region_id else ""
    previous = request.previous
    checks = []
    if request.kind == RegistrationKind.FIRST:
        if status == RegistrationStatus.NOT_REGISTERED:
            deadline = add_months(pass_date(certificate), conf.first_within_months())
            waived = conf.first_limit_waived(province)
            checks.append(
                Check(
                    waived or day <= deadline,
                    _("Applied for within %(months)s months after passing the exam (%(counted_from)s)")
                    % {"months": conf.first_within_months(), "counted_from": counted_from(certificate)},
                    first_deadline_message(certificate, deadline),
                )
            )
        elif status in {RegistrationStatus.LAPSED, RegistrationStatus.CANCELLED}:
            checks.append(
                Check(
                    conf.may_register_again(province),
                    _("Registration again after a lapse or cancellation is allowed in this province"),
                    _("This province does not accept a new registration after a lapse or cancellation."),
                )
            )
        elif status == RegistrationStatus.REVOKED:
            checks.append(
                Check(False, _("Registration not revoked"), _("The registration of this certificate was revoked."))
            )
        else:
            checks.append(
                Check(
                    False,
                    _("Not registered yet"),
                    _("This certificate is registered already; apply for re-registration in the window before expiry."),
                )
            )
        return checks
    in_force = (
        previous is not None and previous.status == RowStatus.REGISTERED and previous.certificate_id == certificate.pk
    )
    checks.append(
        Check(
            in_force and previous.valid_to >= day,
            _("A registration in force"),
            _("This certificate has no registration in force."),
        )
    )
    if not in_force:
        return checks
    if request.kind == RegistrationKind.RENEWAL:
        opens = window_opens_on(previous.valid_to)
        checks.append(
            Check(
                in_window(previous.valid_to, day),
                _("Within the re-registration window (%(months)s months before expiry)")
                % {"months": conf.renewal_window_months()},
                _("Re-registration is open from %(opens)s to %(expires)s.")
                % {"opens": f"{opens:%Y-%m-%d}", "expires": f"{previous.valid_to:%Y-%m-%d}"},
            )
        )
        hours = hours_check(request.person, previous)
        if hours.ok:
            label = _("Enough continuing-education hours (%(credited)s of %(required)s)") % {
                "credited": hours.credited,
                "required": hours.required,
            }
        else:
            label = _("Enough continuing-education hours")
        checks.append(Check(bool(hours.ok), label, str(hours.reason or _("Not enough continuing-education hours."))))
    elif request.kind == RegistrationKind.CHANGE:
        checks.append(Check(bool(request.changes), _("Something to change"), _("Say what is to be changed.")))
    elif request.kind == RegistrationKind.CANCELLATION:
        checks.append(
            Check(bool((request.reason or "").strip()), _("A reason for the cancellation"), _("Give the reason."))
        )
    return checks


def evaluate(request, today=None):
    """Every check of ``request`` (saved or not) with its outcome."""
    day = reference_date(request, today)
    person = request.person
    checks = [
        Check(
            request.applicant_id is not None and request.applicant_id == person.account_id,
            _("Applied for by the holder"),
            _("Only the holder of the certificate can apply, from their own account."),
        ),
        Check(
            request.certificate.person_id == person.pk,
            _("The certificate is the applicant's"),
            _("This certificate belongs to someone else."),
        ),
    ]
    if request.kind in {RegistrationKind.FIRST, RegistrationKind.RENEWAL, RegistrationKind.CHANGE}:
        missing = missing_fields(person)
        checks.append(
            Check(
                not missing,
                _("Personal information complete"),
                _("Complete your personal information first: %(fields)s") % {"fields": ", ".join(missing)},
            )
        )
    checks.append(
        Check(
            request.declared_at is not None,
            _("Declaration accepted"),
            _("Accept the declaration that your information is true."),
        )
    )
    checks.append(
        Check(
            not _open_request_exists(request),
            _("No other application open for this certificate"),
            _("Another application for this certificate is still open."),
        )
    )
    checks.extend(_kind_checks(request, day))
    return checks


def problems(request, today=None):
    return [check.message for check in evaluate(request, today) if not check.ok]

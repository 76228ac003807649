"""Where an application stands, in the status sequence of docs/domain.md, Registration.

未申请登记证书 → 待审核 → 初审通过 / 初审未通过 → 终审通过 / 终审未通过 → 首次登记已完成 → 已出证.
"Failed" is how a return for revision or a rejection at that step shows; a returned application can
be corrected and resubmitted. Re-registration, change and cancellation use the same steps.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shegong.core.models import ApplicationState, DecisionAction

from .models import RegistrationKind


class Progress(models.TextChoices):
    # Translators: 未申请登记证书
    NOT_APPLIED = "not_applied", _("Not applied")
    # Translators: 待审核
    AWAITING_REVIEW = "awaiting_review", _("Awaiting review")
    # Translators: 初审通过
    INITIAL_PASSED = "initial_passed", _("Initial review passed")
    # Translators: 初审未通过
    INITIAL_FAILED = "initial_failed", _("Initial review not passed")
    # Translators: 终审通过
    FINAL_PASSED = "final_passed", _("Final review passed")
    # Translators: 终审未通过
    FINAL_FAILED = "final_failed", _("Final review not passed")
    # Translators: 首次登记已完成 (再登记已完成, ...)
    COMPLETED = "completed", _("Registration completed")
    # Translators: 已出证
    CERTIFICATE_ISSUED = "certificate_issued", _("Certificate issued")
    WITHDRAWN = "withdrawn", _("Withdrawn")


COMPLETED_LABELS = {
    RegistrationKind.FIRST: _("First registration completed"),
    RegistrationKind.RENEWAL: _("Re-registration completed"),
    RegistrationKind.CHANGE: _("Change registered"),
    RegistrationKind.CANCELLATION: _("Registration cancelled"),
}


def progress_of(request):
    """(code, label) of a registration request's application in the §5.3 sequence."""
    application = request.application
    if application is None or application.state == ApplicationState.DRAFT:
        return Progress.NOT_APPLIED, Progress.NOT_APPLIED.label
    state = application.state
    if state == ApplicationState.PENDING:
        status = Progress.AWAITING_REVIEW if application.current_step == "initial" else Progress.INITIAL_PASSED
        return status, status.label
    if state in {ApplicationState.RETURNED, ApplicationState.REJECTED}:
        last = (
            application.decisions.filter(action__in=[DecisionAction.RETURN, DecisionAction.REJECT])
            .order_by("-at", "-id")
            .values_list("step", flat=True)
            .first()
        )
        status = Progress.FINAL_FAILED if last == "final" else Progress.INITIAL_FAILED
        suffix = (
            _("returned for revision")
            if state == ApplicationState.RETURNED
            else pgettext_lazy("review decision", "rejected")
        )
        return status, f"{status.label} ({suffix})"
    if state == ApplicationState.WITHDRAWN:
        return Progress.WITHDRAWN, Progress.WITHDRAWN.label
    registration = request.registration
    if registration is None:
        return Progress.FINAL_PASSED, Progress.FINAL_PASSED.label
    if registration.certificate_issued_at is not None:
        return Progress.CERTIFICATE_ISSUED, Progress.CERTIFICATE_ISSUED.label
    return Progress.COMPLETED, COMPLETED_LABELS.get(request.kind, Progress.COMPLETED.label)

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shegong.core import capabilities, dashboard
from shegong.core.workflow.hooks import OwnRequest, register_own_requests

from .models import SignupStatus, WorkerSignup


@dashboard.register(order=30)
def pending_signups(request):
    """Officials who decide on sign-ups see how many wait in their subtree."""
    user = request.user
    if not capabilities.administers_region(user):
        return None
    count = WorkerSignup.objects.editable_by(user).filter(status=SignupStatus.PENDING).count()
    return {"template": "workers/_panel_pending_signups.html", "title": _("Pending sign-ups"), "count": count}


@register_own_requests
def own_signup_requests(request):
    """我的申请: the signed-in user's own sign-up as a social worker, in any state."""
    user = request.user
    if not capabilities.is_social_worker(user):  # only social workers sign up (one query, never per row)
        return []
    rows = []
    for signup in WorkerSignup.objects.visible_to(user).filter(user=user).select_related("claimed_region"):
        if signup.status == SignupStatus.PENDING:
            note = gettext("Waiting for the civil affairs bureau of %(region)s to check and confirm it.") % {
                "region": signup.claimed_region
            }
        elif signup.status == SignupStatus.REJECTED:
            note = gettext("Reason: %(reason)s") % {"reason": signup.reason}
        else:
            note = ""
        rows.append(
            OwnRequest(
                title=gettext("Sign-up as a social worker"),
                status=str(signup.get_status_display()),
                submitted_at=signup.created_at,
                link=reverse("workers:me"),
                note=str(note),
            )
        )
    return rows

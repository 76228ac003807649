from django.utils.translation import gettext_lazy as _

from shegong.core import capabilities, dashboard

from .models import SignupStatus, WorkerSignup


@dashboard.register(order=30)
def pending_signups(request):
    """Officials who decide on sign-ups see how many wait in their subtree."""
    user = request.user
    if not capabilities.administers_region(user):
        return None
    count = WorkerSignup.objects.editable_by(user).filter(status=SignupStatus.PENDING).count()
    return {"template": "workers/_panel_pending_signups.html", "title": _("Pending sign-ups"), "count": count}

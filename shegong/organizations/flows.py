"""The review processes the organizations app declares to the review engine."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shegong.core import workflow as wf

from . import services


def signup_detail_context(application, request):
    from .models import Organization

    return {"organization": Organization.objects.filter(pk=application.subject_id).select_related("region").first()}


SIGNUP = wf.Flow(
    key=services.SIGNUP_FLOW,
    title=_("Organization account sign-up"),
    steps=(wf.Step("county_review", _("County review"), level=wf.COUNTY),),
    on_approved=services.on_signup_approved,
    on_rejected=services.on_signup_rejected,
    on_withdrawn=services.on_signup_withdrawn,
    snapshot=services.signup_snapshot,
    detail_template="organizations/_signup_application.html",
    detail_context=signup_detail_context,
    edit_url=lambda application: reverse("organizations:mine"),
)


def register():
    wf.register_flow(SIGNUP)

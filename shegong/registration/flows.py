"""The registration processes declared to the review engine: initial review (county, or prefecture where a
province says so), then final review by the province (docs/domain.md, Registration)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shegong.core import workflow as wf
from shegong.registration import queries

from . import conf, services
from .models import RegistrationKind


def initial_level(application):
    """County by default; REGISTRATION_INITIAL_REVIEW_LEVELS may name "prefecture" for a province."""
    return conf.initial_review_level(wf.province_code(application.region))


def detail_context(application, request):
    from .views import application_context

    return application_context(application, request)


def edit_url(application):
    request = queries.request_for(application)
    return reverse("registration:request-edit", args=[request.pk])


TITLES = {
    RegistrationKind.FIRST: _("First registration"),
    RegistrationKind.RENEWAL: _("Re-registration"),
    RegistrationKind.CHANGE: _("Change of registration"),
    RegistrationKind.CANCELLATION: _("Cancellation of registration"),
}


def make_flow(kind):
    return wf.Flow(
        key=services.FLOW_KEYS[kind],
        title=TITLES[kind],
        steps=(
            wf.Step("initial", _("Initial review"), level=initial_level),
            wf.Step("final", _("Final review"), level=wf.PROVINCE),
        ),
        deadline_working_days=conf.decision_working_days(),
        on_approved=services.on_approved,
        snapshot=queries.checked_snapshot,
        # The applicant may change the application until initial review passes; it locks then and
        # reopens when returned (docs/domain.md, Registration).
        edit_while_pending_first_step=True,
        detail_template="registration/_application.html",
        detail_context=detail_context,
        edit_url=edit_url,
    )


def register():
    for kind in services.FLOW_KEYS:
        wf.register_flow(make_flow(kind))

"""The registration app's panels on a person's page (workers.panels): registrations, and applications with their decision logs."""

from django.utils.translation import gettext_lazy as _

from shegong.core.models import Decision

from .models import Registration, RegistrationRequest
from .progress import progress_of


def registrations_panel(request, person):
    from .views import registration_row_context

    user = request.user
    rows = list(
        Registration.objects.visible_to(user)
        .filter(person=person)
        .select_related("certificate", "authority_region", "decided_by")
        .order_by("-id")
    )
    if getattr(request, "person_page", "") == "own" and not rows:
        return None
    return {
        "title": _("Registrations"),
        "template": "registration/_panel_registrations.html",
        "rows": [registration_row_context(user, row) for row in rows],
    }


def applications_panel(request, person):
    user = request.user
    if getattr(request, "person_page", "") == "own":
        return None  # the worker follows their applications under "My registration"
    items = list(
        RegistrationRequest.objects.visible_to(user)
        .filter(person=person, application__isnull=False)
        .select_related("application", "certificate", "registration")
        .order_by("-created_at")
    )
    if not items:
        return {
            "title": _("Registration applications"),
            "template": "registration/_panel_applications.html",
            "items": [],
        }
    decisions = {}
    for decision in (
        Decision.objects.visible_to(user)
        .filter(application_id__in=[item.application_id for item in items])
        .select_related("actor")
        .order_by("at", "id")
    ):
        decisions.setdefault(decision.application_id, []).append(decision)
    return {
        "title": _("Registration applications"),
        "template": "registration/_panel_applications.html",
        "items": [
            {"request": item, "progress": progress_of(item)[1], "decisions": decisions.get(item.application_id, [])}
            for item in items
        ],
    }

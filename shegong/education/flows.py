"""The review process the education app declares to the review engine: study-hour declarations."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shegong.core import workflow as wf
from shegong.education.services import declarations


def detail_context(application, request):
    from .models import Declaration

    declaration = (
        Declaration.objects.filter(pk=application.subject_id)
        .select_related("person", "person__region")
        .prefetch_related("evidence")
        .first()
    )
    context = {"declaration": declaration}
    if declaration is not None:
        record = getattr(declaration, "study_record", None)  # None until approval credits it
        context["study_record"] = record
        if record is None:
            context["expected_credit"], context["expected_period"] = declarations.preview(declaration)
    return context


DECLARATION = wf.Flow(
    key=declarations.FLOW_KEY,
    title=_("Study-hour declaration"),
    steps=(wf.Step("review", _("Study-hour review"), level=declarations.review_level),),
    on_approved=declarations.on_approved,
    snapshot=declarations.snapshot,
    detail_template="education/_declaration_application.html",
    detail_context=detail_context,
    edit_url=lambda application: reverse("education:declaration-edit", args=[application.subject_id]),
)


def register():
    wf.register_flow(DECLARATION)

"""Declarations: a social worker claims hours earned elsewhere; the review engine decides; approval credits.

Only the person themself declares (never an official or another account for them). The form must be
recognised in the person's province; a degree counts once, so a second degree declaration is refused
while one is credited or under review. Evidence files are PDF, JPEG or PNG of at most 10 MB each,
checked by their first bytes as well as their name. A returned declaration can be corrected (fields
and files) and resubmitted; approval writes the ledger row with the hours the rules give at that
moment (caps count what is already credited then).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import workflow as wf
from shegong.core.audit import record
from shegong.core.roles import Role
from shegong.education import actions
from shegong.education import rules as R
from shegong.education.models import Conversion, Declaration, Evidence, Source, StudyForm, StudyRecord
from shegong.education.models.scope import province_code_of
from shegong.education.queries import policy_for, policy_for_province
from shegong.education.services.ledger import compute_credit, credit
from shegong.workers.models import Person

FLOW_KEY = "education.declaration"
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_FILES = 10
# extension -> (content type, the file's first bytes)
EVIDENCE_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
DECLARATION_FIELDS = ("form", "title", "organizer", "occurred_on", "hours_claimed", "description")


def check_evidence(uploaded):
    """(extension, content type) of an acceptable evidence file, or a ValidationError saying why not."""
    name = getattr(uploaded, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EVIDENCE_TYPES:
        raise ValidationError(
            _("“%(name)s”: only PDF, JPEG and PNG files are accepted.") % {"name": name}, code="file_type"
        )
    size = getattr(uploaded, "size", 0) or 0
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="file_empty")
    if size > MAX_EVIDENCE_BYTES:
        raise ValidationError(_("“%(name)s” is larger than 10 MB.") % {"name": name}, code="file_size")
    content_type, signatures = EVIDENCE_TYPES[extension]
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            _("“%(name)s” is not really a %(type)s file.") % {"name": name, "type": extension.upper()},
            code="file_content",
        )
    return extension, content_type


def _require_self(actor, person):
    if (
        getattr(actor, "role", None) != Role.WORKER
        or getattr(actor, "person_id", None) is None
        or actor.person_id != person.pk
    ):
        raise PermissionDenied(_("Study hours can be declared only by the social worker themself."))


def _clean(person, data, *, exclude_pk=None):
    errors = {}
    form = data.get("form")
    policy = policy_for(person)
    if form not in StudyForm.values:
        errors["form"] = [_("Choose the form of study.")]
    elif not policy.rule(form).accepted:
        errors["form"] = [_("This form of study is not recognised in your province.")]
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = [_("Enter what you studied (course, paper, project...).")]
    occurred_on = data.get("occurred_on")
    if occurred_on is None:
        errors["occurred_on"] = [_("Enter the date.")]
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = [_("The date lies in the future.")]
    claimed = data.get("hours_claimed")
    rule = policy.rule(form) if form in StudyForm.values else None
    if claimed in (None, "") and rule is not None and rule.conversion == Conversion.FIXED:
        claimed = rule.value  # a degree or a paper counts a fixed number of hours
    claimed = R.hours(claimed)
    if claimed <= 0 or claimed > R.MAX_HOURS_PER_ITEM:
        errors["hours_claimed"] = [_("Hours must lie between 0.1 and %(max)s.") % {"max": R.MAX_HOURS_PER_ITEM}]
    if rule is not None and rule.once and "form" not in errors:
        credited = StudyRecord.objects.filter(person=person, form=form, hours_credited__gt=0).exists()
        pending = (
            Declaration.objects.filter(
                person=person, form=form, application__state__in=["pending", "returned", "draft"]
            )
            .exclude(pk=exclude_pk)
            .exists()
        )
        if credited or pending:
            errors["form"] = [
                _("%(form)s counts only once, and you already have it credited or under review.")
                % {"form": StudyForm(form).label}
            ]
    if errors:
        raise ValidationError(errors)
    return {
        "form": form,
        "title": title[:200],
        "organizer": (data.get("organizer") or "").strip()[:200],
        "occurred_on": occurred_on,
        "hours_claimed": claimed,
        "description": (data.get("description") or "").strip(),
    }


def _add_files(actor, declaration, files):
    checked = []
    errors = []
    for uploaded in files or []:
        try:
            checked.append((uploaded, *check_evidence(uploaded)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    if declaration.evidence.count() + len(checked) > MAX_EVIDENCE_FILES:
        raise ValidationError({"files": [_("At most %(max)s files per declaration.") % {"max": MAX_EVIDENCE_FILES}]})
    for uploaded, _extension, content_type in checked:
        Evidence.objects.create(
            declaration=declaration,
            file=uploaded,
            name=(uploaded.name or "")[:200],
            content_type=content_type,
            size=uploaded.size,
        )
    return len(checked)


@transaction.atomic
def declare(person, *, actor, files, **fields):
    """The worker declares hours with evidence; the declaration goes to review at once. Returns it."""
    _require_self(actor, person)
    person = Person.objects.select_for_update().get(pk=person.pk)
    data = _clean(person, fields)
    if not files:
        raise ValidationError({"files": [_("Attach at least one evidence file.")]})
    declaration = Declaration.objects.create(person=person, applicant=actor, **data)
    _add_files(actor, declaration, files)
    application = wf.create_application(
        FLOW_KEY, actor, person.region, subject=declaration, title=_declaration_title(declaration)
    )
    declaration.application = application
    declaration.save(update_fields=["application"])
    record(actor, actions.DECLARE, declaration, changes=_loggable(data), region_code=person.region_id)
    wf.submit(application, actor=actor)
    return declaration


@transaction.atomic
def update_declaration(declaration, *, actor, files=(), remove=(), **fields):
    """Correct a returned declaration (fields, added files, removed files); resubmit it separately."""
    declaration = (
        Declaration.objects.select_for_update(of=("self",))
        .select_related("application", "person")
        .get(pk=declaration.pk)
    )
    _require_self(actor, declaration.person)
    application = declaration.application
    if application is None or not wf.flow_for(application).applicant_may_edit(application):
        raise ValidationError(_("The declaration can be changed only while it is returned for revision."))
    data = _clean(
        declaration.person,
        {**{n: getattr(declaration, n) for n in DECLARATION_FIELDS}, **fields},
        exclude_pk=declaration.pk,
    )
    changes = {}
    for name, value in data.items():
        if getattr(declaration, name) != value:
            changes[name] = [_loggable_value(getattr(declaration, name)), _loggable_value(value)]
            setattr(declaration, name, value)
    removed = list(declaration.evidence.filter(pk__in=list(remove or ())))
    for evidence in removed:
        evidence.file.delete(save=False)
        evidence.delete()
    added = _add_files(actor, declaration, files)
    if not declaration.evidence.exists():
        raise ValidationError({"files": [_("Attach at least one evidence file.")]})
    if removed:
        changes["files_removed"] = [e.name for e in removed]
    if added:
        changes["files_added"] = added
    if changes:
        declaration.save()
        wf.update_application(application, actor=actor, title=_declaration_title(declaration))
        record(actor, actions.DECLARATION_EDIT, declaration, changes=changes, region_code=declaration.person.region_id)
    return declaration


def resubmit(declaration, opinion="", *, actor):
    _require_self(actor, declaration.person)
    return wf.resubmit(declaration.application, opinion, actor=actor)


def _declaration_title(declaration):
    return _("Study hours: %(title)s (%(person)s)") % {"title": declaration.title, "person": declaration.person.name}


def _loggable_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else (str(value) if value is not None else None)


def _loggable(data):
    return {key: _loggable_value(value) for key, value in data.items()}


def preview(declaration):
    """What approving the declaration now would credit (Credit, Period)."""
    return compute_credit(declaration.person, declaration.form, declaration.hours_claimed, declaration.occurred_on)


# --- hooks of the review flow ------------------------------------------------------------------------
def declaration_of(application, lock=False):
    queryset = Declaration.objects.select_for_update() if lock else Declaration.objects.all()
    return queryset.select_related("person").get(pk=application.subject_id)


def _last_actor(application):
    decision = application.decisions.order_by("-at", "-id").first()
    return decision.actor if decision is not None else None


def on_approved(application):
    """Final approval: the declaration's hours go into the ledger, converted and capped."""
    declaration = declaration_of(application, lock=True)
    if StudyRecord.objects.filter(declaration=declaration).exists():
        return
    credit(
        declaration.person,
        form=declaration.form,
        source=Source.DECLARATION,
        source_ref=f"declaration:{declaration.pk}",
        hours_claimed=declaration.hours_claimed,
        occurred_on=declaration.occurred_on,
        title=declaration.title,
        declaration=declaration,
        actor=_last_actor(application),
    )


def snapshot(application):
    """What the reviewer decided on, kept with the application at each (re)submission."""
    declaration = declaration_of(application)
    outcome, period = preview(declaration)
    return {
        "form": declaration.form,
        "title": declaration.title,
        "organizer": declaration.organizer,
        "occurred_on": f"{declaration.occurred_on:%Y-%m-%d}",
        "hours_claimed": str(declaration.hours_claimed),
        "expected_credit": str(outcome.credited),
        "rule": outcome.explanation,
        "period": [f"{period.start:%Y-%m-%d}", f"{period.end:%Y-%m-%d}"] if period else None,
        "files": list(declaration.evidence.values_list("name", flat=True)),
    }


def review_level(application):
    """The level that reviews declarations: the province's setting (county by default)."""
    return policy_for_province(province_code_of(application.region)).review_level

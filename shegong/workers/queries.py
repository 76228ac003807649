"""Read-only queries of this app: nothing here writes (the verbs are in services.py)."""

import unicodedata

from django.conf import settings
from django.utils.translation import gettext as _

from shegong.core import crypto
from shegong.core.identifiers import IdentifierError, normalise, validate_id_number
from shegong.regions.models import Level, Region
from shegong.workers.models import Person, SignupStatus, WorkerSignup

_DOTS = str.maketrans(dict.fromkeys("\u2022\u2027\u30fb\uff65\uff0e.\u22c5\u2219", "\u00b7"))


def normalise_name(name):
    """NFKC, trimmed, inner runs of white space collapsed, the many middle dots of minority names unified."""
    text = unicodedata.normalize("NFKC", str(name or "")).translate(_DOTS)
    return " ".join(text.split())


def names_match(a, b):
    return normalise_name(a).replace(" ", "").casefold() == normalise_name(b).replace(" ", "").casefold()


def normalise_phone(phone):
    text = normalise(phone)
    if text.startswith("+86"):
        text = text[3:]
    return text.replace("-", "")


def is_base_unit(region):
    """A unit records belong to: a county-level unit, or a prefecture-level city without counties (东莞, 中山)."""
    if region is None or not region.active:
        return False
    if region.level == Level.COUNTY:
        return True
    return region.level == Level.PREFECTURE and not Region.objects.filter(parent=region, active=True).exists()


def find_person_by_id_number(number, *, user=None):
    """The registry person with this ID number (any accepted spelling), or None.

    Without ``user`` the lookup is unscoped, for services only (matching, duplicate checks);
    with ``user`` only persons visible to that user are found.
    """
    try:
        parsed = validate_id_number(number)
    except IdentifierError:
        return None
    persons = Person.objects.visible_to(user) if user is not None else Person.objects.all()
    return persons.filter(id_blind_index__in=crypto.blind_index_candidates(parsed.number)).first()


def pending_worker_signups_for(admin):
    """Sign-ups waiting in ``admin``'s subtree, oldest first (officials only: a worker's own sign-up is not listed)."""
    if not getattr(admin, "is_official", False):
        return WorkerSignup.objects.none()
    return (
        WorkerSignup.objects.visible_to(admin)
        .filter(status=SignupStatus.PENDING)
        .select_related("claimed_region", "registry_person")
        .order_by("created_at", "pk")
    )


DEFAULT_PHOTO_MAX_BYTES = 500 * 1024


# Fields a first registration or re-registration needs (docs/domain.md, Personal information table: every field is mandatory).
DEFAULT_REQUIRED_FIELDS = ("phone", "education", "employer_type", "employer", "household_region", "photo")


def photo_max_bytes():
    return int(getattr(settings, "WORKERS_PHOTO_MAX_BYTES", DEFAULT_PHOTO_MAX_BYTES))


def required_fields():
    return tuple(getattr(settings, "WORKERS_REQUIRED_FIELDS", DEFAULT_REQUIRED_FIELDS))


def missing_fields(person):
    """Labels of the personal-information fields still empty (what a registration application needs)."""
    from .models import Person

    missing = []
    for name in required_fields():
        if name == "employer":
            if not (person.employer_organization_id or person.employer_name):
                missing.append(_("Employer"))
            continue
        value = getattr(person, f"{name}_id" if name in {"household_region", "region"} else name)
        if not value:
            missing.append(str(Person._meta.get_field(name).verbose_name))
    return missing


def unchecked_for(user):
    """Holder records of the official's region still waiting to be checked (editable rows only)."""
    from .models import Person

    return Person.objects.editable_by(user).filter(checked=False)


def checked_share_by_region(user, region=None):
    """Per child region of ``region`` (the user's own by default): holders, checked, share — one SQL query.

    Only persons the user may see are counted. A county (no children) reports itself. For statistics.
    """
    from django.db.models import Case, CharField, Count, Q, Value, When

    from .models import Person

    region = region or getattr(user, "region", None)
    if region is None:
        return []
    persons = Person.objects.visible_to(user).filter(region.subtree_q("region__code"))
    children = list(Region.objects.filter(parent=region, administered=True).order_by("code"))
    if not children:
        children = [region]
    names = {child.code: str(child) for child in children}
    bucket = Case(
        *[When(child.subtree_q("region__code"), then=Value(child.code)) for child in children],
        default=Value(""),
        output_field=CharField(),
    )
    rows = (
        persons.order_by()
        .annotate(bucket=bucket)
        .values("bucket")
        .annotate(total=Count("pk"), checked=Count("pk", filter=Q(checked=True)))
    )
    counts = {row["bucket"]: row for row in rows}
    result = []
    for code, name in names.items():
        row = counts.get(code, {"total": 0, "checked": 0})
        total, checked = row["total"], row["checked"]
        result.append(
            {
                "code": code,
                "name": name,
                "total": total,
                "checked": checked,
                "share": checked / total if total else None,
            }
        )
    return result


def person_changes(person, limit=100):
    """The audit events about this person and their certificates, newest first.

    The caller has established that the viewer may see the person (Person.objects.visible_to); the
    events shown are about that person only. Registration events are shown by the registration panel.
    """
    from django.db.models import Q

    from shegong.core.models import AuditEvent

    certificate_ids = [str(pk) for pk in person.certificates.values_list("pk", flat=True)]
    return (
        AuditEvent.objects.filter(
            Q(object_type="workers.Person", object_id=str(person.pk))
            | Q(object_type="workers.Certificate", object_id__in=certificate_ids)
        )
        .exclude(action__in=["reveal", "view"])
        .order_by("-at", "-id")[:limit]
    )


def own_person(user):
    """The signed-in social worker's own registry record, or None (anyone else, or no record yet)."""
    from shegong.core import capabilities

    if not capabilities.is_social_worker(user) or getattr(user, "person_id", None) is None:
        return None
    return (
        Person.objects.visible_to(user)
        .filter(pk=user.person_id)
        .select_related("region", "household_region", "employer_organization")
        .first()
    )


def own_person_or_404(user):
    """``own_person`` for the worker's own pages: a 404 when there is none."""
    from django.http import Http404

    person = own_person(user)
    if person is None:
        raise Http404
    return person

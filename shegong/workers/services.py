"""The workers app's verbs: registering persons and certificates, looking them up by ID number,
revealing a full ID number, and a social worker's own sign-up with its confirmation by officials.

Every function that writes runs in one transaction and writes an audit event. Audit events carry
the masked ID number only.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import crypto
from shegong.core.audit import record
from shegong.core.identifiers import IdentifierError, mask_id_number, normalise, validate_id_number
from shegong.core.scoping import EDIT, standard_scope_q
from shegong.regions.models import Level, Region

from .models import Certificate, CertificateLevel, Person, SignupStatus, WorkerSignup

WORKER_ROLE = "worker"
# Roles that may see a full ID number (in their scope); a social worker only their own.
REVEAL_ROLES = {"admin", "staff", WORKER_ROLE}
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# The 管理号 is opaque (its structure is unverified): only length and character set are checked.
DEFAULT_MANAGEMENT_NO_PATTERN = r"^[0-9A-Za-z-]{6,40}$"
FIRST_EXAM_YEAR = 2008
_DOTS = str.maketrans(dict.fromkeys("\u2022\u2027\u30fb\uff65\uff0e.\u22c5\u2219", "\u00b7"))


# --- small helpers ---------------------------------------------------------------------------------------


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


def _validate_mobile(phone, field="phone"):
    phone = normalise_phone(phone)
    if not MOBILE_RE.match(phone):
        raise ValidationError(
            {field: _("Enter an 11-digit mainland mobile phone number starting with 1.")}, code="bad_phone"
        )
    return phone


def _county(region, field="region"):
    if isinstance(region, str):
        region = Region.objects.filter(code=region).first()
    if region is None or region.level != Level.COUNTY or not region.active:
        raise ValidationError({field: _("Choose a county-level unit (county, district or county-level city).")})
    return region


def _require_region_editable(actor, region, field="region"):
    """The actor may edit rows of ``region`` (THE scope rule applied to the region itself)."""
    if actor is None:  # system work: seeders, imports, migrations
        return
    q = standard_scope_q(actor, EDIT, region_field="code")
    if q is None or not Region.objects.filter(q, code=region.code).exists():
        raise PermissionDenied(_("You cannot manage records of %(region)s.") % {"region": region})


def _masked(number):
    return mask_id_number(number)


# --- lookups ---------------------------------------------------------------------------------------------


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


def reveal_id_number(user, person):
    """The full ID number, for a user allowed to see it; the reveal is audited."""
    if (
        getattr(user, "role", None) not in REVEAL_ROLES
        or not Person.objects.visible_to(user).filter(pk=person.pk).exists()
    ):
        raise PermissionDenied(_("You may not see this person's full ID number."))
    number = crypto.decrypt(person.id_encrypted)
    record(user, "reveal", person, changes={"field": "id_number"}, region_code=person.region_id)
    return number


# --- registry --------------------------------------------------------------------------------------------


@transaction.atomic
def register_person(actor, *, name, id_number, region, phone="", household_region=None, checked=False):
    """Add a person to the registry. ``actor`` None means system work (seeders, imports)."""
    name = normalise_name(name)
    if not name:
        raise ValidationError({"name": _("Enter the name.")})
    try:
        parsed = validate_id_number(id_number)
    except IdentifierError as exc:
        raise ValidationError({"id_number": exc}) from exc
    region = _county(region)
    _require_region_editable(actor, region)
    if isinstance(household_region, str):
        household_region = Region.objects.filter(code=household_region).first()
    phone = _validate_mobile(phone) if phone else ""
    if find_person_by_id_number(parsed.number) is not None:
        raise ValidationError(
            {"id_number": _("A person with this ID number is already in the registry.")}, code="duplicate_id"
        )
    person = Person(
        id_blind_index=crypto.blind_index(parsed.number),
        id_encrypted=crypto.encrypt(parsed.number),
        id_kind=parsed.kind,
        name=name,
        sex=parsed.sex,
        birth_date=parsed.birth_date,
        phone=phone,
        household_region=household_region,
        region=region,
        checked=checked,
    )
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent registration of the same number
        raise ValidationError(
            {"id_number": _("A person with this ID number is already in the registry.")}, code="duplicate_id"
        ) from exc
    record(
        actor,
        "create",
        person,
        changes={"name": name, "id_number": _masked(parsed.number), "region": region.code},
        region_code=region.code,
    )
    return person


def validate_management_no(value):
    # Not identifiers.normalise(), which upper-cases: the number is opaque, so its case is kept.
    text = "".join(unicodedata.normalize("NFKC", str(value or "")).split())
    pattern = getattr(settings, "MANAGEMENT_NO_PATTERN", DEFAULT_MANAGEMENT_NO_PATTERN)
    if not re.match(pattern, text):
        raise ValidationError(
            {"management_no": _("The management number has an unexpected length or characters.")},
            code="bad_management_no",
        )
    return text


@transaction.atomic
def add_certificate(actor, person, *, level, management_no, exam_year, issued_on=None):
    """Record a person's qualification certificate."""
    if actor is not None and not Person.objects.editable_by(actor).filter(pk=person.pk).exists():
        raise PermissionDenied(_("You cannot manage this person's record."))
    if level not in CertificateLevel.values:
        raise ValidationError({"level": _("Choose a certificate level.")})
    management_no = validate_management_no(management_no)
    if not (FIRST_EXAM_YEAR <= int(exam_year) <= timezone.localdate().year):
        raise ValidationError(
            {"exam_year": _("The exam year must lie between %(first)d and this year.") % {"first": FIRST_EXAM_YEAR}}
        )
    if Certificate.objects.filter(management_no=management_no).exists():
        raise ValidationError({"management_no": _("A certificate with this management number already exists.")})
    certificate = Certificate.objects.create(
        person=person, level=level, management_no=management_no, exam_year=exam_year, issued_on=issued_on
    )
    record(
        actor,
        "create",
        certificate,
        changes={"person": person.pk, "level": level, "management_no": management_no, "exam_year": int(exam_year)},
        region_code=person.region_id,
    )
    return certificate


# --- social worker sign-up -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignupOutcome:
    user: object
    person: Person | None  # linked at once: the registry matched ID number and name
    signup: WorkerSignup | None  # waiting for an official otherwise

    @property
    def matched(self):
        return self.person is not None


@transaction.atomic
def sign_up_worker(name, id_number, phone, password, claimed_region=None):
    """A social worker creates their own account (public sign-up).

    The registry person is looked up by ID number; if the name matches too, the account is linked
    to it at once. Otherwise the account exists but has no business data until an official of the
    claimed county confirms it (``confirm_worker_signup``). A registry record with the same number
    but another name routes the sign-up to that record's county. The user signs in with the
    mobile phone number. Errors are ``ValidationError``s keyed by field (name, id_number, phone,
    password, region).
    """
    User = get_user_model()
    name = normalise_name(name)
    if not name:
        raise ValidationError({"name": _("Enter your name.")})
    try:
        parsed = validate_id_number(id_number)
    except IdentifierError as exc:
        raise ValidationError({"id_number": exc}) from exc
    phone = _validate_mobile(phone)
    if User.objects.filter(username=phone).exists():
        raise ValidationError({"phone": _("This mobile phone number is already used by another account.")})
    person = find_person_by_id_number(parsed.number)
    if person is not None and person.account_id is not None:
        raise ValidationError(
            {"id_number": _("An account already exists for this ID number. Sign in, or ask for a password reset.")}
        )
    index = crypto.blind_index(parsed.number)
    if WorkerSignup.objects.filter(
        id_blind_index__in=crypto.blind_index_candidates(parsed.number), status=SignupStatus.PENDING
    ).exists():
        raise ValidationError({"id_number": _("A sign-up with this ID number is already waiting for confirmation.")})
    matched = person is not None and names_match(person.name, name)
    if not matched:
        if person is not None:
            claimed_region = person.region
        elif claimed_region is None:
            raise ValidationError(
                {
                    "region": _(
                        "We could not find a certificate holder with this name and ID number. Choose the county "
                        "(district) where you work: its civil affairs bureau will check and confirm your sign-up."
                    )
                },
                code="region_required",
            )
        else:
            claimed_region = _county(claimed_region)
    candidate = User(username=phone, full_name=name, phone=phone, role=WORKER_ROLE)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user = User.objects.create_user(
        username=phone,
        password=password,
        role=WORKER_ROLE,
        full_name=person.name if matched else name,
        phone=phone,
        password_changed_at=timezone.now(),
    )
    masked = _masked(parsed.number)
    if matched:
        person.account = user
        if not person.phone:
            person.phone = phone
        person.save(update_fields=["account", "phone", "updated_at"])
        record(
            user, "worker_signup", person, changes={"matched": True, "id_number": masked}, region_code=person.region_id
        )
        return SignupOutcome(user=user, person=person, signup=None)
    signup = WorkerSignup.objects.create(
        user=user,
        name=name,
        id_blind_index=index,
        id_encrypted=crypto.encrypt(parsed.number),
        phone=phone,
        claimed_region=claimed_region,
        registry_person=person,
    )
    record(
        user,
        "worker_signup",
        signup,
        changes={
            "matched": False,
            "why": "name_mismatch" if person is not None else "not_in_registry",
            "id_number": masked,
            "region": claimed_region.code,
        },
        region_code=claimed_region.code,
    )
    return SignupOutcome(user=user, person=None, signup=signup)


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


def _lock_pending(admin, signup):
    locked = WorkerSignup.objects.editable_by(admin).select_for_update().filter(pk=signup.pk).first()
    if locked is None:
        raise PermissionDenied(_("You cannot decide on this sign-up."))
    if locked.status != SignupStatus.PENDING:
        raise ValidationError(_("This sign-up has already been decided."), code="already_decided")
    return locked


@transaction.atomic
def confirm_worker_signup(admin, signup, region=None):
    """Confirm a pending sign-up: link the account to the registry person, creating it if needed.

    ``region`` is the person's work region (a county in the admin's subtree; the claimed one by
    default). If the registry holds the ID number (under another name), that record is linked.
    """
    signup = _lock_pending(admin, signup)
    region = _county(region if region is not None else signup.claimed_region)
    _require_region_editable(admin, region)
    number = crypto.decrypt(signup.id_encrypted)
    person = find_person_by_id_number(number)
    if person is None:
        person = register_person(admin, name=signup.name, id_number=number, region=region, phone=signup.phone)
    else:
        if not Person.objects.editable_by(admin).filter(pk=person.pk).exists():
            raise PermissionDenied(_("The registry record with this ID number belongs to another region."))
        if person.account_id is not None and person.account_id != signup.user_id:
            raise ValidationError(_("The registry record with this ID number is already linked to another account."))
    person.account = signup.user
    person.save(update_fields=["account", "updated_at"])
    signup.status = SignupStatus.CONFIRMED
    signup.person = person
    signup.decided_by = admin
    signup.decided_at = timezone.now()
    signup.save(update_fields=["status", "person", "decided_by", "decided_at"])
    user = signup.user
    if user.full_name != person.name:
        user.full_name = person.name
        user.save(update_fields=["full_name"])
    record(
        admin,
        "worker_signup_confirm",
        signup,
        changes={"person": person.pk, "region": person.region_id, "id_number": _masked(number)},
        region_code=person.region_id,
    )
    return signup


@transaction.atomic
def reject_worker_signup(admin, signup, reason):
    """Reject a pending sign-up with a reason the applicant will read."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection.")}, code="reason_required")
    signup = _lock_pending(admin, signup)
    signup.status = SignupStatus.REJECTED
    signup.reason = reason
    signup.decided_by = admin
    signup.decided_at = timezone.now()
    signup.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    record(admin, "worker_signup_reject", signup, changes={"reason": reason}, region_code=signup.claimed_region_id)
    return signup

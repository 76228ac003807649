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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import capabilities, crypto, limits, messaging
from shegong.core.audit import record
from shegong.core.identifiers import IdentifierError, mask_id_number, mask_phone, validate_id_number
from shegong.core.roles import Role
from shegong.core.scoping import EDIT, standard_scope_q
from shegong.core.workflow.services import notify
from shegong.regions.models import Region
from shegong.workers import actions
from shegong.workers.queries import (
    find_person_by_id_number,
    is_base_unit,
    names_match,
    normalise_name,
    normalise_phone,
    photo_max_bytes,
)

from .models import Certificate, CertificateLevel, Person, SignupStatus, WorkerSignup

WORKER_ROLE = Role.WORKER
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# The 管理号 is opaque (its structure is unverified): only length and character set are checked.
DEFAULT_MANAGEMENT_NO_PATTERN = r"^[0-9A-Za-z-]{6,40}$"
FIRST_EXAM_YEAR = 2008


# --- small helpers ---------------------------------------------------------------------------------------


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
    if not is_base_unit(region):
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


def reveal_id_number(person, *, actor):
    """The full ID number, for a user allowed to see it (``core.capabilities.may_reveal_id``); the reveal is audited."""
    if not capabilities.may_reveal_id(actor, person):
        raise PermissionDenied(capabilities.may_reveal_id.denied)
    number = crypto.decrypt(person.id_encrypted)
    record(actor, actions.ID_REVEAL, person, changes={"field": "id_number"}, region_code=person.region_id)
    return number


# --- registry --------------------------------------------------------------------------------------------


@transaction.atomic
def registered_elsewhere_message():
    """What an official is told about an ID number held by a region outside their own: never which region."""
    return _(
        "This person is already registered by the civil affairs department of another region. If the person now "
        "works in your region, ask for a transfer (Social workers → Request a transfer) with the ID number and "
        "name; both civil affairs departments approve it."
    )


def register_person(*, actor, name, id_number, region, phone="", household_region=None, checked=False):
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
    existing = find_person_by_id_number(parsed.number)
    if (
        existing is not None
        and actor is not None
        and not Person.objects.visible_to(actor).filter(pk=existing.pk).exists()
    ):
        raise ValidationError({"id_number": registered_elsewhere_message()}, code="registered_elsewhere")
    if existing is not None:
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
        actions.PERSON_CREATE,
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
def add_certificate(person, *, actor, level, management_no, exam_year, issued_on=None):
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
        actions.CERTIFICATE_CREATE,
        certificate,
        changes={"person": person.pk, "level": level, "management_no": management_no, "exam_year": int(exam_year)},
        region_code=person.region_id,
    )
    return certificate


@transaction.atomic
def correct_certificate(certificate, *, actor, level, issued_on, reason):
    """An official corrects a certificate's level and date of issue (e.g. a typing error found on checking).

    Administrators for a person in their edit scope; the reason is mandatory; one audit event with the
    old and new values. The registration checks' warnings (panels.certificate_warnings) are for the page
    to show before calling this: the correction itself is not refused by them.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the correction.")}, code="reason_required")
    if not capabilities.checks_records(actor) or not (
        Person.objects.editable_by(actor).filter(pk=certificate.person_id).exists()
    ):
        raise PermissionDenied(_("You cannot correct this person's certificates."))
    if level not in CertificateLevel.values:
        raise ValidationError({"level": _("Choose a certificate level.")})
    if issued_on is not None:
        if issued_on > timezone.localdate():
            raise ValidationError({"issued_on": _("The date of issue cannot lie in the future.")}, code="future")
        if issued_on.year < certificate.exam_year:
            raise ValidationError(
                {
                    "issued_on": _("The date of issue cannot lie before the exam year (%(year)s).")
                    % {"year": certificate.exam_year}
                },
                code="before_exam",
            )
    row = Certificate.objects.select_for_update().get(pk=certificate.pk)
    changes = {}
    if row.level != level:
        changes["level"] = [row.level, level]
    if row.issued_on != issued_on:
        changes["issued_on"] = [
            f"{row.issued_on:%Y-%m-%d}" if row.issued_on else None,
            f"{issued_on:%Y-%m-%d}" if issued_on else None,
        ]
    if not changes:
        raise ValidationError(
            _("Nothing to correct: the level and the date of issue are as recorded."), code="no_change"
        )
    row.level, row.issued_on = level, issued_on
    row.save()  # (education refreshes the study-hour standing on the certificate's save)
    record(
        actor, actions.CERTIFICATE_CORRECT, row, changes={**changes, "reason": reason}, region_code=row.person.region_id
    )
    return row


# --- transfer of a person to another region (both civil affairs departments approve) ------------------------

TRANSFER_FLOW = "workers.transfer"


class TransferRefused(ValidationError):
    pass


@transaction.atomic
def request_transfer(person, *, actor, to_region, reason=""):
    """The receiving side asks for ``person`` (registered elsewhere) to move to ``to_region`` (a county in its scope).

    A request through the review engine: the releasing county approves, then the receiving county
    (another official than the one who asked); on final approval the person's work region changes.
    """
    from shegong.core import workflow as wf

    if not capabilities.administers_region(actor):
        raise PermissionDenied(_("Transfers are asked for by civil affairs administrators."))
    to_region = _county(to_region, "to_region")
    _require_region_editable(actor, to_region, "to_region")
    if person.region_id == to_region.code:
        raise ValidationError({"to_region": _("The person is registered in this region already.")}, code="same")
    if Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise ValidationError(
            {"id_number": _("This person is in your region already: change the work region on the person's page.")},
            code="in_scope",
        )
    from shegong.core.models import Application

    open_transfer = Application.objects.unscoped("one open transfer per person").filter(
        flow=TRANSFER_FLOW,
        subject_id=str(person.pk),
        state__in=[wf.State.DRAFT, wf.State.PENDING, wf.State.RETURNED],
    )
    if open_transfer.exists():
        raise ValidationError({"id_number": _("A transfer of this person is already under review.")}, code="open")
    application = wf.create_application(
        TRANSFER_FLOW,
        actor,
        person.region,
        subject=person,
        title=_("Transfer of %(name)s") % {"name": person.name},
        data={
            "person": person.pk,
            "name": person.name,
            "id_number": _masked(crypto.decrypt(person.id_encrypted)),
            "from_region": person.region_id,
            "to_region": to_region.code,
            "to_region_name": to_region.full_name or to_region.name,
            "reason": (reason or "").strip(),
        },
    )
    wf.submit(application, actor=actor)
    record(
        actor,
        actions.TRANSFER_REQUEST,
        person,
        changes={"to_region": to_region.code, "application": str(application.pk)},
        region_code=to_region.code,
    )
    return application


def transfer_destination(application):
    return Region.objects.get(code=application.data["to_region"])


def on_transfer_approved(application):
    """Final approval of a transfer: the person's work region becomes the receiving county (audited)."""
    person = Person.objects.select_for_update().get(pk=application.data["person"])
    old, new = person.region_id, application.data["to_region"]
    if old != application.data["from_region"]:
        from shegong.core import workflow as wf

        raise wf.WrongState(_("The person's region changed since the request; ask for the transfer again."))
    update_person(person, actor=None, reason=f"transfer {application.pk}", region=new)
    decision = application.decisions.order_by("-at", "-id").first()
    record(
        decision.actor if decision is not None else None,
        actions.TRANSFER,
        person,
        changes={"region": [old, new], "application": str(application.pk)},
        region_code=new,
    )
    return person


# --- social worker sign-up -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignupOutcome:
    user: object  # None when the sign-up was not taken (``refused`` says why; only the SMS tells the applicant)
    person: Person | None  # linked at once: the registry matched ID number and name
    signup: WorkerSignup | None  # waiting for an official otherwise
    refused: str = ""  # "account_exists", "pending", "phone_taken"

    @property
    def matched(self):
        return self.person is not None


# Attempts of the public sign-up, counted in the shared store (all processes): per address and per ID number.
SIGNUP_LIMIT_PER_ADDRESS = 20
SIGNUP_LIMIT_PER_ID = 5
SIGNUP_WINDOW_SECONDS = 3600


def _signup_limits():
    conf = getattr(settings, "SHEGONG_SIGNUP_LIMITS", {})
    return (
        int(conf.get("per_address", SIGNUP_LIMIT_PER_ADDRESS)),
        int(conf.get("per_id", SIGNUP_LIMIT_PER_ID)),
        int(conf.get("window", SIGNUP_WINDOW_SECONDS)),
    )


def _too_many():
    return ValidationError(
        _("Too many sign-up attempts. Try again in an hour, or ask the civil affairs bureau of your county."),
        code="rate_limited",
    )


def count_signup_attempt(address):
    """Count one sign-up attempt from ``address`` (before the form is checked); refuse past the limit."""
    per_address, _per_id, window = _signup_limits()
    if address and not limits.hit("signup-address", address, per_address, window).allowed:
        raise _too_many()


def _signup_sms(phone, text):
    messaging.send_sms_on_commit(phone, text)


@transaction.atomic
def sign_up_worker(name, id_number, phone, password, claimed_region=None):
    """A social worker creates their own account (public sign-up).

    The answer never reveals the registry: whether the ID number belongs to a registry person, already
    has an account or a pending sign-up, or the phone number is in use, the caller gets an outcome the
    page shows as the same neutral words; the real outcome goes by SMS to the phone number given
    (``shegong.core.messaging``). Only malformed input (name, ID number, phone, password, a region that
    is not a county) is refused with field errors, and that before the registry is read.

    The registry person is looked up by ID number; if the name matches too, the account is linked to
    it at once. Otherwise the account exists but has no business data until an official of the claimed
    county confirms it (``confirm_worker_signup``). A registry record with the same number but another
    name routes the sign-up to that record's county. The user signs in with the mobile phone number.
    Attempts per ID number are limited in the shared store.
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
    if claimed_region is not None:
        claimed_region = _county(claimed_region)
    candidate = User(username=phone, full_name=name, phone=phone, role=WORKER_ROLE)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    _per_address, per_id, window = _signup_limits()
    if not limits.hit("signup-id", parsed.number, per_id, window).allowed:
        raise _too_many()
    # From here on every refusal is silent: the page says the same for all; the SMS says what happened.
    masked = _masked(parsed.number)
    refused = ""
    if User.objects.filter(username=phone).exists():
        refused = "phone_taken"
        text = _(
            "Someone tried to sign up with this mobile phone number, which already belongs to an account, so the "
            "sign-up was not taken. If it was you, sign in, or use “Forgot your password?” on the sign-in page."
        )
    else:
        person = find_person_by_id_number(parsed.number)
        pending = WorkerSignup.objects.filter(
            id_blind_index__in=crypto.blind_index_candidates(parsed.number), status=SignupStatus.PENDING
        ).exists()
        if person is not None and person.account_id is not None:
            refused = "account_exists"
            text = _(
                "Your sign-up was not taken: an account already exists for this ID number. Sign in, or use "
                "“Forgot your password?” on the sign-in page."
            )
        elif pending:
            refused = "pending"
            text = _(
                "Your sign-up was not taken: a sign-up with this ID number is already waiting for confirmation. "
                "You will be told of the decision."
            )
    if refused:
        record(None, actions.SIGNUP_REFUSED, changes={"why": refused, "id_number": masked})
        _signup_sms(phone, text)
        return SignupOutcome(user=None, person=None, signup=None, refused=refused)
    matched = person is not None and names_match(person.name, name)
    if not matched:
        if person is not None:
            claimed_region = person.region
        elif claimed_region is None:
            raise ValidationError(
                {
                    "region": _(
                        "Choose the county (district) where you work: its civil affairs bureau will check and "
                        "confirm your sign-up if we cannot match your certificate record."
                    )
                },
                code="region_required",
            )
    user = User.objects.create_user(
        username=phone,
        password=password,
        role=WORKER_ROLE,
        full_name=person.name if matched else name,
        phone=phone,
        password_changed_at=timezone.now(),
    )
    if matched:
        person.account = user
        if not person.phone:
            person.phone = phone
        person.save(update_fields=["account", "phone", "updated_at"])
        record(
            user, actions.SIGNUP, person, changes={"matched": True, "id_number": masked}, region_code=person.region_id
        )
        _signup_sms(
            phone,
            _(
                "Your account is ready: we found your certificate record and linked it. Sign in with this mobile "
                "phone number."
            ),
        )
        return SignupOutcome(user=user, person=person, signup=None)
    signup = WorkerSignup.objects.create(
        user=user,
        name=name,
        id_blind_index=crypto.blind_index(parsed.number),
        id_encrypted=crypto.encrypt(parsed.number),
        phone=phone,
        claimed_region=claimed_region,
        registry_person=person,
    )
    record(
        user,
        actions.SIGNUP,
        signup,
        changes={
            "matched": False,
            "why": "name_mismatch" if person is not None else "not_in_registry",
            "id_number": masked,
            "region": claimed_region.code,
        },
        region_code=claimed_region.code,
    )
    _signup_sms(
        phone,
        _(
            "Your sign-up is received and waits for confirmation by the civil affairs bureau. You can sign in with "
            "this mobile phone number and follow it under “My applications”; you will be told of the decision."
        ),
    )
    return SignupOutcome(user=user, person=None, signup=signup)


def _lock_pending(admin, signup):
    locked = WorkerSignup.objects.editable_by(admin).select_for_update().filter(pk=signup.pk).first()
    if locked is None:
        raise PermissionDenied(_("You cannot decide on this sign-up."))
    if locked.status != SignupStatus.PENDING:
        raise ValidationError(_("This sign-up has already been decided."), code="already_decided")
    return locked


@transaction.atomic
def confirm_worker_signup(signup, region=None, *, actor):
    """Confirm a pending sign-up: link the account to the registry person, creating it if needed.

    ``region`` is the person's work region (a county in the admin's subtree; the claimed one by
    default). If the registry holds the ID number (under another name), that record is linked.
    """
    signup = _lock_pending(actor, signup)
    region = _county(region if region is not None else signup.claimed_region)
    _require_region_editable(actor, region)
    number = crypto.decrypt(signup.id_encrypted)
    person = find_person_by_id_number(number)
    if person is None:
        person = register_person(actor=actor, name=signup.name, id_number=number, region=region, phone=signup.phone)
    else:
        if not Person.objects.editable_by(actor).filter(pk=person.pk).exists():
            raise PermissionDenied(_("The registry record with this ID number belongs to another region."))
        if person.account_id is not None and person.account_id != signup.user_id:
            raise ValidationError(_("The registry record with this ID number is already linked to another account."))
    person.account = signup.user
    person.save(update_fields=["account", "updated_at"])
    signup.status = SignupStatus.CONFIRMED
    signup.person = person
    signup.decided_by = actor
    signup.decided_at = timezone.now()
    signup.save(update_fields=["status", "person", "decided_by", "decided_at"])
    user = signup.user
    if user.full_name != person.name:
        user.full_name = person.name
        user.save(update_fields=["full_name"])
    record(
        actor,
        actions.SIGNUP_CONFIRM,
        signup,
        changes={"person": person.pk, "region": person.region_id, "id_number": _masked(number)},
        region_code=person.region_id,
    )
    text = _("Your sign-up as a social worker is confirmed: your record is now linked to your account.")
    notify(user, text, reverse("workers:me"))
    messaging.send_sms_on_commit(signup.phone or user.phone, text)
    return signup


@transaction.atomic
def reject_worker_signup(signup, reason, *, actor):
    """Reject a pending sign-up with a reason the applicant will read."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection.")}, code="reason_required")
    signup = _lock_pending(actor, signup)
    signup.status = SignupStatus.REJECTED
    signup.reason = reason
    signup.decided_by = actor
    signup.decided_at = timezone.now()
    signup.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    record(actor, actions.SIGNUP_REJECT, signup, changes={"reason": reason}, region_code=signup.claimed_region_id)
    text = _("Your sign-up as a social worker was not approved: %(reason)s") % {"reason": reason}
    notify(signup.user, text, reverse("workers:me"))
    messaging.send_sms_on_commit(signup.phone, text)
    return signup


# --- the personal information table (个人信息表) ------------------------------------------------------------

PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png"}
# Fields a social worker changes on their own record; officials may also correct name, ID number and region.
OWN_FIELDS = (
    "phone",
    "email",
    "address",
    "education",
    "major",
    "employer_type",
    "employer_organization",
    "employer_name",
    "household_region",
    "region",
    "photo",
)
OFFICIAL_FIELDS = (*OWN_FIELDS, "name", "id_number")


def validate_photo(upload):
    """An ID photo: at most 500 KB (setting WORKERS_PHOTO_MAX_BYTES), a real JPEG or PNG image.

    The type is read from the content (``core.uploads``: the magic bytes, which must agree with the
    name's extension, then Pillow), not from the declared type; an image declaring huge dimensions is
    refused before it is decoded.
    Returns the file extension to store it under.
    """
    from shegong.core.uploads import check_image_dimensions, check_upload

    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if size > photo_max_bytes():
        raise ValidationError(
            {"photo": _("The photo must be at most %(kb)d KB.") % {"kb": photo_max_bytes() // 1024}},
            code="photo_too_large",
        )
    name = getattr(upload, "name", "") or ""
    try:
        check_upload(upload, name, accept=("jpeg", "png"))
    except ValidationError as exc:
        if exc.code == "file_content":  # named .png but a JPEG, or the reverse: say so
            raise ValidationError({"photo": exc.messages}, code="photo_type") from exc
        raise ValidationError({"photo": _("The photo must be a JPEG or PNG image.")}, code="photo_type") from exc
    try:
        kind, _size = check_image_dimensions(upload, name)
    except ValidationError as exc:
        if exc.code == "image_too_large":
            raise ValidationError({"photo": exc.messages}, code="photo_dimensions") from exc
        raise ValidationError({"photo": _("The photo must be a JPEG or PNG image.")}, code="photo_type") from exc
    if kind not in PHOTO_FORMATS:
        raise ValidationError({"photo": _("The photo must be a JPEG or PNG image.")}, code="photo_type")
    return PHOTO_FORMATS[kind]


def _organization_for_employer(value):
    from shegong.organizations.models import Organization, OrganizationKind, OrganizationStatus

    if value is None or value == "":
        return None
    organization = value if isinstance(value, Organization) else Organization.objects.filter(pk=value).first()
    if (
        organization is None
        or organization.status != OrganizationStatus.ACTIVE
        or organization.kind != OrganizationKind.SERVICE
    ):
        raise ValidationError(
            {"employer_organization": _("Choose an approved social work service organization from the list.")},
            code="bad_employer",
        )
    return organization


def clean_employer(values, person):
    """The employer rule of docs/domain.md, Personal information table on the values after the change."""
    from .models import EmployerType

    employer_type = values.get("employer_type", person.employer_type)
    if employer_type and employer_type not in EmployerType.values:
        raise ValidationError({"employer_type": _("Choose an employer type from the list.")})
    organization = values.get("employer_organization", person.employer_organization)
    name = normalise_name(values.get("employer_name", person.employer_name))
    if employer_type == EmployerType.SERVICE_ORGANIZATION:
        organization = _organization_for_employer(organization)
        if organization is None:
            raise ValidationError(
                {"employer_organization": _("A social work service organization is chosen from the list.")},
                code="employer_required",
            )
        name = ""
    else:
        organization = None
        if employer_type and not name:
            raise ValidationError({"employer_name": _("Enter the employer's name.")}, code="employer_required")
    values["employer_type"], values["employer_organization"], values["employer_name"] = (
        employer_type,
        organization,
        name,
    )


def _update_employment(person, old_organization_id, today=None):
    """The person named a new employer themselves: end the current employment, start a confirmed one."""
    from shegong.organizations.models import Employment

    today = today or timezone.localdate()
    if old_organization_id == person.employer_organization_id:
        return
    Employment.objects.current().filter(person=person, full_time=True).update(
        ended_on=today, status=Employment.Status.ENDED
    )
    if person.employer_organization_id is not None:
        Employment.objects.create(
            person=person,
            organization_id=person.employer_organization_id,
            staff_name=person.name,
            started_on=today,
            status=Employment.Status.ACTIVE,
            confirmed_at=timezone.now(),
        )


def _check_may_update(actor, person, fields, own):
    from . import panels
    from .models import Person

    if actor is None:  # system work: the registration services applying an approved change, imports
        return
    if own:
        if actor.pk is None or actor.pk != person.account_id:
            raise PermissionDenied(_("You can change only your own record."))
        not_own = set(fields) - set(OWN_FIELDS)
        if not_own:
            raise PermissionDenied(
                _("These details are changed through a change registration or by the civil affairs bureau: %(fields)s")
                % {"fields": ", ".join(sorted(not_own))}
            )
        reason = panels.edit_lock_reason(person)
        if reason:
            raise PermissionDenied(reason)
        return
    if not Person.objects.editable_by(actor).filter(pk=person.pk).exists():
        raise PermissionDenied(_("You cannot manage this person's record."))
    unknown = set(fields) - set(OFFICIAL_FIELDS)
    if unknown:
        raise PermissionDenied(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(unknown)})


def _display(value):
    if value is None:
        return None
    return getattr(value, "pk", value)


@transaction.atomic
def update_person(person, *, actor, own=False, reason="", action=actions.PERSON_UPDATE, **fields):
    """Change a person's record: the worker their own table (``own=True``), an official in their scope, or the system.

    Validates each field (mobile phone, e-mail, regions, the employer rule, the photo's size and
    content type, a corrected ID number), keeps the Employment history, writes one audit event with
    the changes (identifiers masked) and tells the registered listeners. Returns the changes.
    """
    from django.core.validators import validate_email

    from . import panels
    from .models import Education, Person

    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_may_update(actor, person, fields, own)
    values = dict(fields)
    if "phone" in values:
        values["phone"] = _validate_mobile(values["phone"]) if values["phone"] else ""
    if "email" in values:
        values["email"] = (values["email"] or "").strip()
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError as exc:
                raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    if "address" in values:
        values["address"] = normalise_name(values["address"])[:200]
    if "major" in values:
        values["major"] = normalise_name(values["major"])[:100]
    if values.get("education") and values["education"] not in Education.values:
        raise ValidationError({"education": _("Choose the education from the list.")})
    if "name" in values:
        values["name"] = normalise_name(values["name"])
        if not values["name"]:
            raise ValidationError({"name": _("Enter the name.")})
    if "household_region" in values and values["household_region"] is not None:
        values["household_region"] = _county(values["household_region"], "household_region")
    if "region" in values:
        values["region"] = _county(values["region"])
        if not own:
            _require_region_editable(actor, values["region"])
    if {"employer_type", "employer_organization", "employer_name"} & set(values):
        clean_employer(values, person)
    photo = values.pop("photo", None)
    id_number = values.pop("id_number", None)
    changes = {}
    for name, value in values.items():
        old = getattr(person, name)
        if _display(old) != _display(value):
            changes[name] = [_display(old), _display(value)]
            setattr(person, name, value)
    if id_number:
        try:
            parsed = validate_id_number(id_number)
        except IdentifierError as exc:
            raise ValidationError({"id_number": exc}) from exc
        index = crypto.blind_index(parsed.number)
        if index != person.id_blind_index:
            if Person.objects.filter(id_blind_index__in=crypto.blind_index_candidates(parsed.number)).exclude(
                pk=person.pk
            ):
                raise ValidationError({"id_number": _("A person with this ID number is already in the registry.")})
            changes["id_number"] = [_masked(crypto.decrypt(person.id_encrypted)), _masked(parsed.number)]
            person.id_blind_index, person.id_encrypted = index, crypto.encrypt(parsed.number)
            person.id_kind, person.sex, person.birth_date = parsed.kind, parsed.sex, parsed.birth_date
    if photo is not None:
        extension = validate_photo(photo)
        old_photo = person.photo.name if person.photo else ""
        person.photo.save(f"photo.{extension}", photo, save=False)
        changes["photo"] = [old_photo and "…", "…"]
    if not changes:
        return {}
    old_organization_id = Person.objects.filter(pk=person.pk).values_list("employer_organization_id", flat=True)[0]
    person.save()
    _update_employment(person, old_organization_id)
    audit_changes = dict(changes)
    if "phone" in audit_changes:  # the log shows identifiers masked
        audit_changes["phone"] = [mask_phone(value) for value in audit_changes["phone"]]
    if reason:
        audit_changes["reason"] = reason
    record(actor, action, person, changes=audit_changes, region_code=person.region_id)
    panels.person_changed(person, changes, actor=actor)
    return changes


# --- 核对: checking imported holder records -----------------------------------------------------------------


@transaction.atomic
def confirm_checked(person, reason, *, actor, **corrections):
    """An official confirms a holder record, correcting fields first if given; the reason is mandatory."""
    from .models import Person

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason (what you checked against).")}, code="reason_required")
    if actor is None or not Person.objects.editable_by(actor).filter(pk=person.pk).exists():
        raise PermissionDenied(_("You cannot check this person's record."))
    changes = {}
    if corrections:
        changes = update_person(person, **corrections, actor=actor, reason=reason, action=actions.PERSON_CORRECT)
    person = Person.objects.select_for_update().get(pk=person.pk)
    was_checked = person.checked
    person.checked, person.checked_at, person.checked_by = True, timezone.now(), actor
    person.save(update_fields=["checked", "checked_at", "checked_by", "updated_at"])
    record(
        actor,
        actions.PERSON_CHECK,
        person,
        changes={"checked": [was_checked, True], "reason": reason, "corrected": sorted(changes)},
        region_code=person.region_id,
    )
    return person


# --- 反馈: a holder's certificate is missing from the registry ----------------------------------------------


@transaction.atomic
def file_feedback(*, actor, level, management_no, exam_year, message=""):
    """The signed-in holder asks the civil affairs bureau to add their certificate to the registry."""
    from .models import FeedbackStatus, Person, RegistryFeedback

    person = Person.objects.visible_to(actor).filter(pk=getattr(actor, "person_id", None)).first()
    if person is None or not capabilities.is_social_worker(actor):
        raise PermissionDenied(_("Only a social worker with a registry record can send feedback."))
    if level not in CertificateLevel.values:
        raise ValidationError({"level": _("Choose a certificate level.")})
    management_no = validate_management_no(management_no)
    year = int(exam_year)
    if not (FIRST_EXAM_YEAR <= year <= timezone.localdate().year):
        raise ValidationError(
            {"exam_year": _("The exam year must lie between %(first)d and this year.") % {"first": FIRST_EXAM_YEAR}}
        )
    if RegistryFeedback.objects.filter(person=person, management_no=management_no, status=FeedbackStatus.OPEN):
        raise ValidationError({"management_no": _("Your feedback about this certificate is already waiting.")})
    feedback = RegistryFeedback.objects.create(
        person=person,
        user=actor,
        level=level,
        management_no=management_no,
        exam_year=year,
        message=(message or "").strip()[:2000],
    )
    record(
        actor,
        actions.FEEDBACK,
        feedback,
        changes={"level": level, "management_no": management_no, "exam_year": year},
        region_code=person.region_id,
    )
    return feedback


@transaction.atomic
def decide_feedback(feedback, *, actor, accept, reason="", issued_on=None):
    """Resolve a holder's feedback: add the certificate to the registry (accept) or reject with a reason."""
    from shegong.core.workflow import notify

    from .models import FeedbackStatus, RegistryFeedback

    locked = RegistryFeedback.objects.editable_by(actor).select_for_update().filter(pk=feedback.pk).first()
    if locked is None:
        raise PermissionDenied(_("You cannot decide on this feedback."))
    if locked.status != FeedbackStatus.OPEN:
        raise ValidationError(_("This feedback has already been decided."), code="already_decided")
    reason = (reason or "").strip()
    if accept:
        certificate = add_certificate(
            locked.person,
            actor=actor,
            level=locked.level,
            management_no=locked.management_no,
            exam_year=locked.exam_year,
            issued_on=issued_on,
        )
        locked.certificate, locked.status = certificate, FeedbackStatus.RESOLVED
        text = _("Your certificate %(number)s was added to the registry; you can now apply for registration.") % {
            "number": locked.management_no
        }
    else:
        if not reason:
            raise ValidationError({"reason": _("Give the reason for the rejection.")}, code="reason_required")
        locked.status = FeedbackStatus.REJECTED
        text = _("Your feedback about certificate %(number)s was rejected: %(reason)s") % {
            "number": locked.management_no,
            "reason": reason,
        }
    locked.reason, locked.decided_by, locked.decided_at = reason, actor, timezone.now()
    locked.save()
    record(
        actor,
        actions.FEEDBACK_DECIDE,
        locked,
        changes={"status": locked.status, "reason": reason},
        region_code=locked.person.region_id,
    )
    notify(locked.user, text)
    return locked

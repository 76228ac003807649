"""Activity verbs: a provider's activities, social workers' enrolment, and attendance (which credits hours).

Attendance reaches the ledger three ways, all through ``record_attendance``: the provider ticks
attendees on screen, an attendee types the sign-in code the provider shows during the activity, or
the provider imports a list (``attendance_table``, through the import engine). Each attended enrolment becomes exactly one
ledger row; a second attempt is refused.
"""

import hmac
import secrets
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.audit import record
from shegong.core.roles import Role
from shegong.education import actions
from shegong.education import rules as R
from shegong.education.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AttendanceMethod,
    Enrolment,
    EnrolmentStatus,
    ProviderStatus,
    Source,
    StudyRecord,
)
from shegong.education.services.ledger import credit
from shegong.education.services.providers import provider_of
from shegong.workers.models import Person

ACTIVITY_FIELDS = ("title", "kind", "description", "starts_at", "ends_at", "place", "link", "hours", "capacity")
SIGN_IN_CODE_LENGTH = 6
# Wrong sign-in codes allowed per person and activity within SIGN_IN_LOCK_SECONDS.
SIGN_IN_MAX_FAILURES = 5
SIGN_IN_LOCK_SECONDS = 15 * 60


def new_code():
    return "".join(secrets.choice("0123456789") for _ in range(SIGN_IN_CODE_LENGTH))


# --- the provider's activities ------------------------------------------------------------------------
def _require_provider(actor, *, published=False):
    provider = provider_of(actor)
    if provider is None or getattr(actor, "role", None) != Role.PROVIDER:
        raise PermissionDenied(_("Only a continuing-education provider's account can do this."))
    if provider.status == ProviderStatus.REVOKED:
        raise PermissionDenied(_("Your provider's filing is revoked."))
    if published and provider.status != ProviderStatus.PUBLISHED:
        raise PermissionDenied(
            _("Your provider is filed but not yet published by the province: hours cannot be recorded yet.")
        )
    return provider


def _own_activity(actor, activity, *, published=False):
    provider = _require_provider(actor, published=published)
    locked = Activity.objects.select_for_update().filter(pk=activity.pk, provider=provider).first()
    if locked is None:
        raise PermissionDenied(_("This activity belongs to another provider."))
    return locked


def _clean_activity(data):
    errors = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = [_("Enter the title.")]
    kind = data.get("kind") or ActivityKind.COURSE
    if kind not in ActivityKind.values:
        errors["kind"] = [_("Choose a kind of activity.")]
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if starts_at is None:
        errors["starts_at"] = [_("Enter when it starts.")]
    if ends_at is None:
        errors["ends_at"] = [_("Enter when it ends.")]
    if starts_at and ends_at and ends_at < starts_at:
        errors["ends_at"] = [_("The end lies before the start.")]
    try:
        hours = R.hours(data.get("hours"))
    except InvalidOperation:
        hours = Decimal(-1)
    if hours <= 0 or hours > R.MAX_HOURS_PER_ITEM:
        errors["hours"] = [_("Hours must lie between 0.1 and %(max)s.") % {"max": R.MAX_HOURS_PER_ITEM}]
    capacity = data.get("capacity")
    if capacity in ("", None):
        capacity = None
    elif int(capacity) < 1:
        errors["capacity"] = [_("The capacity is at least 1 (leave it empty for no limit).")]
    place, link = (data.get("place") or "").strip(), (data.get("link") or "").strip()
    if kind == ActivityKind.ONLINE and not link:
        errors["link"] = [_("Give the link of the online course.")]
    if kind != ActivityKind.ONLINE and not place and not link:
        errors["place"] = [_("Give the place (or a link for a live stream).")]
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "kind": kind,
        "description": (data.get("description") or "").strip(),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place,
        "link": link,
        "hours": hours,
        "capacity": int(capacity) if capacity is not None else None,
    }


@transaction.atomic
def create_activity(*, actor, **fields):
    provider = _require_provider(actor)
    data = _clean_activity(fields)
    activity = Activity.objects.create(provider=provider, created_by=actor, sign_in_code=new_code(), **data)
    record(actor, actions.ACTIVITY_CREATE, activity, changes=_loggable(data), region_code=provider.province_id)
    return activity


@transaction.atomic
def update_activity(activity, *, actor, **fields):
    activity = _own_activity(actor, activity)
    data = _clean_activity({**{name: getattr(activity, name) for name in ACTIVITY_FIELDS}, **fields})
    if data["capacity"] is not None and data["capacity"] < activity.enrolments.active().count():
        raise ValidationError({"capacity": [_("More social workers are already enrolled than this capacity.")]})
    changes = {}
    for name, value in data.items():
        if getattr(activity, name) != value:
            changes[name] = [_loggable_value(getattr(activity, name)), _loggable_value(value)]
            setattr(activity, name, value)
    if changes:
        activity.save()
        record(actor, actions.ACTIVITY_EDIT, activity, changes=changes, region_code=activity.provider.province_id)
    return activity


@transaction.atomic
def set_activity_status(activity, status, *, actor):
    """Close enrolment, reopen it, or cancel the activity."""
    activity = _own_activity(actor, activity)
    if status not in ActivityStatus.values:
        raise ValidationError(_("Unknown status."))
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("A cancelled activity cannot be changed."))
    if status == ActivityStatus.CANCELLED and activity.enrolments.filter(status=EnrolmentStatus.ATTENDED).exists():
        raise ValidationError(_("Attendance is already recorded: the activity cannot be cancelled."))
    old = activity.status
    activity.status = status
    activity.save(update_fields=["status", "updated_at"])
    record(
        actor,
        actions.ACTIVITY_STATUS,
        activity,
        changes={"status": [old, status]},
        region_code=activity.provider.province_id,
    )
    return activity


@transaction.atomic
def renew_sign_in_code(activity, *, actor):
    activity = _own_activity(actor, activity)
    activity.sign_in_code = new_code()
    activity.save(update_fields=["sign_in_code", "updated_at"])
    record(actor, actions.ACTIVITY_CODE, activity, region_code=activity.provider.province_id)
    return activity


def _loggable_value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _loggable(data):
    return {key: _loggable_value(value) for key, value in data.items()}


# --- enrolment ---------------------------------------------------------------------------------------
def _worker_person(user):
    if getattr(user, "role", None) != Role.WORKER or getattr(user, "person_id", None) is None:
        raise PermissionDenied(_("Only a social worker with a registry record can do this."))
    return Person.objects.get(pk=user.person_id)


@transaction.atomic
def enrol(activity, *, actor):
    """The signed-in social worker takes a place in ``activity`` (capacity enforced, once per person)."""
    person = _worker_person(actor)
    activity = Activity.objects.select_for_update().select_related("provider").get(pk=activity.pk)
    if activity.provider.status != ProviderStatus.PUBLISHED:
        raise ValidationError(_("This provider is not published: its activities are not open for enrolment."))
    if activity.status != ActivityStatus.OPEN:
        raise ValidationError(
            _("Enrolment for this activity is not open (%(status)s).") % {"status": activity.get_status_display()}
        )
    if activity.ends_at < timezone.now():
        raise ValidationError(_("This activity is over."))
    existing = Enrolment.objects.filter(activity=activity, person=person).first()
    if existing is not None and existing.status != EnrolmentStatus.CANCELLED:
        raise ValidationError(_("You are already enrolled in this activity."), code="already_enrolled")
    if activity.capacity is not None and activity.enrolments.active().count() >= activity.capacity:
        raise ValidationError(_("This activity is full."), code="full")
    if existing is not None:
        existing.status = EnrolmentStatus.ENROLLED
        existing.enrolled_at = timezone.now()
        existing.save(update_fields=["status", "enrolled_at"])
        enrolment = existing
    else:
        try:
            with transaction.atomic():
                enrolment = Enrolment.objects.create(activity=activity, person=person)
        except IntegrityError as exc:
            raise ValidationError(_("You are already enrolled in this activity."), code="already_enrolled") from exc
    record(actor, actions.ENROL, enrolment, changes={"activity": activity.pk}, region_code=person.region_id)
    return enrolment


@transaction.atomic
def cancel_enrolment(enrolment, *, actor):
    person = _worker_person(actor)
    enrolment = Enrolment.objects.select_for_update().filter(pk=enrolment.pk, person=person).first()
    if enrolment is None:
        raise PermissionDenied(_("This is not your enrolment."))
    if enrolment.status == EnrolmentStatus.ATTENDED:
        raise ValidationError(_("Your attendance is already recorded; the enrolment cannot be cancelled."))
    if enrolment.status == EnrolmentStatus.CANCELLED:
        return enrolment
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.save(update_fields=["status"])
    record(
        actor,
        actions.ENROL_CANCEL,
        enrolment,
        changes={"activity": enrolment.activity_id},
        region_code=person.region_id,
    )
    return enrolment


# --- attendance --------------------------------------------------------------------------------------
def _check_hours(activity, value):
    try:
        value = R.hours(value)
    except InvalidOperation as exc:
        raise ValidationError(_("Enter the hours as a number.")) from exc
    if value <= 0 or value > activity.hours:
        raise ValidationError(
            _("Hours attended must lie between 0.1 and the %(hours)s hours the activity offers.")
            % {"hours": R.format_hours(activity.hours)}
        )
    return value


def _attend(actor, activity, enrolment, hours, method):
    """Mark an enrolment attended and credit the hours (the caller holds the activity lock)."""
    if (
        enrolment.status == EnrolmentStatus.ATTENDED
        or StudyRecord.objects.filter(person_id=enrolment.person_id, activity=activity).exists()
    ):
        raise ValidationError(
            _("Attendance of %(name)s is already recorded.") % {"name": enrolment.person.name}, code="duplicate"
        )
    enrolment.status = EnrolmentStatus.ATTENDED
    enrolment.hours = hours
    enrolment.attended_at = timezone.now()
    enrolment.method = method
    enrolment.save(update_fields=["status", "hours", "attended_at", "method"])
    return credit(
        enrolment.person,
        form=activity.form,
        source=Source.IMPORT if method == AttendanceMethod.IMPORT else Source.ATTENDANCE,
        source_ref=f"activity:{activity.pk}",
        hours_claimed=hours,
        occurred_on=timezone.localdate(activity.ends_at),
        title=activity.title,
        provider=activity.provider,
        activity=activity,
        actor=actor,
    )


def _recordable(activity):
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("The activity is cancelled."))
    if activity.starts_at > timezone.now():
        raise ValidationError(_("The activity has not started yet: attendance can be recorded once it starts."))


@transaction.atomic
def record_attendance(activity, entries, *, actor, method=AttendanceMethod.SCREEN):
    """The provider records attendance: ``entries`` is [(enrolment, hours)] of this activity.
    All or nothing: a single refused entry refuses the whole batch. Returns the ledger rows."""
    activity = _own_activity(actor, activity, published=True)
    _recordable(activity)
    rows = []
    for enrolment, hours in entries:
        if enrolment.activity_id != activity.pk:
            raise PermissionDenied(_("This enrolment belongs to another activity."))
        enrolment = Enrolment.objects.select_for_update().select_related("person").get(pk=enrolment.pk)
        if enrolment.status == EnrolmentStatus.CANCELLED:
            raise ValidationError(_("%(name)s cancelled the enrolment.") % {"name": enrolment.person.name})
        rows.append(_attend(actor, activity, enrolment, _check_hours(activity, hours), method))
    return rows


def _sign_in_key(user, activity):
    return f"education:sign-in-failures:{user.pk}:{activity.pk}"


def sign_in_with_code(activity, code, *, actor):
    """An enrolled social worker signs in during the activity with the code the provider shows.

    A wrong code is counted (at most SIGN_IN_MAX_FAILURES per person and activity in 15 minutes) and
    audited; the right one credits the activity's full hours."""
    person = _worker_person(actor)
    activity = Activity.objects.select_related("provider").get(pk=activity.pk)
    key = _sign_in_key(actor, activity)
    if cache.get(key, 0) >= SIGN_IN_MAX_FAILURES:
        raise ValidationError(_("Too many wrong codes. Try again in 15 minutes, or ask the provider to record you."))
    _check_sign_in(person, activity)
    given = "".join(str(code or "").split())
    if not activity.sign_in_code or not hmac.compare_digest(given.encode(), activity.sign_in_code.encode()):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, SIGN_IN_LOCK_SECONDS)
        record(actor, actions.SIGN_IN_REFUSED, activity, changes={"person": person.pk}, region_code=person.region_id)
        raise ValidationError(_("The sign-in code is wrong."), code="wrong_code")
    with transaction.atomic():
        activity = Activity.objects.select_for_update().select_related("provider").get(pk=activity.pk)
        enrolment = _check_sign_in(person, activity, lock=True)
        row = _attend(actor, activity, enrolment, activity.hours, AttendanceMethod.CODE)
    cache.delete(key)
    return row


def _check_sign_in(person, activity, lock=False):
    enrolments = Enrolment.objects.select_for_update() if lock else Enrolment.objects.all()
    enrolment = enrolments.filter(activity=activity, person=person).select_related("person").first()
    if enrolment is None or enrolment.status == EnrolmentStatus.CANCELLED:
        raise ValidationError(_("You are not enrolled in this activity."), code="not_enrolled")
    if enrolment.status == EnrolmentStatus.ATTENDED:
        raise ValidationError(_("Your attendance is already recorded."), code="duplicate")
    if activity.provider.status != ProviderStatus.PUBLISHED or activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("Attendance cannot be recorded for this activity."))
    if not activity.in_window():
        raise ValidationError(
            _("Sign-in is open only during the activity (%(start)s to %(end)s).")
            % {
                "start": timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M"),
                "end": timezone.localtime(activity.ends_at).strftime("%Y-%m-%d %H:%M"),
            },
            code="outside_window",
        )
    return enrolment


def record_imported_attendance(activity, person_hours, *, actor):
    """Attendance from a committed import: [(person, hours)]; enrols whoever is not enrolled yet
    (the sheet records who was there, so capacity does not apply). Skips persons already recorded.
    Returns (ledger rows, skipped names). The caller holds the transaction and the activity lock."""
    rows, skipped = [], []
    for person, hours in person_hours:
        enrolment, _created = Enrolment.objects.select_for_update().get_or_create(activity=activity, person=person)
        enrolment.person = person
        if (
            enrolment.status == EnrolmentStatus.ATTENDED
            or StudyRecord.objects.filter(person=person, activity=activity).exists()
        ):
            skipped.append(person.name)
            continue
        rows.append(_attend(actor, activity, enrolment, _check_hours(activity, hours), AttendanceMethod.IMPORT))
    return rows, skipped

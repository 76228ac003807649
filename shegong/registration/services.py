"""The registration verbs: apply, edit, resubmit; what final approval does; revoke; the e-certificate; lapse and reminders.

Applications go through THE review engine (core.workflow); the flows are declared in flows.py and
call ``checked_snapshot`` on every (re)submission (eligibility) and ``on_approved`` on final
approval. The person's and certificate's stored registration state (workers.status) is written
only by ``sync_status`` here and by the equivalent bulk update in ``mark_lapsed``.
"""

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import workflow as wf
from shegong.core.audit import record
from shegong.core.roles import Role
from shegong.regions.models import Region
from shegong.registration import actions
from shegong.registration.queries import (
    current_for_certificate,
    in_force_registration,
    latest_registration,
    may_download,
    province_of,
    region_for_place,
    snapshot_data,
)
from shegong.workers import queries as worker_queries
from shegong.workers import services as worker_services
from shegong.workers.models import Certificate, Person
from shegong.workers.status import RegistrationState, add_years

from . import conf, eligibility
from .models import (
    Registration,
    RegistrationKind,
    RegistrationReminder,
    RegistrationRequest,
    RequestPlace,
    RowStatus,
)

logger = logging.getLogger(__name__)

FLOW_KEYS = {
    RegistrationKind.FIRST: "registration.first",
    RegistrationKind.RENEWAL: "registration.renewal",
    RegistrationKind.CHANGE: "registration.change",
    RegistrationKind.CANCELLATION: "registration.cancellation",
}
KIND_OF_FLOW = {flow: kind for kind, flow in FLOW_KEYS.items()}
# Fields a change registration may change (the rest of the personal table is the worker's own to edit).
CHANGE_FIELDS = ("name", "employer_type", "employer_organization", "employer_name")
ROW_STATE = {
    RowStatus.REGISTERED: RegistrationState.REGISTERED,
    RowStatus.LAPSED: RegistrationState.LAPSED,
    RowStatus.CANCELLED: RegistrationState.CANCELLED,
    RowStatus.REVOKED: RegistrationState.REVOKED,
}


class IneligibleError(ValidationError):
    """The application cannot be submitted; ``messages`` says why (each a sentence for the applicant)."""


# --- status ----------------------------------------------------------------------------------------------


def sync_status(person):
    """Recompute the person's and their certificates' stored registration state from the registration rows.

    A certificate takes the state of its latest registration event; the person takes the state of
    the certificate whose latest event is the most recent. Nothing else writes these columns (except
    the equivalent bulk update of ``mark_lapsed``).
    """
    latest = {}
    for row in (
        Registration.objects.filter(person_id=person.pk)
        .order_by("certificate_id", "-id")
        .values("id", "certificate_id", "status", "valid_to")
    ):
        latest.setdefault(row["certificate_id"], row)
    now = timezone.now()
    for certificate_id in Certificate.objects.filter(person_id=person.pk).values_list("pk", flat=True):
        row = latest.get(certificate_id)
        state = ROW_STATE.get(row["status"], RegistrationState.NONE) if row else RegistrationState.NONE
        valid_to = row["valid_to"] if row else None
        Certificate.objects.filter(pk=certificate_id).exclude(
            registration_state=state, registration_valid_to=valid_to
        ).update(registration_state=state, registration_valid_to=valid_to, updated_at=now)
    newest = max(latest.values(), key=lambda row: row["id"], default=None)
    state = ROW_STATE.get(newest["status"], RegistrationState.NONE) if newest else RegistrationState.NONE
    valid_to = newest["valid_to"] if newest else None
    Person.objects.filter(pk=person.pk).update(registration_state=state, registration_valid_to=valid_to, updated_at=now)
    person.registration_state, person.registration_valid_to = state, valid_to
    return state


@transaction.atomic
def import_registration(
    certificate, *, kind, valid_from, valid_to, region, status=RowStatus.REGISTERED, number=None, actor=None
):
    """Record a registration that was decided outside this system (migration of a provincial system, demo data).

    The number is issued by the configured scheme unless given; the status is synchronised as for
    any registration event. Later events of the same certificate supersede the row in force.
    """
    if isinstance(region, str):
        region = Region.objects.get(code=region)
    previous = latest_registration(certificate)
    registration = Registration(
        person=certificate.person,
        certificate=certificate,
        kind=kind,
        valid_from=valid_from,
        valid_to=valid_to,
        region=region,
        authority_region=province_of(region),
        status=status,
        previous=previous,
    )
    registration.number = number or conf.number_scheme()(registration)
    registration.save()
    if previous is not None and previous.status == RowStatus.REGISTERED:
        previous.status = RowStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    sync_status(certificate.person)
    record(
        actor,
        actions.IMPORT,
        registration,
        changes={"number": registration.number, "kind": kind, "valid_to": f"{valid_to:%Y-%m-%d}", "status": status},
    )
    return registration


# --- applying --------------------------------------------------------------------------------------------


def clean_changes(person, changes):
    """The requested changes that differ from the record, validated like the personal table (employer rule)."""
    changes = {key: value for key, value in (changes or {}).items() if key in CHANGE_FIELDS}
    values = {}
    if "name" in changes:
        name = worker_queries.normalise_name(changes["name"])
        if name and name != person.name:
            values["name"] = name
    employer = {
        key: changes[key] for key in ("employer_type", "employer_organization", "employer_name") if key in changes
    }
    if employer:
        worker_services.clean_employer(employer, person)
        organization = employer["employer_organization"]
        proposed = {
            "employer_type": employer["employer_type"],
            "employer_organization": organization.pk if organization else None,
            "employer_name": employer["employer_name"],
        }
        current = {
            "employer_type": person.employer_type,
            "employer_organization": person.employer_organization_id,
            "employer_name": person.employer_name,
        }
        if proposed != current:
            values.update(proposed)
    return values


def _own_person(user):
    person = Person.objects.visible_to(user).filter(pk=getattr(user, "person_id", None)).first()
    if person is None or getattr(user, "role", None) != worker_services.WORKER_ROLE:
        raise PermissionDenied(_("Only a social worker with a registry record can apply for registration."))
    return person


def build_request(*, actor, kind, certificate, place=RequestPlace.WORK, declared=False, changes=None, reason=""):
    """An unsaved request (for showing the eligibility checks, and for ``apply``)."""
    person = _own_person(actor)
    if kind not in FLOW_KEYS:
        raise ValidationError({"kind": _("Unknown kind of registration.")})
    if certificate is None or certificate.person_id != person.pk:
        raise PermissionDenied(_("You can apply only for your own certificates."))
    certificate = Certificate.objects.get(pk=certificate.pk)  # its stored state as of now
    if place not in RequestPlace.values:
        raise ValidationError({"place": _("Choose where to file the application.")})
    request = RegistrationRequest(
        kind=kind,
        person=person,
        certificate=certificate,
        applicant=actor,
        place=place,
        region=region_for_place(person, place),
        declared_at=timezone.now() if declared else None,
        reason=(reason or "").strip(),
    )
    if kind != RegistrationKind.FIRST:
        request.previous = in_force_registration(certificate)
    if kind == RegistrationKind.CHANGE:
        request.changes = clean_changes(person, changes)
    return request


@transaction.atomic
def apply(*, actor, **fields):
    """The holder applies: the request is created and submitted at once (accepted; the deadline starts).

    Raises IneligibleError (nothing is created) when a check fails; see eligibility.py.
    """
    request = build_request(**fields, actor=actor)
    problems = eligibility.problems(request)
    if problems:
        raise IneligibleError(problems, code="ineligible")
    request.save()
    title = _("%(kind)s · %(name)s · %(level)s") % {
        "kind": request.get_kind_display(),
        "name": request.person.name,
        "level": request.certificate.get_level_display(),
    }
    application = wf.create_application(FLOW_KEYS[request.kind], actor, request.region, subject=request, title=title)
    request.application = application
    request.save(update_fields=["application", "updated_at"])
    record(
        actor,
        actions.APPLY,
        request,
        changes={"kind": request.kind, "certificate": request.certificate.management_no, "region": request.region_id},
        region_code=request.region_id,
    )
    wf.submit(application, actor=actor)
    return request


def _editable(user, request):
    application = request.application
    if application is None or application.applicant_id != getattr(user, "pk", None):
        raise PermissionDenied(_("Only the applicant can change this application."))
    flow = wf.flow_for(application)
    if not flow.applicant_may_edit(application):
        raise wf.WrongState(
            _("The application is locked: it passed initial review. It reopens if it is returned to you.")
        )
    return application


@transaction.atomic
def update_request(request, *, actor, place=None, declared=None, changes=None, reason=None):
    """The applicant changes their application while it may still be changed (before initial review passes, or when returned)."""
    request = RegistrationRequest.objects.select_for_update().get(pk=request.pk)
    application = _editable(actor, request)
    before = {"place": request.place, "changes": request.changes, "reason": request.reason}
    region = None
    if place is not None and place != request.place:
        if application.state != wf.State.RETURNED:
            raise wf.WrongState(_("Where the application is filed can be changed only when it is returned to you."))
        request.place = place
        request.region = region = region_for_place(request.person, place)
    if declared is not None:
        request.declared_at = timezone.now() if declared else None
    if changes is not None and request.kind == RegistrationKind.CHANGE:
        request.changes = clean_changes(request.person, changes)
    if reason is not None and request.kind == RegistrationKind.CANCELLATION:
        request.reason = reason.strip()
    request.save()
    after = {"place": request.place, "changes": request.changes, "reason": request.reason}
    diff = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if diff:
        record(actor, actions.EDIT, request, changes=diff, region_code=request.region_id)
    wf.update_application(application, actor=actor, data=snapshot_data(request), region=region)
    return request


@transaction.atomic
def resubmit(request, opinion="", *, actor):
    """Send a returned application again (eligibility is checked again by the flow's snapshot hook)."""
    request = RegistrationRequest.objects.select_related("application").get(pk=request.pk)
    return wf.resubmit(request.application, opinion, actor=actor)


# --- what the decisions do -------------------------------------------------------------------------------


def _approver(application):
    decision = application.decisions.order_by("-at", "-id").first()
    return decision.actor if decision is not None else None


def notify_holder(person, text, link="", send=False):
    account = person.account if person.account_id else None
    wf.notify(account, text, link)
    if send:
        sender = conf.reminder_sender()
        transaction.on_commit(lambda: sender(person, str(text)))


def _validity(kind, previous, today):
    if kind == RegistrationKind.RENEWAL and conf.renewal_start() == "previous_expiry":
        start = previous.valid_to + timedelta(days=1)
    else:
        start = today
    return start, add_years(start, conf.validity_years()) - timedelta(days=1)


def on_approved(application):
    """Final approval: the registration event is recorded, a number issued where due, the status updated."""
    request = (
        RegistrationRequest.objects.select_for_update()
        .select_related("person", "certificate")
        .get(application=application)
    )
    person, certificate = request.person, request.certificate
    approver = _approver(application)
    today = timezone.localdate()
    previous = None
    if request.kind != RegistrationKind.FIRST:
        previous = Registration.objects.select_for_update().get(pk=request.previous_id)
        allowed = (
            {RowStatus.REGISTERED, RowStatus.LAPSED}
            if request.kind == RegistrationKind.RENEWAL
            else {RowStatus.REGISTERED}
        )
        if previous.status not in allowed or latest_registration(certificate).pk != previous.pk:
            raise wf.WrongState(
                _("The registration concerned is no longer in force; the application cannot be approved.")
            )
    registration = Registration(
        person=person,
        certificate=certificate,
        kind=request.kind,
        region=request.region,
        authority_region=province_of(request.region),
        application=application,
        previous=previous,
        decided_by=approver,
        reason=request.reason,
    )
    if request.kind in {RegistrationKind.FIRST, RegistrationKind.RENEWAL}:
        registration.valid_from, registration.valid_to = _validity(request.kind, previous, today)
        registration.number = conf.number_scheme()(registration)
    else:
        registration.number, registration.valid_from, registration.valid_to = (
            previous.number,
            previous.valid_from,
            previous.valid_to,
        )
    if request.kind == RegistrationKind.CANCELLATION:
        registration.status = RowStatus.CANCELLED
    if request.kind == RegistrationKind.CHANGE and request.changes:
        values = dict(request.changes)
        if "employer_organization" in values:
            values["employer_organization"] = values["employer_organization"] or None
        worker_services.update_person(
            person, **values, actor=None, action=actions.PERSON_CHANGE, reason=f"application {application.pk}"
        )
    registration.save()
    if previous is not None:
        previous.status = RowStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    request.registration = registration
    request.save(update_fields=["registration", "updated_at"])
    sync_status(person)
    record(
        approver,
        actions.APPROVED[request.kind],
        registration,
        changes={
            "number": registration.number,
            "valid_from": f"{registration.valid_from:%Y-%m-%d}",
            "valid_to": f"{registration.valid_to:%Y-%m-%d}",
            "application": str(application.pk),
        },
        region_code=registration.region_id,
    )
    if request.kind == RegistrationKind.CANCELLATION:
        text = _("Your registration %(number)s is cancelled.") % {"number": registration.number}
    else:
        text = _(
            "Your registration is complete: number %(number)s, valid from %(start)s to %(end)s. "
            "Download the electronic registration certificate under “My registration”."
        ) % {
            "number": registration.number,
            "start": f"{registration.valid_from:%Y-%m-%d}",
            "end": f"{registration.valid_to:%Y-%m-%d}",
        }
    notify_holder(person, text, reverse("registration:mine"), send=True)
    return registration


@transaction.atomic
def revoke(registration, reason, *, actor):
    """撤销: the authority revokes a registration in force (e.g. obtained with false information); the reason is mandatory."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the revocation.")}, code="reason_required")
    region = getattr(actor, "region", None)
    if getattr(actor, "role", None) != Role.ADMIN or region is None or region.level > conf.revoke_level():
        raise PermissionDenied(_("Registrations are revoked by the provincial civil affairs department."))
    if not Registration.objects.editable_by(actor).filter(pk=registration.pk).exists():
        raise PermissionDenied(_("This registration is outside your area of responsibility."))
    row = Registration.objects.select_for_update().get(pk=registration.pk)
    if row.status != RowStatus.REGISTERED:
        raise ValidationError(_("Only a registration in force can be revoked."), code="not_in_force")
    revocation = Registration.objects.create(
        person_id=row.person_id,
        certificate_id=row.certificate_id,
        kind=RegistrationKind.REVOCATION,
        number=row.number,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        region_id=row.region_id,
        authority_region_id=row.authority_region_id,
        status=RowStatus.REVOKED,
        previous=row,
        reason=reason,
        decided_by=actor,
    )
    row.status = RowStatus.SUPERSEDED
    row.save(update_fields=["status"])
    person = Person.objects.get(pk=row.person_id)
    sync_status(person)
    record(actor, actions.REVOKE, revocation, changes={"number": row.number, "reason": reason})
    notify_holder(
        person,
        _("Your registration %(number)s was revoked: %(reason)s") % {"number": row.number, "reason": reason},
        reverse("registration:mine"),
        send=True,
    )
    return revocation


# --- the electronic registration certificate -------------------------------------------------------------


@transaction.atomic
def certificate_pdf(registration, check_url, *, actor):
    """The PDF of the e-certificate for ``registration``; every download is audited."""
    from .certificate import render_certificate

    how = may_download(actor, registration)
    if how is None:
        raise PermissionDenied(_("You cannot download this certificate."))
    if not current_for_certificate(registration):
        raise ValidationError(
            _("An electronic certificate is issued only for a registration in force."), code="not_in_force"
        )
    content = render_certificate(registration, check_url)
    if registration.certificate_issued_at is None:
        registration.certificate_issued_at = timezone.now()
        Registration.objects.filter(pk=registration.pk, certificate_issued_at__isnull=True).update(
            certificate_issued_at=registration.certificate_issued_at
        )
    record(
        actor,
        actions.CERTIFICATE_DOWNLOAD if how == "own" else actions.CERTIFICATE_REPRINT,
        registration,
        changes={"number": registration.number},
    )
    return content


# --- the daily task: lapse and reminders -----------------------------------------------------------------


@transaction.atomic
def mark_lapsed(today=None):
    """Registrations whose validity ended before ``today`` lapse (the day after expiry). Returns how many."""
    today = today or timezone.localdate()
    expired = Registration.objects.filter(status=RowStatus.REGISTERED, valid_to__lt=today)
    people = list(expired.values_list("person_id", "number"))
    if not people:
        return 0
    count = expired.update(status=RowStatus.LAPSED)
    # The same result as sync_status for every affected person, in three statements: a certificate or
    # person in state "registered" whose validity ended has that lapsed row as its latest event.
    now = timezone.now()
    Certificate.objects.filter(registration_state=RegistrationState.REGISTERED, registration_valid_to__lt=today).update(
        registration_state=RegistrationState.LAPSED, updated_at=now
    )
    Person.objects.filter(registration_state=RegistrationState.REGISTERED, registration_valid_to__lt=today).update(
        registration_state=RegistrationState.LAPSED, updated_at=now
    )
    accounts = dict(Person.objects.filter(pk__in=[p for p, _n in people]).values_list("pk", "account_id"))
    link = reverse("registration:mine")
    from shegong.core.models import Notification

    notices = [
        Notification(
            user_id=accounts[person_id],
            text=str(
                _("Your registration %(number)s has lapsed: it was not renewed before it expired.") % {"number": number}
            )[:500],
            link=link,
        )
        for person_id, number in people
        if accounts.get(person_id)
    ]
    transaction.on_commit(lambda: Notification.objects.bulk_create(notices, batch_size=1000))
    record(None, actions.LAPSE, None, changes={"count": count, "date": f"{today:%Y-%m-%d}"}, region_code="")
    return count


def send_reminders(today=None):
    """Remind holders 90 and 30 days (REGISTRATION_REMINDER_DAYS) before expiry, exactly once per threshold.

    A registration gets the reminder of the tightest threshold it has reached; one missed while the
    task did not run is not sent late once a tighter one applies. Returns how many were sent.
    """
    today = today or timezone.localdate()
    thresholds = conf.reminder_days()
    if not thresholds:
        return 0
    renewing = RegistrationRequest.objects.filter(
        kind=RegistrationKind.RENEWAL, application__state__in=eligibility.OPEN_STATES
    ).values("previous_id")
    rows = (
        Registration.objects.filter(
            status=RowStatus.REGISTERED, valid_to__gte=today, valid_to__lte=today + timedelta(days=thresholds[0])
        )
        .exclude(pk__in=renewing)
        .select_related("person", "certificate")
        .order_by("pk")
    )
    sent = 0
    link = reverse("registration:mine")
    for row in rows.iterator(chunk_size=1000):
        days_left = (row.valid_to - today).days
        threshold = min(t for t in thresholds if days_left <= t)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    RegistrationReminder.objects.create(registration=row, days_before=threshold)
            except IntegrityError:
                continue
            text = _(
                "Your registration %(number)s (%(level)s) expires on %(date)s, in %(days)s days. "
                "Apply for re-registration before then."
            ) % {
                "number": row.number,
                "level": row.certificate.get_level_display(),
                "date": f"{row.valid_to:%Y-%m-%d}",
                "days": days_left,
            }
            notify_holder(row.person, text, link, send=True)
            sent += 1
    return sent


def daily(today=None):
    """The daily task's work: lapse first (so a lapsed registration is not reminded), then reminders."""
    return {"lapsed": mark_lapsed(today), "reminded": send_reminders(today)}


# --- hooks into the workers pages ------------------------------------------------------------------------


def refresh_pending_snapshots(person, actor, changes):
    """When the applicant changes their information before initial review passes, the reviewers see the new data."""
    if actor is None:
        return
    for request in RegistrationRequest.objects.filter(
        person_id=person.pk, application__state__in=[wf.State.PENDING, wf.State.RETURNED], applicant=actor
    ).select_related("application", "person", "certificate", "previous", "region"):
        if wf.flow_for(request.application).applicant_may_edit(request.application):
            request.person = person
            wf.update_application(request.application, actor=actor, data=snapshot_data(request))

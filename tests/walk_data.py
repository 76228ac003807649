"""Walk data: one row of every scoped model in every place (tests/cast.py names the places).

``BUILDERS`` maps each scoped model (its queryset subclasses core.scoping.ScopedQuerySet) to a
function that makes its row in one place and returns ``(row, marker)``: the marker is a unique text
the row carries in a field that pages, API answers and exported files show (its name, title, text),
or None for a model without such a text (its rows are then recognised by id in API answers and in
the before/after snapshots). ``kind`` says who may see a row (see tests.cast.Member.hidden):

* ``place``: rows of the place's county, organization or person;
* ``provider``: rows of the place's continuing-education provider (filed in the place's province);
* ``audit``: the audit log (audit administrators only);
* ``own``: rows that belong to one account only, the place's ``owner`` (an attribute of Place);
* ``account``: region-bound accounts of the place's county (account managers of the subtree);
* ``public``: reference data everyone signed in reads (only changes are checked).

A scoped model without a builder fails tests/test_scope_walk.py ("add walk data for <model>").
Builders run in the order written here; a builder may use the rows built before it (``place.row``).
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from shegong.accounts.roles import Role
from tests import factories
from tests.cast import COUNTY, HOME, NEIGHBOUR, PLACES, PROVINCE, make_cast


@dataclass
class Entry:
    label: str
    build: object
    kind: str = "place"
    owner: str | None = None  # for kind "own": the Place attribute holding the owning account
    base: bool = False  # built before the cast (the cast acts for these rows of place home)


BUILDERS = {}


def builds(label, kind="place", owner=None, base=False):
    def decorator(function):
        BUILDERS[label] = Entry(label, function, kind, owner, base)
        return function

    return decorator


def same_id(row, place):
    """Give a row made elsewhere (a service, a factory helper) the place's id; nothing refers to it yet."""
    model = type(row)
    new = place.uuid if isinstance(row.pk, uuid.UUID) else place.pk
    model._base_manager.filter(pk=row.pk).update(**{model._meta.pk.attname: new})
    return model._base_manager.get(pk=new)


def marker(ascii_only=False):
    """A unique text, in Chinese unless the field wants ASCII (numbers, file names)."""
    tag = uuid.uuid4().hex[:10]
    return f"WALK{tag.upper()}" if ascii_only else f"越界{tag}"


@dataclass
class Place:
    key: str
    n: int
    rows: dict = field(default_factory=dict)  # label -> (row, marker)
    official: object = None  # an administrator of the place's county (owner of jobs, notifications)
    org_user: object = None  # the administrator of the place's organization
    provider_user: object = None  # the account of the place's provider
    account: object = None  # the place's person's social worker account

    @property
    def pk(self):
        """Every row of the place has this id (a uuid for models keyed by uuid), so that a path with an
        id tried with the place's ids reaches the place's row of whatever model the view shows."""
        return 9_000_000 + self.n

    @property
    def uuid(self):
        return uuid.UUID(int=0x5A1C_0000_0000_4000_8000_0000_0000_0000 + self.n)

    @property
    def county(self):
        return COUNTY[self.key]

    @property
    def province(self):
        return PROVINCE[self.key]

    def row(self, label):
        return self.rows[label][0]


# --- rows the cast acts for (built first) ---------------------------------------------------------------


@builds("organizations.Organization", base=True)
def _organization(place):
    name = marker()
    kind = "association" if place.key == NEIGHBOUR else "service_organization"
    organization = factories.OrganizationFactory(
        id=place.pk,
        name=name,
        kind=kind,
        region_id=place.county,
        credit_code=factories.credit_code_for(place.n, prefix="52" + place.county),
    )
    return organization, name


@builds("accounts.User", kind="account")
def _account(place):
    name = marker()
    account = factories.official(place.county, role=Role.STAFF, username=f"walk_account_{place.key}", full_name=name)
    return same_id(account, place), name


@builds("workers.Person", base=True)
def _person(place):
    name = marker()
    person = factories.PersonFactory(
        id=place.pk, name=name, region_id=place.county, id_number=factories.id_number_for(7000 + place.n, place.county)
    )
    return person, name


@builds("workers.Certificate", base=True)
def _certificate(place):
    number = marker(ascii_only=True)
    certificate = factories.CertificateFactory(
        id=place.pk,
        person=place.row("workers.Person"),
        management_no=number,
        issued_on=timezone.localdate() - datetime.timedelta(days=400),
    )
    return certificate, number


@builds("education.Provider", kind="provider", base=True)
def _provider(place):
    name = marker()
    published = place.key == HOME  # the others are filed only, so they are not public
    provider = factories.ProviderFactory(
        id=place.pk,
        name=name,
        province_id=place.province,
        credit_code=factories.credit_code_for(50 + place.n, prefix="52" + place.county),
        status="published" if published else "filed",
        published_at=timezone.now() if published else None,
    )
    return provider, name


# --- everything else ------------------------------------------------------------------------------------


@builds("regions.Region", kind="public")
def _region(place):
    from shegong.regions.models import Region

    return Region.objects.get(code=place.county), None


@builds("organizations.Membership")
def _membership(place):
    from shegong.organizations.models import Membership

    return same_id(Membership.objects.get(user=place.org_user), place), None


@builds("organizations.Employment")
def _employment(place):
    from shegong.organizations.models import Employment

    employment = Employment.objects.create(
        id=place.pk,
        person=place.row("workers.Person"),
        organization=place.row("organizations.Organization"),
        started_on=datetime.date(2021, 3, 1),
    )
    return employment, None


@builds("workers.RegistryFeedback")
def _feedback(place):
    from shegong.workers.models import RegistryFeedback

    text = marker()
    feedback = RegistryFeedback.objects.create(
        id=place.pk,
        person=place.row("workers.Person"),
        user=place.account,
        level="intermediate",
        management_no=marker(ascii_only=True),
        exam_year=2021,
        message=text,
    )
    return feedback, text


@builds("workers.WorkerSignup")
def _signup(place):
    from shegong.core import crypto
    from shegong.workers.models import WorkerSignup

    user = factories.UserFactory(username=f"walk_signup_{place.key}", role=Role.WORKER, region_id=None)
    number = factories.id_number_for(7100 + place.n, place.county)
    name = marker()
    signup = WorkerSignup.objects.create(
        id=place.pk,
        user=user,
        name=name,
        id_blind_index=crypto.blind_index(number),
        id_encrypted=crypto.encrypt(number),
        phone="13900002222",
        claimed_region_id=place.county,
    )
    return signup, name


@builds("registration.Registration")
def _registration(place):
    from shegong.registration.models import Registration

    number = marker(ascii_only=True)
    today = timezone.localdate()
    registration = Registration.objects.create(
        id=place.pk,
        person=place.row("workers.Person"),
        certificate=place.row("workers.Certificate"),
        kind="first",
        number=number,
        valid_from=today - datetime.timedelta(days=300),
        valid_to=today + datetime.timedelta(days=800),
        region_id=place.county,
        authority_region_id=place.county,
    )
    return registration, number


@builds("registration.RegistrationRequest")
def _registration_request(place):
    from shegong.registration.models import RegistrationRequest

    text = marker()
    request = RegistrationRequest.objects.create(
        id=place.pk,
        kind="renewal",
        person=place.row("workers.Person"),
        certificate=place.row("workers.Certificate"),
        previous=place.row("registration.Registration"),
        applicant=place.account,
        region_id=place.county,
        reason=text,
    )
    from shegong.core import workflow  # a request always has its application (registration.services.apply)

    request.application = workflow.create_application(
        "registration.renewal", place.account, place.county, subject=request, title=request.person.name
    )
    request.save(update_fields=["application"])
    return request, text


@builds("core.Application")
def _application(place):
    from shegong.core import workflow

    title = marker()
    organization = place.row("organizations.Organization")
    application = workflow.create_application(
        "organizations.signup",
        place.org_user,
        place.county,
        subject=organization,
        title=title,
        organization_id=organization.pk,
    )
    return same_id(application, place), title


@builds("core.Decision")
def _decision(place):
    from shegong.core.models import Decision

    opinion = marker()
    # Created with the place's id: the decision log is insert-only (on PostgreSQL a trigger refuses UPDATE).
    (decision,) = Decision.objects.bulk_create(
        [
            Decision(
                id=place.pk,
                application=place.row("core.Application"),
                step="review",
                actor=place.official,
                actor_role=Role.ADMIN,
                actor_region=place.county,
                action="return",
                opinion=opinion,
            )
        ]
    )
    return decision, opinion


@builds("core.Notification", kind="own", owner="official")
def _notification(place):
    from shegong.core.models import Notification

    text = marker()
    return Notification.objects.create(id=place.pk, user=place.official, text=text, link="/"), text


@builds("core.TaskRun", kind="own", owner="official")
def _task_run(place):
    from shegong.core.models import TaskRun

    title = marker()
    run = TaskRun(
        id=place.uuid, kind="export", title=title, user=place.official, status=TaskRun.Status.SUCCEEDED, percent=100
    )
    file_marker = marker()
    run.result_file.save(f"walk-{place.key}.csv", ContentFile(f"name\n{file_marker}\n".encode()), save=False)
    run.result_name = f"walk-{place.key}.csv"
    run.save()
    return run, title


@builds("core.ImportJob")
def _import_job(place):
    from shegong.core.models import ImportJob

    name = marker(ascii_only=True) + ".csv"
    job = ImportJob(
        id=place.uuid,
        table="persons",
        user=place.official,
        region_id=place.county,
        original_name=name,
        file_format="csv",
    )
    job.file.save(f"walk-{place.key}.csv", ContentFile(b"name\n"), save=False)
    job.save()
    return job, name[:-4]


@builds("core.AuditEvent", kind="audit")
def _audit_event(place):
    from shegong.core.audit.actions import declare
    from shegong.core.models import AuditEvent

    text = marker()
    # Written with the place's id (the log is append-only: on PostgreSQL a trigger refuses UPDATE), with
    # the fields record() gives an event of an organization.
    organization = place.row("organizations.Organization")
    (event,) = AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                id=place.pk,
                action=declare("test.walk", "walk"),
                object_type=organization._meta.label,
                object_id=str(organization.pk),
                object_repr=text,
                region_code=place.county,
            )
        ]
    )
    return event, text


@builds("education.ProviderMembership", kind="provider")
def _provider_membership(place):
    from shegong.education.models import ProviderMembership

    return same_id(ProviderMembership.objects.get(user=place.provider_user), place), None


@builds("education.Activity", kind="provider")
def _activity(place):
    title = marker()
    return factories.ActivityFactory(id=place.pk, provider=place.row("education.Provider"), title=title), title


@builds("education.Enrolment")
def _enrolment(place):
    from shegong.education.models import Enrolment

    enrolment = Enrolment.objects.create(
        id=place.pk, activity=place.row("education.Activity"), person=place.row("workers.Person"), method="screen"
    )
    return enrolment, None


@builds("education.AttendanceImport", kind="own", owner="provider_user")
def _attendance_import(place):
    from shegong.education.models import AttendanceImport

    name = marker(ascii_only=True)
    attendance = AttendanceImport.objects.create(
        id=place.pk, activity=place.row("education.Activity"), uploaded_by=place.provider_user, filename=name + ".csv"
    )
    return attendance, name


@builds("education.StudyRecord")
def _study_record(place):
    from shegong.education.models import StudyRecord

    title = marker()
    record = StudyRecord.objects.create(
        id=place.pk,
        person=place.row("workers.Person"),
        form="training",
        source="attendance",
        title=title,
        provider=place.row("education.Provider"),
        activity=place.row("education.Activity"),
        hours_claimed=6,
        hours_credited=6,
        occurred_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    return record, title


@builds("education.Declaration")
def _declaration(place):
    from shegong.education.models import Declaration

    title = marker()
    declaration = Declaration.objects.create(
        id=place.pk,
        person=place.row("workers.Person"),
        applicant=place.account,
        form="conference",
        title=title,
        organizer="组织者",
        occurred_on=timezone.localdate() - datetime.timedelta(days=20),
        hours_claimed=3,
    )
    return declaration, title


@builds("education.Evidence")
def _evidence(place):
    from shegong.education.models import Evidence

    name = marker(ascii_only=True)
    evidence = Evidence(
        id=place.pk,
        declaration=place.row("education.Declaration"),
        name=name + ".pdf",
        content_type="application/pdf",
        size=9,
    )
    evidence.file.save(f"walk-{place.key}.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    evidence.save()
    return evidence, name


@builds("education.EducationPolicy", kind="public")
def _policy(place):
    from shegong.education.models import EducationPolicy

    policy, _created = EducationPolicy.objects.get_or_create(
        province_id=place.province,
        defaults={"required_assistant": 90, "required_intermediate": 120, "required_senior": 144},
    )
    return policy, None


@builds("education.FormRule", kind="public")
def _form_rule(place):
    from shegong.education.models import FormRule

    rule, _created = FormRule.objects.get_or_create(
        policy=place.row("education.EducationPolicy"), form="training", defaults={"id": place.pk}
    )
    return rule, None


@builds("education.StudyStanding")
def _standing(place):
    from shegong.education.models import StudyStanding

    today = timezone.localdate()
    standing, _created = StudyStanding.objects.update_or_create(
        person=place.row("workers.Person"),
        defaults={
            "region_id": place.county,
            "level": "assistant",
            "period_start": today - datetime.timedelta(days=300),
            "period_end": today + datetime.timedelta(days=800),
            "period_source": "registration",
            "required": 90,
            "credited": 6,
            "track_until": today + datetime.timedelta(days=30),
        },
    )
    return standing, None


# --- the world ------------------------------------------------------------------------------------------


class World:
    """The cast (tests.cast) and one row of every registered model in every place."""

    def __init__(self):
        self.places = {key: Place(key, n) for n, key in enumerate(PLACES, start=1)}
        entries = list(BUILDERS.values())
        for entry in (e for e in entries if e.base):
            for place in self.places.values():
                place.rows[entry.label] = entry.build(place)
        home = self.places[HOME]
        self.cast = make_cast(
            organization=home.row("organizations.Organization"),
            association=self.places[NEIGHBOUR].row("organizations.Organization"),
            person=home.row("workers.Person"),
            provider=home.row("education.Provider"),
        )
        home.official = self.cast["county_admin"]
        home.org_user = self.cast["org_admin"]
        home.provider_user = self.cast["provider"]
        home.account = self.cast["worker"]
        self.places[NEIGHBOUR].org_user = self.cast["assoc_admin"]
        for place in self.places.values():
            key = place.key
            if place.official is None:
                place.official = factories.official(place.county, username=f"walk_official_{key}")
            if place.org_user is None:
                place.org_user = factories.organization_user(
                    place.row("organizations.Organization"), username=f"walk_org_{key}"
                )
            if place.provider_user is None:
                place.provider_user = factories.provider_user(
                    place.row("education.Provider"), username=f"walk_provider_{key}"
                )
            if place.account is None:
                place.account = factories.worker_with_person(place.row("workers.Person"), username=f"walk_worker_{key}")
        for entry in (e for e in entries if not e.base):
            for place in self.places.values():
                place.rows[entry.label] = entry.build(place)

    def rows(self, label):
        return {key: place.rows[label] for key, place in self.places.items()}

    def hidden_places(self, member, entry):
        """The places whose row of ``entry`` ``member`` must not see (``public`` rows: must not change)."""
        if entry.kind == "own":
            user = self.cast[member.key]
            return {key for key, place in self.places.items() if getattr(place, entry.owner) != user}
        if entry.kind == "public":
            return set(member.hides)
        return set(member.hidden(entry.kind))

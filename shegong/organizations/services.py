"""Organization verbs: sign-up (an account request reviewed by the county), and what approval changes."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.accounts.models import User
from shegong.accounts.roles import Role
from shegong.core import workflow as wf
from shegong.core.audit import record
from shegong.organizations import actions

from .models import Membership, Organization, OrganizationKind, OrganizationStatus

SIGNUP_FLOW = "organizations.signup"


def role_for_kind(kind):
    return Role.ASSOC_ADMIN if kind == OrganizationKind.ASSOCIATION else Role.ORG_ADMIN


@transaction.atomic
def sign_up(
    *,
    credit_code,
    name,
    kind,
    region,
    contact_name,
    contact_phone,
    address="",
    username,
    password,
    credit_code_warning="",
):
    """Create the organization (awaiting approval), its administrator account and the sign-up application.

    The account can sign in at once but sees only "waiting for approval" until the county
    approves; the warning about the credit code (if any) goes to the reviewer with the application.
    Returns (organization, user, application).
    """
    organization = Organization.objects.create(
        credit_code=credit_code,
        name=name,
        kind=kind,
        region=region,
        contact_name=contact_name,
        contact_phone=contact_phone,
        address=address,
        status=OrganizationStatus.PENDING,
        credit_code_warning=credit_code_warning,
    )
    user = User(
        username=username,
        full_name=contact_name,
        phone=contact_phone,
        role=role_for_kind(kind),
        region=region,
        password_changed_at=timezone.now(),
    )
    user.set_password(password)
    user.save()
    Membership.objects.create(user=user, organization=organization, role=Membership.Role.ADMIN)
    record(
        user,
        actions.SIGNUP,
        organization,
        changes={
            "credit_code": organization.credit_code,
            "kind": kind,
            "region": region.code,
            "username": username,
            "credit_code_warning": credit_code_warning,
        },
        region_code=region.code,
    )
    application = wf.create_application(
        SIGNUP_FLOW, user, region, subject=organization, title=name, organization_id=organization.pk
    )
    wf.submit(application, actor=user)
    return organization, user, application


def _organization(application, lock=True):
    queryset = Organization.objects.select_for_update() if lock else Organization.objects.all()
    return queryset.get(pk=application.subject_id)


def _last_actor(application):
    decision = application.decisions.order_by("-at", "-id").first()
    return decision.actor if decision is not None else None


def _set_status(application, status, action):
    organization = _organization(application)
    old = organization.status
    organization.status = status
    fields = ["status", "updated_at"]
    if status == OrganizationStatus.ACTIVE:
        organization.approved_at = timezone.now()
        fields.append("approved_at")
    organization.save(update_fields=fields)
    record(
        _last_actor(application),
        action,
        organization,
        changes={"status": [old, status], "application": str(application.pk)},
        region_code=organization.region_id,
    )
    return organization


# --- hooks of the sign-up flow --------------------------------------------------------------
def on_signup_approved(application):
    _set_status(application, OrganizationStatus.ACTIVE, actions.ACTIVATE)


def on_signup_rejected(application):
    _set_status(application, OrganizationStatus.REJECTED, actions.REJECT)


def on_signup_withdrawn(application):
    _set_status(application, OrganizationStatus.WITHDRAWN, actions.WITHDRAW)


def signup_snapshot(application):
    """What the reviewer decided on, kept with the application."""
    organization = _organization(application, lock=False)
    return {
        "credit_code": organization.credit_code,
        "name": organization.name,
        "kind": organization.kind,
        "region": organization.region_id,
        "contact_name": organization.contact_name,
        "contact_phone": organization.contact_phone,
        "address": organization.address,
        "credit_code_warning": organization.credit_code_warning,
    }


@transaction.atomic
def update_pending_organization(organization, *, actor, **fields):
    """The applicant corrects a returned sign-up before resubmitting it."""
    application = signup_application(organization)
    if application is None or application.applicant_id != actor.pk:
        raise wf.NotAllowed(_("Only the applicant can do this."))
    if not wf.flow_for(application).applicant_may_edit(application):
        raise wf.WrongState(_("The sign-up can be changed only while it is returned for revision."))
    changes = {}
    for name, value in fields.items():
        old = getattr(organization, name)
        old_value = getattr(old, "pk", old)
        new_value = getattr(value, "pk", value)
        if old_value != new_value:
            changes[name] = [old_value, new_value]
            setattr(organization, name, value)
    if changes:
        organization.save()
        record(actor, actions.EDIT, organization, changes=changes, region_code=organization.region_id)
        updates = {"title": organization.name}
        if "region" in changes:
            updates["region"] = organization.region
            actor.region = organization.region
            actor.save(update_fields=["region"])
        wf.update_application(application, **updates, actor=actor)
    return organization


def signup_application(organization):
    """The latest sign-up application of an organization."""
    from django.contrib.contenttypes.models import ContentType

    from shegong.core.models import Application

    return (
        Application.objects.filter(
            flow=SIGNUP_FLOW,
            subject_type=ContentType.objects.get_for_model(Organization),
            subject_id=str(organization.pk),
        )
        .order_by("-created_at")
        .first()
    )

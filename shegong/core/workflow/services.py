"""The review services: create, submit, approve, return, reject, withdraw, resubmit, edit; who may act."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.audit import actions as audit_actions
from shegong.regions.models import Region

from ..audit import record
from ..models import Application, Decision, Notification
from ..workdays import add_working_days
from .flows import (
    Action,
    Flow,
    NotAllowed,
    ReasonRequired,
    State,
    WorkflowError,
    WrongState,
    acting_unit,
    flow_for,
    get_flow,
    level_label,
)


# --- notifications ---------------------------------------------------------------------------
def notify(user, text, link=""):
    """Tell ``user`` something in the app, once the surrounding transaction has committed."""
    if user is None:
        return
    user_id, text, link = user.pk, str(text)[:500], str(link)[:300]
    transaction.on_commit(lambda: Notification.objects.create(user_id=user_id, text=text, link=link))


# --- permission checks -----------------------------------------------------------------------
def _active(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def check_can_act(user, application, flow=None):
    """Raise unless ``user`` may approve, return or reject ``application`` now; returns the current step."""
    flow = flow or flow_for(application)
    if not _active(user):
        raise NotAllowed(_("Sign in to review applications."))
    if application.state != State.PENDING:
        raise WrongState(
            _("This application is not awaiting review (status: %(state)s).")
            % {"state": application.get_state_display()}
        )
    if application.applicant_id == user.pk:
        raise NotAllowed(_("You cannot review your own application."))
    step = flow.step(application.current_step)
    if step is None:
        raise WrongState(_("This application is at an unknown step; ask the system operator."))
    if user.role not in step.roles:
        raise NotAllowed(
            _("Your role (%(role)s) cannot act on the step “%(step)s”.")
            % {"role": user.get_role_display(), "step": step.title}
        )
    if step.by_level:
        if user.region_id is None or application.acting_region_id is None:
            raise NotAllowed(_("This step is reviewed by a civil affairs department; your account has no region."))
        if user.region_id != application.acting_region_id:
            acting = application.acting_region
            if user.region is not None and acting is not None and user.region.level != acting.level:
                raise NotAllowed(
                    _("The step “%(step)s” is reviewed at %(level)s level, by %(unit)s.")
                    % {"step": step.title, "level": level_label(acting.level), "unit": acting}
                )
            raise NotAllowed(_("This application is reviewed by %(unit)s, not by your unit.") % {"unit": acting or "—"})
    else:
        if not Application.objects.visible_to(user).filter(pk=application.pk).exists():
            raise NotAllowed(_("This application is outside your area of responsibility."))
    if step.actor_check is not None and not step.actor_check(user, application):
        raise NotAllowed(_("You are not assigned to review this application."))
    return step


def can_act(user, application):
    try:
        check_can_act(user, application)
    except WorkflowError:
        return False
    return True


def _check_applicant(user, application):
    if not _active(user) or application.applicant_id != user.pk:
        raise NotAllowed(_("Only the applicant can do this."))


def available_actions(user, application):
    """The actions ``user`` may take on ``application`` now, for showing buttons."""
    flow = flow_for(application)
    actions = set()
    if can_act(user, application):
        actions |= {Action.APPROVE, Action.RETURN, Action.REJECT}
    if _active(user) and application.applicant_id == user.pk:
        if application.state == State.DRAFT:
            actions.add(Action.SUBMIT)
        if application.state == State.RETURNED:
            actions.add(Action.RESUBMIT)
        if application.state in {State.DRAFT, State.PENDING, State.RETURNED}:
            actions.add(Action.WITHDRAW)
        if flow.applicant_may_edit(application):
            actions.add("edit")
    return actions


# --- services --------------------------------------------------------------------------------
def _locked(application):
    """Re-read the application under a row lock, so that two reviewers cannot both decide it."""
    application.refresh_from_db(from_queryset=Application.objects.select_for_update())
    return application


def _decide(application, actor, action, step_key, opinion=""):
    authenticated = _active(actor)
    return Decision.objects.create(
        application=application,
        step=step_key or "",
        actor=actor if authenticated else None,
        actor_role=getattr(actor, "role", "") if authenticated else "",
        actor_region=(getattr(actor, "region_id", "") or "") if authenticated else "",
        action=action,
        opinion=opinion or "",
    )


def _audit(actor, action, application, old_state, **extra):
    changes = {"flow": application.flow, "step": application.current_step, "state": [old_state, application.state]}
    changes.update({k: v for k, v in extra.items() if v not in (None, "")})
    record(
        actor, audit_actions.WORKFLOW_ACTIONS[action], application, changes=changes, region_code=application.region_id
    )


def _call(hook, application):
    if hook is not None:
        hook(application)


def _enter_review(application, flow, now):
    first = flow.first_step
    application.state = State.PENDING
    application.current_step = first.key
    application.acting_region = acting_unit(application, first)
    application.submitted_at = application.submitted_at or now
    application.accepted_at = now
    application.due_on = add_working_days(timezone.localdate(now), flow.deadline_working_days)
    application.decided_at = None
    if flow.snapshot is not None:
        application.data = flow.snapshot(application)


def _title(application):
    return application.title or str(flow_for(application).title)


def _require_reason(reason, message):
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired(message)
    return reason


@transaction.atomic
def create_application(flow, applicant, region, *, subject=None, title="", data=None, organization_id=None):
    """A new draft. ``flow`` is a Flow or its key; ``region`` a Region or its code (the county it belongs to)."""
    flow = flow if isinstance(flow, Flow) else get_flow(flow)
    if not isinstance(region, Region):
        region = Region.objects.get(code=region)
    application = Application(
        flow=flow.key,
        flow_version=flow.version,
        applicant=applicant,
        region=region,
        title=str(title or flow.title)[:200],
        data=data or {},
        organization_ref=organization_id,
    )
    if subject is not None:
        application.set_subject(subject)
    application.save()
    record(
        applicant,
        audit_actions.WORKFLOW_CREATE,
        application,
        changes={"flow": flow.key, "version": flow.version},
        region_code=region.code,
    )
    return application


@transaction.atomic
def submit(application, opinion="", *, actor):
    """The applicant sends a draft for review; it is accepted at once and the deadline starts."""
    _locked(application)
    _check_applicant(actor, application)
    if application.state != State.DRAFT:
        raise WrongState(_("Only a draft can be submitted; this application is %(state)s.") % _state(application))
    flow = flow_for(application)
    old = application.state
    _enter_review(application, flow, timezone.now())
    application.save()
    _decide(application, actor, Action.SUBMIT, application.current_step, opinion)
    _audit(actor, "submit", application, old, due_on=str(application.due_on))
    notify(
        application.applicant,
        _("Your application “%(title)s” was received and is under review (%(step)s); decision due by %(due)s.")
        % {"title": _title(application), "step": flow.first_step.title, "due": f"{application.due_on:%Y-%m-%d}"},
        application.get_absolute_url(),
    )
    return application


@transaction.atomic
def resubmit(application, opinion="", data=None, *, actor):
    """After a return for revision, the applicant sends the application again: review restarts at the first step."""
    _locked(application)
    _check_applicant(actor, application)
    if application.state != State.RETURNED:
        raise WrongState(
            _("Only an application returned for revision can be resubmitted; this one is %(state)s.")
            % _state(application)
        )
    flow = flow_for(application)
    if data is not None:
        application.data = data
    old = application.state
    _enter_review(application, flow, timezone.now())
    application.save()
    _decide(application, actor, Action.RESUBMIT, application.current_step, opinion)
    _audit(actor, "resubmit", application, old, due_on=str(application.due_on))
    notify(
        application.applicant,
        _("Your application “%(title)s” was resubmitted and is under review again; decision due by %(due)s.")
        % {"title": _title(application), "due": f"{application.due_on:%Y-%m-%d}"},
        application.get_absolute_url(),
    )
    return application


@transaction.atomic
def approve(application, opinion="", *, actor):
    """Pass the current step: on to the next step, or, at the last one, final approval and the flow's hook."""
    _locked(application)
    flow = flow_for(application)
    step = check_can_act(actor, application, flow)
    old = application.state
    opinion = (opinion or "").strip()
    _decide(application, actor, Action.APPROVE, step.key, opinion)
    following = flow.next_step(step.key)
    if following is not None:
        application.current_step = following.key
        application.acting_region = acting_unit(application, following)
        application.save()
        _audit(actor, "approve", application, old, passed=step.key, opinion=opinion)
        notify(
            application.applicant,
            _("Your application “%(title)s” passed %(step)s and moved on to %(next)s.")
            % {"title": _title(application), "step": step.title, "next": following.title},
            application.get_absolute_url(),
        )
        return application
    application.state = State.APPROVED
    application.acting_region = None
    application.decided_at = timezone.now()
    application.save()
    _audit(actor, "approve", application, old, passed=step.key, opinion=opinion)
    _call(flow.on_approved, application)
    notify(
        application.applicant,
        _("Your application “%(title)s” was approved.") % {"title": _title(application)},
        application.get_absolute_url(),
    )
    return application


@transaction.atomic
def return_for_revision(application, reason, *, actor):
    """Send the application back to the applicant to correct; the reason is mandatory."""
    return _stop_at_step(
        application,
        actor,
        reason,
        missing_reason=_("Give the reason for returning the application."),
        action=Action.RETURN,
        state=State.RETURNED,
        hook="on_returned",
        message=_("Your application “%(title)s” was returned for revision at %(step)s: %(reason)s"),
    )


@transaction.atomic
def reject(application, reason, *, actor):
    """Refuse the application for good; the reason is mandatory."""
    return _stop_at_step(
        application,
        actor,
        reason,
        missing_reason=_("Give the reason for rejecting the application."),
        action=Action.REJECT,
        state=State.REJECTED,
        hook="on_rejected",
        message=_("Your application “%(title)s” was rejected at %(step)s: %(reason)s"),
    )


def _stop_at_step(application, actor, reason, *, missing_reason, action, state, hook, message):
    """Return or reject at the current step: the decision, the new state, the audit, the flow's hook
    and the applicant's notification (with the step and the reason)."""
    _locked(application)
    flow = flow_for(application)
    step = check_can_act(actor, application, flow)
    reason = _require_reason(reason, missing_reason)
    old = application.state
    _decide(application, actor, action, step.key, reason)
    application.state = state
    application.acting_region = None
    if state == State.REJECTED:
        application.decided_at = timezone.now()
    application.save()
    _audit(actor, "return" if action == Action.RETURN else "reject", application, old, opinion=reason)
    _call(getattr(flow, hook), application)
    notify(
        application.applicant,
        message % {"title": _title(application), "step": step.title, "reason": reason},
        application.get_absolute_url(),
    )
    return application


@transaction.atomic
def withdraw(application, reason="", *, actor):
    """The applicant takes back an application that has not been decided."""
    _locked(application)
    _check_applicant(actor, application)
    if application.state not in {State.DRAFT, State.PENDING, State.RETURNED}:
        raise WrongState(_("This application can no longer be withdrawn (status: %(state)s).") % _state(application))
    flow = flow_for(application)
    old = application.state
    _decide(application, actor, Action.WITHDRAW, application.current_step, (reason or "").strip())
    application.state = State.WITHDRAWN
    application.acting_region = None
    application.decided_at = timezone.now()
    application.save()
    _audit(actor, "withdraw", application, old, opinion=(reason or "").strip())
    _call(flow.on_withdrawn, application)
    return application


@transaction.atomic
def update_application(application, *, actor, data=None, title=None, region=None):
    """The applicant changes a draft or returned application (or, if the flow allows, one not yet past step one).

    A new ``region`` (Region or code) takes effect for review at the next (re)submission.
    """
    _locked(application)
    _check_applicant(actor, application)
    flow = flow_for(application)
    if not flow.applicant_may_edit(application):
        raise WrongState(_("This application can no longer be changed (status: %(state)s).") % _state(application))
    fields = {}
    if data is not None and data != application.data:
        application.data = data
        fields["data"] = True
    if title is not None and title != application.title:
        fields["title"] = [application.title, title]
        application.title = str(title)[:200]
    if region is not None:
        if not isinstance(region, Region):
            region = Region.objects.get(code=region)
        if region.code != application.region_id:
            fields["region"] = [application.region_id, region.code]
            application.region = region
    if fields:
        application.save()
        record(actor, audit_actions.WORKFLOW_EDIT, application, changes=fields, region_code=application.region_id)
    return application


def _state(application):
    return {"state": application.get_state_display()}

"""THE review engine: an application moves through review steps until a decision.

A domain app declares its process once, as a ``Flow`` of ``Step``s, and registers it in its
``AppConfig.ready()``::

    register_flow(Flow(
        key="registration.first",
        title=_("First registration"),
        steps=(
            Step("initial", _("Initial review"), level=Level.COUNTY,
                 level_by_province={"440000": Level.PREFECTURE}),
            Step("final", _("Final review"), level=Level.PROVINCE),
        ),
        on_approved=issue_certificate,
    ))

Then it calls the services below (``create_application``, ``submit``, ``approve``,
``return_for_revision``, ``reject``, ``withdraw``, ``resubmit``). Each runs in one transaction,
writes the insert-only decision log and the audit log, calls the flow's hook, and notifies the
applicant after commit. Every refusal raises a ``WorkflowError`` whose message is translated and
can be shown as is.

Who acts on a step: a step assigned to a region level is acted on by officials of the unit at that
level above the application's region (the county of a county application for a county step, its
province for a province step). The unit is resolved when the application enters the step and kept
on the row (``acting_region``), so an official's to-do list is one indexed query. When the
application's own region is above the step's level (a prefecture-level city without counties, such
as 东莞), the application's region itself acts. A step without a level is assigned to roles only:
users with such a role who can see the application (and pass the step's ``actor_check``) act.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.regions.models import Level, Region

from .audit import record
from .models import Application, ApplicationState, Decision, DecisionAction, Notification
from .models.workflow import application_scope_q
from .workdays import add_working_days, working_days_between

logger = logging.getLogger(__name__)

State = ApplicationState
Action = DecisionAction

COUNTY = Level.COUNTY
PREFECTURE = Level.PREFECTURE
PROVINCE = Level.PROVINCE
NATIONAL = Level.NATIONAL

DEFAULT_DEADLINE_WORKING_DAYS = 30

__all__ = [
    "COUNTY",
    "NATIONAL",
    "PREFECTURE",
    "PROVINCE",
    "Flow",
    "NotAllowed",
    "ReasonRequired",
    "Step",
    "UnknownFlow",
    "WorkflowError",
    "WrongState",
    "add_working_days",
    "approve",
    "available_actions",
    "can_act",
    "check_can_act",
    "create_application",
    "flow_for",
    "flows",
    "get_flow",
    "inbox_for",
    "notify",
    "register_flow",
    "reject",
    "resubmit",
    "reviewer_roles",
    "return_for_revision",
    "submit",
    "unregister_flow",
    "update_application",
    "withdraw",
    "working_days_between",
]


# --- errors ----------------------------------------------------------------------------------
class WorkflowError(Exception):
    """A refused action; ``message`` is translated and meant for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


class NotAllowed(WorkflowError):
    """The user may not do this (role, level, region, or not the applicant)."""


class WrongState(WorkflowError):
    """The application is not in a state that allows this action."""


class ReasonRequired(WorkflowError):
    """Returning or rejecting needs a written reason."""


class UnknownFlow(WorkflowError, LookupError):
    pass


# --- declaration -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One review stage.

    ``level``: the region level whose officials act (``COUNTY``, ``PREFECTURE``, ``PROVINCE``,
    ``NATIONAL``), or a callable ``(application) -> level`` for rules of its own, or None for a
    step assigned to ``roles`` only. ``level_by_province`` overrides the level per province code
    (e.g. ``{"440000": PREFECTURE}`` where a province does its initial review at city level).
    ``roles``: the account roles that may act (civil-affairs administrators by default; read-only
    staff never). ``actor_check``: an extra ``(user, application) -> bool`` rule.
    """

    key: str
    title: str
    level: int | Callable | None = None
    roles: frozenset = frozenset({"admin"})
    level_by_province: Mapping | None = field(default=None, hash=False, compare=False)
    actor_check: Callable | None = field(default=None, hash=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "roles", frozenset(self.roles))

    @property
    def by_level(self):
        return self.level is not None or bool(self.level_by_province)

    def level_for(self, application):
        if self.level_by_province:
            province = province_code(application.region)
            if province in self.level_by_province:
                return self.level_by_province[province]
        if callable(self.level):
            return self.level(application)
        return self.level


@dataclass(frozen=True)
class Flow:
    """A declared review process. ``version`` lets running applications finish under the rules they started with."""

    key: str
    title: str
    steps: tuple
    version: int = 1
    deadline_working_days: int = DEFAULT_DEADLINE_WORKING_DAYS
    # Hooks the domain app provides; called inside the action's transaction with the application.
    on_approved: Callable | None = field(default=None, compare=False)
    on_rejected: Callable | None = field(default=None, compare=False)
    on_returned: Callable | None = field(default=None, compare=False)
    on_withdrawn: Callable | None = field(default=None, compare=False)
    # ``(application) -> dict`` stored in ``application.data`` at each (re)submission: what was reviewed.
    snapshot: Callable | None = field(default=None, compare=False)
    # States in which the applicant may still change the application; with
    # ``edit_while_pending_first_step`` also while the first step has not decided (then it locks).
    editable_states: frozenset = frozenset({State.DRAFT, State.RETURNED})
    edit_while_pending_first_step: bool = False
    # The domain app's template showing the subject on the application page, and its context:
    # ``detail_context(application, request) -> dict``.
    detail_template: str | None = None
    detail_context: Callable | None = field(default=None, compare=False)
    # ``(application) -> url`` of the domain page where the applicant changes the application.
    edit_url: Callable | None = field(default=None, compare=False)

    def __post_init__(self):
        steps = tuple(self.steps)
        if not steps:
            raise ValueError(f"flow {self.key} has no steps")
        keys = [s.key for s in steps]
        if len(set(keys)) != len(keys):
            raise ValueError(f"flow {self.key} repeats a step key")
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "editable_states", frozenset(self.editable_states))

    def step(self, key):
        for step in self.steps:
            if step.key == key:
                return step
        return None

    def step_index(self, key):
        for index, step in enumerate(self.steps):
            if step.key == key:
                return index
        return None

    @property
    def first_step(self):
        return self.steps[0]

    def next_step(self, key):
        index = self.step_index(key)
        if index is None or index + 1 >= len(self.steps):
            return None
        return self.steps[index + 1]

    def applicant_may_edit(self, application):
        if application.state in self.editable_states:
            return True
        return (
            self.edit_while_pending_first_step
            and application.state == State.PENDING
            and application.current_step == self.first_step.key
        )


_flows: dict[tuple[str, int], Flow] = {}
_latest: dict[str, int] = {}


def register_flow(flow):
    """Register (or replace) a flow version. Call from the domain app's ``AppConfig.ready()``."""
    _flows[(flow.key, flow.version)] = flow
    _latest[flow.key] = max(_latest.get(flow.key, flow.version), flow.version)
    return flow


def unregister_flow(key):
    """Remove every version of a flow (tests declare flows of their own)."""
    for registered in [k for k in _flows if k[0] == key]:
        del _flows[registered]
    _latest.pop(key, None)


def get_flow(key, version=None):
    if version is None:
        version = _latest.get(key)
    flow = _flows.get((key, version))
    if flow is None:
        raise UnknownFlow(_("Unknown process: %(key)s (version %(version)s).") % {"key": key, "version": version})
    return flow


def flows():
    """The latest version of every registered flow, by title."""
    return sorted((_flows[(key, version)] for key, version in _latest.items()), key=lambda f: str(f.title))


def reviewer_roles():
    """Every account role that acts on some step of a registered flow."""
    return {role for flow in _flows.values() for step in flow.steps for role in step.roles}


def flow_for(application):
    """The flow (in the version it started with) that governs ``application``."""
    try:
        return get_flow(application.flow, application.flow_version)
    except UnknownFlow:
        logger.warning("flow %s v%s is not registered; using the latest", application.flow, application.flow_version)
        return get_flow(application.flow)


# --- regions ---------------------------------------------------------------------------------
def province_code(region):
    """The province-level unit above (or equal to) ``region``."""
    if region.level <= Level.PROVINCE:
        return region.code
    chain = region.ancestors()  # root .. parent
    return chain[Level.PROVINCE] if len(chain) > Level.PROVINCE else region.code


def acting_unit(application, step):
    """The unit whose officials act on ``step`` of ``application`` (None for a role-only step)."""
    if not step.by_level:
        return None
    level = step.level_for(application)
    if level is None:
        return None
    region = application.region
    if region.level <= level:
        return region
    chain = region.ancestors()
    return Region.objects.filter(code__in=chain, level=level).first() or region


def level_label(level):
    return Level(level).label if level is not None else ""


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
    record(actor, f"workflow.{action}", application, changes=changes, region_code=application.region_id)


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
        "workflow.create",
        application,
        changes={"flow": flow.key, "version": flow.version},
        region_code=region.code,
    )
    return application


@transaction.atomic
def submit(application, actor, opinion=""):
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
def resubmit(application, actor, opinion="", data=None):
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
def approve(application, actor, opinion=""):
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
def return_for_revision(application, actor, reason):
    """Send the application back to the applicant to correct; the reason is mandatory."""
    _locked(application)
    flow = flow_for(application)
    step = check_can_act(actor, application, flow)
    reason = _require_reason(reason, _("Give the reason for returning the application."))
    old = application.state
    _decide(application, actor, Action.RETURN, step.key, reason)
    application.state = State.RETURNED
    application.acting_region = None
    application.save()
    _audit(actor, "return", application, old, opinion=reason)
    _call(flow.on_returned, application)
    notify(
        application.applicant,
        _("Your application “%(title)s” was returned for revision at %(step)s: %(reason)s")
        % {"title": _title(application), "step": step.title, "reason": reason},
        application.get_absolute_url(),
    )
    return application


@transaction.atomic
def reject(application, actor, reason):
    """Refuse the application for good; the reason is mandatory."""
    _locked(application)
    flow = flow_for(application)
    step = check_can_act(actor, application, flow)
    reason = _require_reason(reason, _("Give the reason for rejecting the application."))
    old = application.state
    _decide(application, actor, Action.REJECT, step.key, reason)
    application.state = State.REJECTED
    application.acting_region = None
    application.decided_at = timezone.now()
    application.save()
    _audit(actor, "reject", application, old, opinion=reason)
    _call(flow.on_rejected, application)
    notify(
        application.applicant,
        _("Your application “%(title)s” was rejected at %(step)s: %(reason)s")
        % {"title": _title(application), "step": step.title, "reason": reason},
        application.get_absolute_url(),
    )
    return application


@transaction.atomic
def withdraw(application, actor, reason=""):
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
def update_application(application, actor, *, data=None, title=None, region=None):
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
        record(actor, "workflow.edit", application, changes=fields, region_code=application.region_id)
    return application


def _state(application):
    return {"state": application.get_state_display()}


# --- queries ---------------------------------------------------------------------------------
def inbox_for(user):
    """Pending applications whose current step ``user`` may act on: one query.

    Level steps: the application's reviewing unit is the user's region, and the user's role may act
    on that step. Role-only steps: the user's role may act and the user can see the application.
    Applications the user filed are left out. (The step's ``actor_check``, if any, is applied when
    acting, not here.)
    """
    if not _active(user):
        return Application.objects.none()
    level_q, role_q = models.Q(pk__in=[]), models.Q(pk__in=[])
    for flow in _flows.values():
        for step in flow.steps:
            if user.role not in step.roles:
                continue
            pair = models.Q(flow=flow.key, current_step=step.key)
            if step.by_level:
                level_q |= pair
            else:
                role_q |= pair
    q = role_q
    if user.region_id is not None:
        q |= level_q & models.Q(acting_region_id=user.region_id)
    return (
        Application.objects.filter(state=State.PENDING)
        .filter(q)
        .filter(application_scope_q(user, "view"))  # never more than the user may see
        .exclude(applicant=user)
        .select_related("applicant", "region", "acting_region")
    )


def step_progress(application):
    """[(step, status)] for showing where the application stands: done, current, or to come."""
    flow = flow_for(application)
    current = flow.step_index(application.current_step)
    rows = []
    for index, step in enumerate(flow.steps):
        if application.state == State.APPROVED:
            status = "done"
        elif current is None or application.state == State.DRAFT:
            status = "todo"
        elif index < current:
            status = "done"
        elif index == current:
            status = "current" if application.state == State.PENDING else "stopped"
        else:
            status = "todo"
        rows.append({"step": step, "status": status})
    return rows


def days_left(application, today=None):
    """Working days left before the deadline (negative when overdue), or None when undecided does not apply."""
    if application.state != State.PENDING or application.due_on is None:
        return None
    today = today or timezone.localdate()
    if today > application.due_on:
        return -working_days_between(application.due_on, today)
    return working_days_between(today, application.due_on)


ACTION_LABELS = {
    Action.APPROVE: gettext_lazy("Approve"),
    Action.RETURN: gettext_lazy("Return for revision"),
    Action.REJECT: gettext_lazy("Reject"),
    Action.SUBMIT: gettext_lazy("Submit"),
    Action.RESUBMIT: gettext_lazy("Resubmit"),
    Action.WITHDRAW: gettext_lazy("Withdraw"),
}

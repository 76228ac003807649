"""Declaring a review process: ``Flow`` and ``Step``, the registry of flows, errors, and who acts where."""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from shegong.core.roles import Role
from shegong.regions.models import Level, Region

from ..models import ApplicationState, DecisionAction

logger = logging.getLogger(__name__)

State = ApplicationState
Action = DecisionAction

COUNTY = Level.COUNTY
PREFECTURE = Level.PREFECTURE
PROVINCE = Level.PROVINCE
NATIONAL = Level.NATIONAL

DEFAULT_DEADLINE_WORKING_DAYS = 30


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
    staff never). ``actor_check``: an extra ``(user, application) -> bool`` rule. ``unit``: a callable
    ``(application) -> Region`` naming the acting unit itself, for a step acted on by a region that is
    not above the application's region (a transfer's receiving county); its officials see the
    application while it waits for them (application_scope_q).
    """

    key: str
    title: str
    level: int | Callable | None = None
    roles: frozenset = frozenset({Role.ADMIN})
    level_by_province: Mapping | None = field(default=None, hash=False, compare=False)
    actor_check: Callable | None = field(default=None, hash=False, compare=False)
    unit: Callable | None = field(default=None, hash=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "roles", frozenset(self.roles))

    @property
    def by_level(self):
        return self.level is not None or bool(self.level_by_province) or self.unit is not None

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
    if step.unit is not None:
        return step.unit(application)
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

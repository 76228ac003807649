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

from ..workdays import add_working_days, working_days_between
from .flows import (
    COUNTY,
    NATIONAL,
    PREFECTURE,
    PROVINCE,
    Action,
    Flow,
    NotAllowed,
    ReasonRequired,
    State,
    Step,
    UnknownFlow,
    WorkflowError,
    WrongState,
    acting_unit,
    flow_for,
    flows,
    get_flow,
    level_label,
    province_code,
    register_flow,
    reviewer_roles,
    unregister_flow,
)
from .queries import (
    ACTION_LABELS,
    days_left,
    inbox_for,
    step_progress,
)
from .services import (
    approve,
    available_actions,
    can_act,
    check_can_act,
    create_application,
    notify,
    reject,
    resubmit,
    return_for_revision,
    submit,
    update_application,
    withdraw,
)

__all__ = [
    "ACTION_LABELS",
    "Action",
    "COUNTY",
    "Flow",
    "NATIONAL",
    "NotAllowed",
    "PREFECTURE",
    "PROVINCE",
    "ReasonRequired",
    "State",
    "Step",
    "UnknownFlow",
    "WorkflowError",
    "WrongState",
    "acting_unit",
    "add_working_days",
    "approve",
    "available_actions",
    "can_act",
    "check_can_act",
    "create_application",
    "days_left",
    "flow_for",
    "flows",
    "get_flow",
    "inbox_for",
    "level_label",
    "notify",
    "province_code",
    "register_flow",
    "reject",
    "resubmit",
    "return_for_revision",
    "reviewer_roles",
    "step_progress",
    "submit",
    "unregister_flow",
    "update_application",
    "withdraw",
    "working_days_between",
]

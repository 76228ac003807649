"""Reading the review state: a reviewer's inbox, where an application stands, days left, labels."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ..models import Application
from ..models.workflow import application_scope_q
from ..workdays import working_days_between
from .flows import Action, State, _flows, flow_for
from .services import _active


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

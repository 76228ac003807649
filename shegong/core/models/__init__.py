"""Core models, one module per mechanism; import them from here."""

from .audit import AuditEvent, AuditEventQuerySet
from .jobs import TaskRun, TaskRunQuerySet, WorkerHeartbeat
from .tabular import ImportIssue, ImportJob, ImportJobQuerySet
from .workflow import (
    Application,
    ApplicationQuerySet,
    ApplicationState,
    Decision,
    DecisionAction,
    Notification,
    WorkdayOverride,
)

__all__ = [
    "Application",
    "ApplicationQuerySet",
    "ApplicationState",
    "AuditEvent",
    "AuditEventQuerySet",
    "Decision",
    "ImportIssue",
    "ImportJob",
    "ImportJobQuerySet",
    "DecisionAction",
    "Notification",
    "TaskRun",
    "TaskRunQuerySet",
    "WorkdayOverride",
    "WorkerHeartbeat",
]

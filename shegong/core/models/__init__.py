"""Core models, one module per mechanism; import them from here."""

from .audit import AuditEvent, AuditEventQuerySet
from .jobs import TaskRun, TaskRunQuerySet, WorkerHeartbeat

__all__ = ["AuditEvent", "AuditEventQuerySet", "TaskRun", "TaskRunQuerySet", "WorkerHeartbeat"]

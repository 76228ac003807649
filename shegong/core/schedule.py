"""Periodic tasks, enqueued by the workers (see management/commands/worker.py).

Apps register a task with an interval in their AppConfig.ready(): ``register_periodic(task, every=...)``.
Every worker checks about once a minute and enqueues a task whose last run is older than its interval.
With the database backend the queue itself is the record of the last run, so several worker hosts
agree; with another backend an atomic ``cache.add`` (Redis in production) keeps it to one per period.
The registered tasks are idempotent, so a rare double run is harmless.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    task: object
    every: timedelta

    @property
    def path(self):
        return self.task.module_path


_registry: dict[str, Periodic] = {}


def register_periodic(task, *, every):
    entry = Periodic(task, every)
    _registry[entry.path] = entry
    return task


def registered():
    return list(_registry.values())


def _last_enqueued(entry):
    from django_tasks_db.models import DBTaskResult

    return (
        DBTaskResult.objects.filter(task_path=entry.path)
        .order_by("-enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )


def _uses_database_queue(entry):
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(entry.task.get_backend(), DatabaseBackend)


def enqueue_due(now=None):
    """Enqueue every registered task whose interval has passed; returns the paths enqueued."""
    now = now or timezone.now()
    enqueued = []
    for entry in registered():
        if _uses_database_queue(entry):
            last = _last_enqueued(entry)
            due = last is None or now - last >= entry.every
        else:
            period = int(now.timestamp() // entry.every.total_seconds())
            due = cache.add(f"schedule:{entry.path}:{period}", 1, int(entry.every.total_seconds()) + 60)
        if due:
            entry.task.enqueue()
            enqueued.append(entry.path)
            logger.info("enqueued periodic task %s", entry.path)
    return enqueued

"""Background jobs: the user-facing ``TaskRun`` record around a Django task.

``start_job`` creates the record and enqueues the task after the surrounding transaction commits;
a task decorated with ``@job_task`` receives a ``JobContext`` to report progress and store its
result file. The same code runs on the database backend (embedded) and on any number of worker
hosts in production, because all state lives in the database and the file storage.
"""

import logging
import os
import socket
import traceback
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit.context import current_request_context, restored
from .scoping import scope_guard

logger = logging.getLogger(__name__)


class JobContext:
    def __init__(self, run):
        self.run = run

    def progress(self, percent, message=""):
        from .models import TaskRun

        percent = max(0, min(100, int(percent)))
        TaskRun.objects.unscoped("job bookkeeping: the run's own record").filter(pk=self.run.pk).update(
            percent=percent, message=str(message)[:300]
        )
        self.run.percent, self.run.message = percent, message

    def save_result(self, filename, content: bytes):
        self.run.result_name = filename
        self.run.result_file.save(filename, ContentFile(content), save=False)
        self.run.expires_at = timezone.now() + timedelta(hours=settings.RESULT_FILE_HOURS)
        self.run.save(update_fields=["result_file", "result_name", "expires_at"])


def job_task(func):
    """Wrap a task body ``func(job, **kwargs)`` with status bookkeeping for its TaskRun."""

    @wraps(func)
    def runner(run_id, **kwargs):
        from .models import TaskRun

        run = TaskRun.objects.unscoped("job bookkeeping: the run's own record").get(pk=run_id)
        TaskRun.objects.unscoped("job bookkeeping: the run's own record").filter(pk=run.pk).update(
            status=TaskRun.Status.RUNNING, started_at=timezone.now()
        )
        job = JobContext(run)
        try:
            # The job runs for its user: scoped querysets must pass the access rule, as in a request;
            # its audit events carry the request id and address of the request that started it.
            with scope_guard(), restored(request_id=run.request_id, address=run.address):
                func(job, **kwargs)
        except Exception as exc:
            logger.exception("job %s failed", run_id)
            TaskRun.objects.unscoped("job bookkeeping: the run's own record").filter(pk=run.pk).update(
                status=TaskRun.Status.FAILED,
                finished_at=timezone.now(),
                error=f"{type(exc).__name__}: {exc}"[:2000],
                message=_("The job failed."),
            )
            logger.debug("%s", traceback.format_exc())
            return None
        TaskRun.objects.unscoped("job bookkeeping: the run's own record").filter(pk=run.pk).update(
            status=TaskRun.Status.SUCCEEDED, finished_at=timezone.now(), percent=100
        )
        return str(run_id)

    return runner


def start_job(user, task, *, kind, title, **kwargs):
    """Create the user's TaskRun and enqueue ``task`` for it once the transaction commits."""
    from .models import TaskRun

    context = current_request_context()
    run = TaskRun.objects.unscoped("job bookkeeping: the run's own record").create(
        user=user,
        kind=kind,
        title=str(title),
        message=_("Waiting for a worker"),
        request_id=context["request_id"],
        address=context["address"],
    )
    transaction.on_commit(lambda: task.enqueue(run_id=str(run.pk), **kwargs))
    return run


def worker_identity():
    return f"{socket.gethostname()}:{os.getpid()}"


def record_worker_heartbeat(worker_id=None, started_at=None):
    from .models import WorkerHeartbeat

    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id or worker_identity(),
        defaults={
            "hostname": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": started_at or now,
            "last_seen": now,
        },
    )


def worker_state():
    """What /healthz reports about the background workers."""
    from django_tasks_db.models import DBTaskResult

    from .models import WorkerHeartbeat

    now = timezone.now()
    alive = WorkerHeartbeat.objects.filter(last_seen__gte=now - timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS))
    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return {
        "status": "ok" if alive.exists() else "down",
        "workers": alive.count(),
        "queued": waiting.count(),
        "oldest_queued_seconds": int((now - oldest).total_seconds()) if oldest else 0,
    }

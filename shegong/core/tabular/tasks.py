"""Background tasks of the import flow: validate a staged file, commit a confirmed one, tidy up."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from shegong.core.audit.context import current_request_context, restored
from shegong.core.schedule import register_periodic

# Each task gets the request id and address of the request that queued it (the upload for the
# validation, the confirmation for the commit): the audit events it writes carry them.


@task()
def validate_import(job_id, request_id="", address=""):
    from shegong.core.models import ImportJob

    from . import engine

    job = ImportJob.objects.unscoped("import task: the job it was enqueued for").filter(pk=job_id).first()
    if job is None or job.status not in (ImportJob.Status.STAGED, ImportJob.Status.VALIDATING):
        return None
    with restored(request_id=request_id, address=address):
        engine.validate(job)
    return str(job.pk)


@task()
def commit_import(job_id, request_id="", address=""):
    from shegong.core.models import ImportJob

    from . import engine

    job = ImportJob.objects.unscoped("import task: the job it was enqueued for").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.COMMITTING:
        return None
    with restored(request_id=request_id, address=address):
        engine.commit(job)
    return str(job.pk)


def enqueue_validation(job):
    context = current_request_context()
    transaction.on_commit(lambda: validate_import.enqueue(job_id=str(job.pk), **context))


def enqueue_commit(job):
    context = current_request_context()
    transaction.on_commit(lambda: commit_import.enqueue(job_id=str(job.pk), **context))


@task()
def prune_imports():
    """Drop the staging tables of imports left unconfirmed, and delete old uploaded files."""
    from shegong.core.models import ImportJob

    from .spec import get_spec
    from .stage import Stage

    now = timezone.now()
    stale = (
        ImportJob.objects.unscoped("maintenance: every user's stale imports")
        .filter(
            status__in=[ImportJob.Status.VALIDATED, ImportJob.Status.INVALID, ImportJob.Status.FAILED],
            created_at__lt=now - timedelta(hours=getattr(settings, "IMPORT_STAGE_HOURS", 72)),
        )
        .exclude(stage_table="")
    )
    dropped = 0
    for job in stale.iterator():
        try:
            Stage(job.stage_table, get_spec(job.table)).drop()
        except LookupError:
            continue
        ImportJob.objects.unscoped("maintenance: every user's stale imports").filter(pk=job.pk).update(
            stage_table="", status=ImportJob.Status.CANCELLED
        )
        dropped += 1
    old = ImportJob.objects.unscoped("maintenance: every user's old import files").filter(
        created_at__lt=now - timedelta(days=getattr(settings, "IMPORT_FILE_DAYS", 30))
    )
    for job in old.exclude(file="").iterator():
        job.file.delete(save=False)
        if job.annotated_file:
            job.annotated_file.delete(save=False)
        ImportJob.objects.unscoped("maintenance: every user's stale imports").filter(pk=job.pk).update(
            file="", annotated_file=""
        )
    return dropped


register_periodic(prune_imports, every=timedelta(hours=6))

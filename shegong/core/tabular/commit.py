"""Confirming, committing, resuming and discarding an import.

The commit writes the staged rows from the job's watermark on, one transaction per batch: the
spec's write (its app's bulk module), the watermark (``committed_row``) and the counters advanced
with an optimistic check (a second runner finds the watermark moved and stops), and the batch's
audit event with the batch id, all committed together. A process killed mid-batch therefore leaves
whole batches only, the record says up to which row, and running the commit again continues there.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shegong.core.audit import actions, record

from .engine import ImportContext, ImportRefused, Progress, _set, batch_rows, check_can_import
from .spec import get_spec
from .stage import Stage, asynchronous_commit

logger = logging.getLogger(__name__)


def confirm(job, mode=None, *, actor):
    """The uploader confirms the preview; returns the job ready for ``commit``."""
    from shegong.core.models import ImportJob

    if actor is not None and job.user_id != actor.pk:
        raise ImportRefused(_("Only the person who uploaded the file can confirm the import."))
    if mode is not None and mode in ImportJob.Mode.values:
        job.mode = mode
    if job.status != ImportJob.Status.VALIDATED:
        raise ImportRefused(_("This import is not waiting for confirmation."))
    if job.mode == ImportJob.Mode.ALL_OR_NOTHING and job.count_rejected:
        raise ImportRefused(
            _(
                "All or nothing: %(count)s rows are rejected, so nothing can be imported. Correct the file and upload it again, or import the valid rows only."
            )
            % {"count": job.count_rejected}
        )
    if job.count_new + job.count_updated == 0:
        raise ImportRefused(_("There is nothing to import: every valid row is already in the registry as it is."))
    check_can_import(actor, get_spec(job.table), job.region, job.options)
    _set(
        job,
        mode=job.mode,
        status=ImportJob.Status.COMMITTING,
        confirmed_at=timezone.now(),
        percent=0,
        message=_("Waiting for a worker"),
        heartbeat_at=timezone.now(),
    )
    record(
        actor,
        actions.IMPORT_CONFIRM,
        job,
        changes={"batch_id": job.batch_id, "mode": job.mode},
        region_code=job.region_id,
    )
    return job


class StopCommit(Exception):
    """Another runner advanced the watermark: this one stops without writing."""


# Tests may set this to a callable(job, batch_number) run inside each batch's transaction, after the
# write and before the commit (to stop a worker mid-batch).
_inside_batch_hook = None


def commit(job):
    """Write the staged rows from the watermark on, one transaction per batch."""
    with asynchronous_commit():
        return _commit(job)


def _commit(job):
    from shegong.core.models import ImportJob

    with translation.override(job.language or settings.LANGUAGE_CODE):
        job.refresh_from_db()
        if job.status != ImportJob.Status.COMMITTING:
            raise ImportRefused(_("This import is not confirmed."))
        spec = get_spec(job.table)
        stage = Stage(job.stage_table, spec)
        stage.has_new, stage.has_updates = job.count_new > 0, job.count_updated > 0
        if not stage.exists() or stage.count() != job.staged_rows:
            _set(
                job,
                status=ImportJob.Status.FAILED,
                error=_(
                    "The staged rows are gone (the database was restarted or the staging expired). Validate the file again: rows already imported will show as unchanged."
                ),
            )
            return job
        context = ImportContext(job, spec)
        lo_bound, hi_bound = stage.bounds()
        size = batch_rows()
        progress = Progress(job, 0, 99)
        try:
            batch = job.committed_batches
            current = job.committed_row
            lo = max(current, (lo_bound or 1) - 1)
            while hi_bound is not None and lo < hi_bound:
                hi = min(lo + size, hi_bound)
                batch += 1
                with transaction.atomic():
                    inserted, updated = spec.commit_batch(stage, lo, hi, context)
                    expected = stage.count("row_no > %s AND row_no <= %s AND action IN ('n', 'u')", [lo, hi])
                    moved = ImportJob.objects.filter(
                        pk=job.pk, committed_row=current, status=ImportJob.Status.COMMITTING
                    ).update(
                        committed_row=hi,
                        committed_batches=batch,
                        committed_new=F("committed_new") + inserted,
                        committed_updated=F("committed_updated") + updated,
                        committed_skipped=F("committed_skipped") + max(0, expected - inserted - updated),
                        heartbeat_at=timezone.now(),
                    )
                    if moved != 1:
                        raise StopCommit
                    record(
                        job.user,
                        actions.IMPORT_BATCH,
                        job,
                        changes={
                            "batch_id": job.batch_id,
                            "table": spec.name,
                            "batch": batch,
                            "rows": [lo + 1, hi],
                            "added": inserted,
                            "changed": updated,
                        },
                        region_code=job.region_id,
                    )
                    if _inside_batch_hook is not None:
                        _inside_batch_hook(job, batch)
                current = lo = hi
                progress(
                    (hi - lo_bound + 1) / max(1, hi_bound - lo_bound + 1),
                    _("Imported up to row %(row)s of %(last)s") % {"row": f"{hi:,}", "last": f"{hi_bound:,}"},
                )
        except StopCommit:
            logger.warning("import %s: another runner is committing; this one stops", job.pk)
            return job
        except Exception as exc:
            logger.exception("commit of import %s failed", job.pk)
            job.refresh_from_db()
            _set(
                job,
                status=ImportJob.Status.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                message=_("Stopped after row %(row)s; the rows up to it are imported.") % {"row": job.committed_row},
            )
            raise
        job.refresh_from_db()
        if hasattr(spec, "finish"):
            Progress(job, 99, 100)(0.0, _("Updating summaries"), force=True)
            try:
                spec.finish(stage, context)
            except Exception as exc:
                logger.exception("finishing import %s failed", job.pk)
                _set(job, status=ImportJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
                raise
        stage.drop()
        _set(
            job,
            status=ImportJob.Status.COMMITTED,
            percent=100,
            finished_at=timezone.now(),
            stage_table="",
            message=_("Imported: %(new)s added, %(updated)s changed")
            % {"new": job.committed_new, "updated": job.committed_updated},
        )
        record(
            job.user,
            actions.IMPORT_COMMIT,
            job,
            changes={
                "batch_id": job.batch_id,
                "table": spec.name,
                "added": job.committed_new,
                "changed": job.committed_updated,
                "skipped": job.committed_skipped,
                "batches": job.committed_batches,
            },
            region_code=job.region_id,
        )
    return job


def resume(job, *, actor=None):
    """Put a failed or stalled commit back in line; it continues from its watermark."""
    from shegong.core.models import ImportJob

    if actor is not None and job.user_id != actor.pk:
        raise ImportRefused(_("Only the person who uploaded the file can resume the import."))
    resumable = job.status == ImportJob.Status.FAILED and job.confirmed_at is not None and job.stage_table
    if not (resumable or (job.status == ImportJob.Status.COMMITTING and job.stalled)):
        raise ImportRefused(_("This import is not interrupted."))
    _set(
        job,
        status=ImportJob.Status.COMMITTING,
        error="",
        heartbeat_at=timezone.now(),
        message=_("Resuming after row %(row)s") % {"row": job.committed_row},
    )
    record(
        actor,
        actions.IMPORT_RESUME,
        job,
        changes={"batch_id": job.batch_id, "from_row": job.committed_row},
        region_code=job.region_id,
    )
    return job


def discard(job, *, actor=None):
    from shegong.core.models import ImportJob

    if actor is not None and job.user_id != actor.pk:
        raise ImportRefused(_("Only the person who uploaded the file can discard the import."))
    if job.status in (ImportJob.Status.COMMITTING, ImportJob.Status.COMMITTED, ImportJob.Status.CANCELLED):
        raise ImportRefused(_("This import can no longer be discarded."))
    if job.stage_table:
        Stage(job.stage_table, get_spec(job.table)).drop()
    _set(job, status=ImportJob.Status.CANCELLED, stage_table="", finished_at=timezone.now(), message=_("Discarded"))
    record(actor, actions.IMPORT_DISCARD, job, changes={"batch_id": job.batch_id}, region_code=job.region_id)
    return job

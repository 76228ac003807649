"""The audit log's background work: exporting filtered events, and pruning by the retention period.

Pruning runs daily through the scheduler (``register_periodic``) or from cron with
``manage.py prune_audit_log``; never inside a request. The log is append-only: the model refuses
updates and deletes, and on PostgreSQL a trigger refuses them too unless the transaction sets
``shegong.audit_prune = 'on'``, which only ``prune_audit_events`` does.
"""

import csv
import json
import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from shegong.core import audit_actions

from .audit import record
from .schedule import register_periodic
from .tasks import job_task

logger = logging.getLogger(__name__)

# Events are kept at least this long, whatever SHEGONG_AUDIT_RETENTION_DAYS says (a shorter setting
# is raised to it, with a warning); investigations and inspections look back half a year.
MINIMUM_RETENTION_DAYS = 180
PRUNE_BATCH = 10_000


def retention_days(days=None):
    """The retention period in days: ``days`` if given (refused below the minimum), else the setting."""
    if days is not None:
        if days < MINIMUM_RETENTION_DAYS:
            raise ValueError(
                _("Audit events are kept at least %(minimum)s days.") % {"minimum": MINIMUM_RETENTION_DAYS}
            )
        return days
    configured = getattr(settings, "AUDIT_RETENTION_DAYS", 365)
    if configured < MINIMUM_RETENTION_DAYS:
        logger.warning(
            "SHEGONG_AUDIT_RETENTION_DAYS=%s is below the minimum; keeping audit events %s days",
            configured,
            MINIMUM_RETENTION_DAYS,
        )
        return MINIMUM_RETENTION_DAYS
    return configured


@dataclass
class PruneResult:
    days: int
    cutoff: datetime
    deleted: int


def prune_audit_events(days=None, *, now=None, batch_size=PRUNE_BATCH):
    """Delete the audit events older than the retention period, in batches; records what it did."""
    from .models import AuditEvent

    days = retention_days(days)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    sql = f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE at < %s ORDER BY id LIMIT %s)"  # noqa: S608
    deleted = 0
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # The append-only trigger lets a DELETE through only in this transaction.
                    cursor.execute("SET LOCAL shegong.audit_prune = 'on'")
                cursor.execute(sql, [cutoff, batch_size])
                count = cursor.rowcount
        deleted += count
        if count < batch_size:
            break
    record(
        None,
        audit_actions.AUDIT_PRUNE,
        None,
        region_code="",
        changes={"retention_days": days, "before": cutoff.isoformat(), "deleted": deleted},
    )
    logger.info("pruned %s audit events older than %s", deleted, cutoff)
    return PruneResult(days=days, cutoff=cutoff, deleted=deleted)


@task()
def prune_audit_log():
    """Daily: delete audit events older than SHEGONG_AUDIT_RETENTION_DAYS (at least 180 days)."""
    return prune_audit_events().deleted


register_periodic(prune_audit_log, every=timedelta(days=1))


# --- export ---------------------------------------------------------------------------------

EXPORT_FORMATS = {"xlsx", "csv"}
# One worksheet holds 1,048,576 rows; a longer selection is cut here and says so.
EXPORT_MAX_ROWS = 1_000_000
EXPORT_COLUMNS = [
    gettext_lazy("Time"),
    gettext_lazy("Account"),
    gettext_lazy("Role"),
    gettext_lazy("Region"),
    gettext_lazy("Action"),
    gettext_lazy("Object type"),
    gettext_lazy("Object id"),
    gettext_lazy("Object"),
    gettext_lazy("Changes"),
    gettext_lazy("Request id"),
    gettext_lazy("Address"),
]


def event_row(event):
    return [
        timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
        event.actor_name,
        event.role,
        event.region_code,
        event.action,
        event.object_type,
        event.object_id,
        event.object_repr,
        json.dumps(event.changes, ensure_ascii=False, sort_keys=True) if event.changes else "",
        event.request_id,
        event.address,
    ]


@task()
@job_task
def export_audit_events(job, filters, fmt):
    from .filters_audit import AuditEventFilter
    from .models import AuditEvent

    user = job.run.user
    # The scope is applied again when the job runs: an auditor moved or disabled since gets nothing.
    queryset = AuditEventFilter(filters, queryset=AuditEvent.objects.visible_to(user)).qs.order_by("-at", "-id")
    job.progress(2, _("Collecting the events"))
    header = [str(title) for title in EXPORT_COLUMNS]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    rows = 0
    truncated = False
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{fmt}"
        if fmt == "csv":
            with path.open("w", encoding="utf-8-sig", newline="") as out:  # BOM: Excel opens it as UTF-8
                writer = csv.writer(out)
                writer.writerow(header)
                for event in queryset.iterator(chunk_size=5000):
                    if rows >= EXPORT_MAX_ROWS:
                        truncated = True
                        break
                    writer.writerow(event_row(event))
                    rows += 1
                    if rows % 20_000 == 0:
                        job.progress(min(90, 2 + rows * 88 // EXPORT_MAX_ROWS), _("%(done)s events") % {"done": rows})
        else:
            # constant_memory streams the rows to disk instead of holding the whole sheet.
            workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": folder})
            sheet = workbook.add_worksheet(_("Audit log"))
            text = workbook.add_format({"num_format": "@"})
            bold = workbook.add_format({"bold": True})
            sheet.set_column(0, 0, 20)
            sheet.set_column(1, 7, 16)
            sheet.set_column(8, 8, 60)
            for col, title in enumerate(header):
                sheet.write_string(0, col, title, bold)
            for event in queryset.iterator(chunk_size=5000):
                if rows >= EXPORT_MAX_ROWS:
                    truncated = True
                    break
                rows += 1
                for col, value in enumerate(event_row(event)):
                    sheet.write_string(rows, col, value, text)
                if rows % 20_000 == 0:
                    job.progress(min(90, 2 + rows * 88 // EXPORT_MAX_ROWS), _("%(done)s events") % {"done": rows})
            workbook.close()
        content = path.read_bytes()
    job.progress(95, _("Writing the file"))
    job.save_result(f"audit-log-{stamp}.{fmt}", content)
    record(
        user,
        audit_actions.EXPORT,
        None,
        changes={"table": "audit_log", "filters": filters, "rows": rows, "format": fmt, "truncated": truncated},
    )
    if truncated:
        job.progress(
            100,
            _("Only the newest %(count)s events were exported; narrow the filters for the rest.")
            % {"count": EXPORT_MAX_ROWS},
        )

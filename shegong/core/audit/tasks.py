"""The audit log's background work: pruning by the retention period.

The export of filtered events is the engine's export job (core/tables.py).

Pruning runs daily through the scheduler (``register_periodic``) or from cron with
``manage.py prune_audit_log``; never inside a request. The log is append-only: the model refuses
updates and deletes, and on PostgreSQL a trigger refuses them too unless the transaction sets
``shegong.audit_prune = 'on'``, which only ``prune_audit_events`` does.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from shegong.core.audit import actions, record
from shegong.core.schedule import register_periodic

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
    from shegong.core.models import AuditEvent

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
        actions.AUDIT_PRUNE,
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

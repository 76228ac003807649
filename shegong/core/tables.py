"""The export table of the audit log: the audit pages' export runs through the engine.

Not importable (the log is append-only and written by services only). Only audit administrators
export it (``can_read_audit_log``), and the rows are ``AuditEvent.objects.visible_to(user)`` selected
again when the job runs: an auditor moved or disabled since gets nothing. The export is itself audited.
"""

import json

from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.core.audit.filters import AuditEventFilter

from .models import AuditEvent
from .tabular import columns as c
from .tabular.spec import TableSpec, register

# One worksheet holds 1,048,576 rows; a longer selection is cut here and says so.
EXPORT_MAX_ROWS = 1_000_000


class AuditLogTable(TableSpec):
    def can_export(self, user):
        from .capabilities import reads_audit_log

        return reads_audit_log(user)

    def export_queryset(self, user, filters):
        return super().export_queryset(user, filters).order_by("-at", "-id")

    def export_rows(self, queryset, context):
        for event in queryset.iterator(chunk_size=5000):
            yield [
                timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                event.actor_name,
                event.role,
                event.region_code,
                str(event.action_label),  # words, not the stored code
                event.object_type,
                event.object_id,
                event.object_repr,
                json.dumps(event.changes, ensure_ascii=False, sort_keys=True) if event.changes else "",
                event.request_id,
                event.address,
            ]


def _column(kind, name, label, width):
    return kind(name, label, label, width=width)


audit_log = register(
    AuditLogTable(
        name="audit_log",
        title=gettext_lazy("Audit log"),
        description=gettext_lazy("The events of the audit log, with its filters."),
        model=AuditEvent,
        order=920,
        key=("request_id",),
        importable=False,
        filterset_class=AuditEventFilter,
        region_field="region_code",
        export_kind="audit.export",
        export_name="audit-log",
        export_max_rows=EXPORT_MAX_ROWS,
        columns=[
            _column(c.TextColumn, "at", gettext_lazy("Time"), 20),
            _column(c.TextColumn, "actor", gettext_lazy("Account"), 16),
            _column(c.TextColumn, "role", gettext_lazy("Role"), 16),
            _column(c.IdentifierTextColumn, "region_code", gettext_lazy("Region"), 16),
            _column(c.TextColumn, "action", gettext_lazy("Action"), 16),
            _column(c.TextColumn, "object_type", gettext_lazy("Object type"), 16),
            _column(c.IdentifierTextColumn, "object_id", gettext_lazy("Object id"), 16),
            _column(c.TextColumn, "object", gettext_lazy("Object"), 16),
            _column(c.TextColumn, "changes", gettext_lazy("Changes"), 60),
            _column(c.IdentifierTextColumn, "request_id", gettext_lazy("Request id"), 16),
            _column(c.IdentifierTextColumn, "address", gettext_lazy("Address"), 16),
        ],
    )
)

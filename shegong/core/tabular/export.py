"""Exports: every list page's filtered rows, to CSV or Excel, through the table specs.

``start_export(user, spec_name, filters, fmt)`` starts a background job (a ``TaskRun`` with its
progress page). When the job runs, the rows are selected again with ``visible_to(user)`` and the
list's filter set, so a scope that changed in the meantime applies; the file is written as a stream
(CSV line by line, xlsxwriter in constant-memory mode), kept for RESULT_FILE_HOURS, and the export
is audited. Exported files use the template's Chinese headers, so an export can be edited and
imported again.
"""

import csv
import datetime
import os
import tempfile
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_tasks import task

from shegong.core import capabilities
from shegong.core.audit import actions, record
from shegong.core.tasks import job_task, start_job

from .cells import is_formula_like, neutralise
from .columns import DateColumn, DecimalColumn, IntColumn
from .spec import all_specs, get_spec

FORMATS = ("xlsx", "csv")
PROGRESS_ROWS = 10_000
# Who gets full identity numbers in an export is the one ID rule (capabilities.may_reveal_id, in bulk);
# an export with full numbers is audited as such.


class ExportContext:
    def __init__(self, user):
        self.user = user
        self.unmask = capabilities.may_reveal_id(user, bulk=True)
        self.cache = {}

    def region_names(self):
        names = self.cache.get("region_names")
        if names is None:
            from shegong.regions.models import Region

            names = dict(
                Region.objects.unscoped("division tree: public reference data").values_list("code", "full_name")
            )
            self.cache["region_names"] = names
        return names


class ExportQuotaExceeded(PermissionDenied):
    """The account has used its export quota of the last hour; ``wait`` is the seconds until it may again."""

    def __init__(self, message, wait):
        super().__init__(message)
        self.wait = wait


QUOTA_WINDOW = timedelta(hours=1)


def _minutes(seconds):
    minutes = max(1, -(-int(seconds) // 60))
    return ngettext("%(minutes)d minute", "%(minutes)d minutes", minutes) % {"minutes": minutes}


def check_export_quota(user):
    """Refuse (ExportQuotaExceeded) a new export when ``user`` has, in the last hour, started
    SHEGONG_EXPORT_JOBS_PER_HOUR exports or had SHEGONG_EXPORT_ROWS_PER_HOUR rows written.

    Counted in the database (the export jobs and the export audit events), which every process shares.
    """
    from shegong.core.models import AuditEvent, TaskRun

    now = timezone.now()
    since = now - QUOTA_WINDOW
    max_jobs = getattr(settings, "SHEGONG_EXPORT_JOBS_PER_HOUR", None)
    if max_jobs:
        kinds = {spec.export_kind for spec in all_specs()}
        recent = list(
            TaskRun.objects.visible_to(user)
            .filter(kind__in=kinds, created_at__gte=since)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:max_jobs]
        )
        if len(recent) >= max_jobs:
            wait = (recent[-1] + QUOTA_WINDOW - now).total_seconds()
            raise ExportQuotaExceeded(
                _(
                    "You have started %(count)d exports in the last hour, the most allowed; "
                    "please try again in %(wait)s."
                )
                % {"count": max_jobs, "wait": _minutes(wait)},
                wait,
            )
    max_rows = getattr(settings, "SHEGONG_EXPORT_ROWS_PER_HOUR", None)
    if max_rows:
        events = (
            AuditEvent.objects.unscoped("export quota: the account's own export events")
            .filter(actor=user, action=actions.EXPORT, at__gte=since)
            .order_by("at")
            .values_list("at", "changes")
        )
        total, oldest = 0, None
        for at, changes in events:
            rows = changes.get("rows") if isinstance(changes, dict) else None
            if isinstance(rows, int):
                total += rows
                oldest = oldest or at
        if total >= max_rows:
            wait = (oldest + QUOTA_WINDOW - now).total_seconds()
            raise ExportQuotaExceeded(
                _(
                    "You have exported %(rows)s rows in the last hour, the most allowed (%(limit)s); "
                    "please try again in %(wait)s, or narrow the filters."
                )
                % {"rows": f"{total:,}", "limit": f"{max_rows:,}", "wait": _minutes(wait)},
                wait,
            )


def start_export(user, spec_name, filters, fmt, *, title=None):
    """Queue an export of ``spec_name``'s rows visible to ``user`` and matching ``filters``; returns the TaskRun.

    Every export of the system starts here: the registry lists' export buttons (``ExportView``), the
    API, and the pages with export buttons of their own (divisions, accounts, audit log, compliance),
    whose URLs start this job and redirect to its progress page. So the account's export quota is
    checked here too (``check_export_quota``: ExportQuotaExceeded, a PermissionDenied, when it is used up).
    """
    spec = get_spec(spec_name)
    if fmt not in FORMATS:
        raise ValueError(fmt)
    if not spec.can_export(user):
        raise PermissionDenied(_("You may not export %(table)s.") % {"table": spec.title})
    check_export_quota(user)
    clean = {
        str(k): (v if isinstance(v, str | int | bool) else [str(x) for x in v])
        for k, v in (filters or {}).items()
        if v not in ("", None, [])
    }
    return start_job(
        user,
        export_table,
        kind=spec.export_kind,
        title=title or gettext_lazy("Export of %(table)s (%(format)s)") % {"table": spec.title, "format": fmt},
        spec_name=spec.name,
        filters=clean,
        fmt=fmt,
    )


# One worksheet holds 1,048,576 rows (the header included); a longer selection is cut there and says so.
XLSX_MAX_ROWS = 1_048_575
__all__ = ["is_formula_like", "start_export", "write_export"]


class ExportResult(int):
    """The number of data rows written, and whether the selection was cut at the row limit."""

    truncated = False


def write_export(spec, rows, fmt, target, *, total=0, progress=None):
    """Write ``rows`` (from ``spec.export_rows``) to ``target``; returns the number of data rows.

    Every exported file goes through here, so the rules hold for all of them: a text cell that a
    spreadsheet would run as a formula is neutralised (csv: a leading apostrophe, which imports drop
    again; xlsx: a text cell with Excel's quote prefix, so that editing it does not turn it into a
    formula); identifier columns (``text_format``) are text cells in xlsx, so that an ID number keeps
    its digits; at most ``spec.export_max_rows`` rows are written (``truncated`` says so).
    """
    headers = [str(header) for header in spec.export_headers()]
    limit = spec.export_max_rows or float("inf")
    if fmt == "xlsx":
        limit = min(limit, XLSX_MAX_ROWS)
    count = 0
    truncated = False
    if fmt == "csv":
        with open(target, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            for row in rows:
                if count >= limit:
                    truncated = True
                    break
                writer.writerow(["" if v is None else _csv_cell(v) for v in row])
                count += 1
                if progress is not None and count % PROGRESS_ROWS == 0:
                    progress(count, total)
        return _result(count, truncated)
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "strings_to_formulas": False,
            "tmpdir": os.path.dirname(os.path.abspath(target)),
        },
    )
    sheet = workbook.add_worksheet(str(spec.export_sheet or spec.title)[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    quoted = workbook.add_format({"num_format": "@", "quote_prefix": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    columns = spec.export_columns()
    writers = []
    write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime

    def string_writer(cell_format):
        def write(r, c, v):
            v = str(v)
            write_string(r, c, v, quoted if is_formula_like(v) else cell_format)

        return write

    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width, text if column.text_format else None)
        if isinstance(column, DateColumn):
            writers.append(lambda r, c, v: write_datetime(r, c, v, date_format))
        elif isinstance(column, IntColumn | DecimalColumn):
            as_text = string_writer(None)
            writers.append(
                lambda r, c, v, as_text=as_text: (
                    write_number(r, c, v) if isinstance(v, int | float | Decimal) else as_text(r, c, v)
                )
            )
        else:
            writers.append(string_writer(text if column.text_format else None))
    extra = len(headers) - len(columns)
    for index in range(len(columns), len(columns) + extra):
        sheet.set_column(index, index, 30)
        writers.append(string_writer(None))
    for index, header in enumerate(headers):
        sheet.write_string(0, index, header, bold)
    sheet.freeze_panes(1, 0)
    r = 0
    for row in rows:
        if r >= limit:
            truncated = True
            break
        r += 1
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            writers[c](r, c, value)
        if progress is not None and r % PROGRESS_ROWS == 0:
            progress(r, total)
    workbook.close()
    return _result(r, truncated)


def _result(count, truncated):
    result = ExportResult(count)
    result.truncated = truncated
    return result


def _csv_cell(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    # A spreadsheet would run a formula-like text (CSV injection): keep it text. Imports drop the quote again.
    return neutralise(value)


def save_result_file(job, filename, path):
    """Attach the file at ``path`` as the job's result (like ``JobContext.save_result``, without reading it into memory)."""
    run = job.run
    run.result_name = filename
    with open(path, "rb") as handle:
        run.result_file.save(filename, File(handle), save=False)
    run.expires_at = timezone.now() + timedelta(hours=settings.RESULT_FILE_HOURS)
    run.save(update_fields=["result_file", "result_name", "expires_at"])


def run_export(user, spec, filters, fmt, target, progress=None):
    """Select (with the user's scope as it is now) and write; returns (rows, unmasked)."""
    if not spec.can_export(user):
        raise PermissionDenied(_("You may not export %(table)s.") % {"table": spec.title})
    check_export_quota(user)
    queryset = spec.export_queryset(user, filters)
    total = queryset.count()
    context = ExportContext(user)
    if spec.export_max_rows:
        total = min(total, spec.export_max_rows)
    count = write_export(spec, spec.export_rows(queryset, context), fmt, target, total=total, progress=progress)
    return count, context


@task()
@job_task
def export_table(job, spec_name, filters, fmt):
    user = job.run.user
    spec = get_spec(spec_name)
    job.progress(2, _("Selecting the rows"))

    def progress(done, total):
        job.progress(
            5 + 90 * done // max(1, total),
            _("%(done)s of %(total)s rows") % {"done": f"{done:,}", "total": f"{total:,}"},
        )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    with tempfile.TemporaryDirectory() as tmp:
        target = os.path.join(tmp, f"export.{fmt}")
        count, context = run_export(user, spec, filters, fmt, target, progress)
        job.progress(97, _("Saving the file"))
        save_result_file(job, f"{spec.export_name or spec.name}-{stamp}.{fmt}", target)
    truncated = getattr(count, "truncated", False)
    record(
        user,
        actions.EXPORT,
        None,
        changes={
            "table": spec.name,
            "filters": filters,
            "rows": count,
            "format": fmt,
            "unmasked": bool(getattr(spec, "has_personal_ids", False) and context.unmask),
            "job": str(job.run.pk),
            **({"truncated": True} if truncated else {}),
        },
        region_code=getattr(user, "region_id", "") or "",
    )
    if truncated:
        job.progress(
            100,
            _("Only the first %(count)s rows were exported; narrow the filters for the rest.")
            % {"count": f"{count:,}"},
        )

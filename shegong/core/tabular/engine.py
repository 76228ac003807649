"""The import engine: stage a file, validate every row, preview, commit batch by batch.

    stage_file(...)  -> ImportJob (status staged): the file is stored with its SHA-256
    validate(job)    -> every row read and checked, valid rows staged, classified against the
                        database in a few set-based statements; counts and issues recorded
    commit(job)      -> staged rows written in batches; each batch is one transaction that also
                        advances the job's watermark (``committed_row``) and writes the batch's audit
                        event, so a killed worker leaves whole batches only and a new run resumes

The same functions serve the pages, the API (through background tasks) and the command line.
"""

import hashlib
import logging
import os
import tempfile
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shegong.core import identifiers
from shegong.core.audit import record

from . import readers
from .cells import CellError, IdParser, clean_text, is_blank
from .columns import IdNumberColumn
from .regions import RegionIndex
from .scope import ImportScope
from .spec import get_spec
from .stage import Stage

logger = logging.getLogger(__name__)

FLUSH_ROWS = 20_000
PROGRESS_SECONDS = 1.0


def batch_rows():
    return int(getattr(settings, "IMPORT_BATCH_ROWS", 10_000))


def max_upload_bytes():
    return int(getattr(settings, "IMPORT_MAX_MB", 200)) * 1024 * 1024


class ImportRefused(Exception):
    """The import cannot start or go on (permission, state); the message is for the user."""


# --- rows ------------------------------------------------------------------------------------------------


class Row:
    __slots__ = ("number", "context", "errors", "warnings")

    def __init__(self, number, context):
        self.number = number
        self.context = context
        self.errors = None
        self.warnings = None

    def _issue(self, column, code, message, value):
        if column is None:
            header, index, shown = "", None, ""
        else:
            name = column if isinstance(column, str) else column.name
            header, index = self.context.column_position(name)
            spec_column = self.context.spec.by_name.get(name)
            shown = self.context.display_value(spec_column, value)
        return (self.number, header, index, shown, code, str(message))

    def error(self, column, code, message, value=None):
        if self.errors is None:
            self.errors = []
        self.errors.append(self._issue(column, code, message, value))

    def warn(self, column, code, message, value=None):
        if self.warnings is None:
            self.warnings = []
        self.warnings.append(self._issue(column, code, message, value))


class ImportContext:
    """What one import run knows: the job, its spec, the importer, the scope and lookup caches."""

    def __init__(self, job, spec=None):
        self.job = job
        self.spec = spec or get_spec(job.table)
        self.user = job.user
        self.strategy = job.strategy
        self.scope = ImportScope(user=job.user, region=job.region)
        self.regions = RegionIndex()
        self.id_parser = IdParser()
        self.today = self.id_parser.today
        self.positions = {}  # spec column name -> (header as written, column index)
        self.cache = {}

    def column_position(self, name):
        return self.positions.get(name, (str(self.spec.by_name[name].header) if name in self.spec.by_name else name, None))

    def display_value(self, column, value):
        if value is None or value == "":
            return ""
        if isinstance(value, float):
            from .cells import excel_digits

            text = excel_digits(value) if abs(value) >= 1e15 else repr(value)
        else:
            text = clean_text(value)
        if isinstance(column, IdNumberColumn):
            compact = identifiers.normalise(text)
            if len(compact) >= 15 and compact[:15].isdigit():
                return identifiers.mask_id_number(compact)
        return text[:200]


# --- staging a file -----------------------------------------------------------------------------------------


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_can_import(user, spec, region=None):
    if user is not None and not spec.can_import(user):
        raise ImportRefused(_("You may not import %(table)s.") % {"table": spec.title})
    if not spec.importable:
        raise ImportRefused(_("%(table)s cannot be imported.") % {"table": spec.title})
    if not ImportScope(user=user, region=region):
        raise ImportRefused(_("You may import rows of your own region only, and this region is outside it."))


def stage_file(user, spec_name, path, *, original_name, strategy="upsert", mode="valid", region=None, language=""):
    """Create the ImportJob for a file on disk (copied into storage); checks the type by content."""
    from shegong.core.models import ImportJob

    spec = get_spec(spec_name)
    if region is None and user is not None:
        region = user.region
    check_can_import(user, spec, region)
    if strategy not in spec.strategies:
        raise ImportRefused(_("This table does not support the strategy %(strategy)s.") % {"strategy": strategy})
    size = os.path.getsize(path)
    if size > max_upload_bytes():
        raise ImportRefused(
            _("The file is larger than the limit of %(limit)d MB.") % {"limit": max_upload_bytes() // (1024 * 1024)}
        )
    try:
        fmt = readers.detect_format(path, original_name)
    except readers.FileRejected as exc:
        raise ImportRefused(str(exc)) from exc
    job = ImportJob(
        table=spec.name,
        user=user,
        region=region,
        original_name=os.path.basename(original_name)[:255],
        file_format=fmt,
        size=size,
        sha256=sha256_of(path),
        strategy=strategy,
        mode=mode,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
    )
    with open(path, "rb") as handle:
        job.file.save(f"{job.batch_id}.{fmt}", File(handle), save=False)
    job.save()
    record(
        user,
        "import.upload",
        job,
        changes={
            "table": spec.name,
            "batch_id": job.batch_id,
            "file": job.original_name,
            "sha256": job.sha256,
            "strategy": strategy,
            "mode": mode,
        },
        region_code=job.region_id,
    )
    return job


@contextmanager
def local_copy(field_file):
    """A path to the stored file (the storage may be remote)."""
    try:
        path = field_file.path
    except NotImplementedError:
        path = None
    if path and os.path.exists(path):
        yield path
        return
    suffix = os.path.splitext(field_file.name)[1]
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        with field_file.open("rb") as source:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                tmp.write(chunk)
        tmp.flush()
        yield tmp.name


# --- validation ---------------------------------------------------------------------------------------------


class Progress:
    def __init__(self, job, start, end):
        self.job, self.start, self.end = job, start, end
        self.last = 0.0

    def __call__(self, fraction, message, force=False):
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        percent = int(self.start + (self.end - self.start) * max(0.0, min(1.0, fraction)))
        type(self.job).objects.filter(pk=self.job.pk).update(
            percent=percent, message=str(message)[:300], heartbeat_at=timezone.now()
        )
        echo = getattr(self.job, "echo", None)
        if echo is not None:
            echo(percent, str(message))


def _set(job, **fields):
    for name, value in fields.items():
        setattr(job, name, value)
    type(job).objects.filter(pk=job.pk).update(**fields)


def _write_issues(job, issues, severity):
    from shegong.core.models import ImportIssue

    ImportIssue.objects.bulk_create(
        [
            ImportIssue(
                job=job,
                row=number,
                column=header[:100],
                column_index=index,
                value=str(value)[:200],
                code=code[:40],
                message=message,
                severity=severity,
            )
            for number, header, index, value, code, message in issues
        ],
        batch_size=2000,
    )


def validate(job):
    """Read, check and stage every row of the job's file; classify; record counts and issues."""
    from shegong.core.models import ImportJob

    with translation.override(job.language or settings.LANGUAGE_CODE):
        if job.status not in (ImportJob.Status.STAGED, ImportJob.Status.VALIDATING, ImportJob.Status.VALIDATED):
            raise ImportRefused(_("This import can no longer be validated."))
        _set(job, status=ImportJob.Status.VALIDATING, percent=0, message=_("Reading the file"), heartbeat_at=timezone.now(), error="")
        try:
            with local_copy(job.file) as path:
                _validate(job, path)
        except readers.FileRejected as exc:
            _set(job, status=ImportJob.Status.INVALID, error=str(exc), message=str(exc)[:300], percent=100, finished_at=timezone.now())
            record(job.user, "import.invalid", job, changes={"batch_id": job.batch_id, "error": str(exc)}, region_code=job.region_id)
        except ImportRefused as exc:
            _set(job, status=ImportJob.Status.INVALID, error=str(exc), message=str(exc)[:300], percent=100)
        except Exception as exc:
            logger.exception("validation of import %s failed", job.pk)
            _set(job, status=ImportJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], message=_("The validation failed."))
            raise
    return job


def _is_example(spec, values_by_name):
    example = {column.name: clean_text(column.example) for column in spec.import_columns() if column.example != ""}
    if not example:
        return False
    return all(clean_text(values_by_name.get(name, "")) == value for name, value in example.items())


def _validate(job, path):
    from shegong.core.models import ImportIssue

    spec = get_spec(job.table)
    context = ImportContext(job, spec)
    if not context.scope:
        raise ImportRefused(_("You may import rows of your own region only, and this region is outside it."))
    source = readers.open_source(path, job.file_format)
    header = readers.locate(source, spec, strategy=job.strategy)
    context.positions = {name: (header.headers[index], index) for index, name in header.columns.items()}
    found = [{"index": index, "header": header.headers[index], "column": name} for index, name in sorted(header.columns.items())]
    ImportIssue.objects.filter(job=job).delete()
    stage = Stage(Stage.name_for(job), spec)
    stage.create()
    _set(
        job,
        sheet=getattr(source, "sheet_name", "")[:100],
        header_row=header.row,
        columns=found,
        stage_table=stage.name,
        committed_row=0,
        committed_batches=0,
        committed_new=0,
        committed_updated=0,
        committed_skipped=0,
    )
    file_warnings = [
        (header.row, text, index, "", "unknown_column", _("This column is not part of the table and is ignored."))
        for index, text in sorted(header.unknown.items())
    ]
    _write_issues(job, file_warnings, ImportIssue.Severity.WARNING)
    spec.prepare(context)

    required = job.strategy
    mapping = [
        (index, spec.by_name[name], name, spec.by_name[name] in required_columns(spec, required))
        for index, name in sorted(header.columns.items())
    ]
    digest_of = digest_getter(spec)
    clean_row = spec.clean_row
    progress = Progress(job, 2, 85)
    errors, warnings = [], []
    total = rejected = warned = staged = last_row = 0
    required_message = _("This column is required.")
    example_checked = False
    next_flush = FLUSH_ROWS
    with stage.writer() as writer:
        for number, cells in source.rows():
            if number <= header.row:
                continue
            width = len(cells)
            row = Row(number, context)
            values = {}
            blank = True
            for index, column, name, is_required in mapping:
                value = cells[index] if index < width else None
                # The common case first: a non-empty cell (CSV gives strings, workbooks typed values).
                if value is None or value == "" or (value.__class__ is str and value.isspace()):
                    values[name] = None
                    if is_required:
                        row.error(column, "required", required_message, "")
                    continue
                blank = False
                try:
                    values[name] = column.parse(value, row)
                except CellError as exc:
                    values[name] = None
                    row.error(column, exc.code, exc.message, value)
            if blank:
                continue
            if not example_checked:
                example_checked = True
                if _is_example(spec, {name: (cells[index] if index < width else "") for index, _c, name, _r in mapping}):
                    warnings.append((number, "", None, "", "example_row", _("The template's example row was skipped.")))
                    warned += 1
                    continue
            total += 1
            last_row = number
            result = None
            if row.errors is None:
                try:
                    result = clean_row(values, row)
                except CellError as exc:
                    row.error(None, exc.code, exc.message)
            if row.errors is not None or result is None:
                rejected += 1
                if row.errors is None:
                    row.error(None, "rejected", _("The row was rejected."))
                errors.extend(row.errors)
            else:
                key, display, staged_values = result
                writer.write((number, key, display, hash(digest_of(staged_values)), *staged_values))
                staged += 1
            if row.warnings is not None:
                warned += 1
                warnings.extend(row.warnings)
            if staged >= next_flush or len(errors) + len(warnings) >= FLUSH_ROWS:
                next_flush = staged + FLUSH_ROWS
                writer.flush()
                _write_issues(job, errors, ImportIssue.Severity.ERROR)
                _write_issues(job, warnings, ImportIssue.Severity.WARNING)
                errors, warnings = [], []
                progress(source.fraction(), _("%(rows)s rows read") % {"rows": f"{total:,}"})
    _write_issues(job, errors, ImportIssue.Severity.ERROR)
    _write_issues(job, warnings, ImportIssue.Severity.WARNING)
    source.close()
    if total == 0:
        raise readers.FileRejected(_("The file has a header row but no data rows."))

    progress(1.0, _("Comparing %(rows)s rows with the registry") % {"rows": f"{total:,}"}, force=True)
    stage.index()
    stage.mark_duplicates()
    for lookup in spec.lookups:
        stage.resolve_lookup(lookup, context.scope)
    spec.after_lookups(stage, context)
    stage.classify(spec.match, job.strategy, context.scope)
    Progress(job, 85, 95)(0.0, _("Recording the findings"), force=True)
    sql_errors = []
    for number, reason, ref, display in stage.rejected():
        sql_errors.append(_sql_issue(context, number, reason, ref, display))
        if len(sql_errors) >= FLUSH_ROWS:
            _write_issues(job, sql_errors, ImportIssue.Severity.ERROR)
            sql_errors = []
    _write_issues(job, sql_errors, ImportIssue.Severity.ERROR)
    counts = stage.counts()
    _set(
        job,
        total_rows=total,
        last_row=last_row,
        staged_rows=staged,
        count_new=counts.get("n", 0),
        count_updated=counts.get("u", 0),
        count_unchanged=counts.get("s", 0),
        count_rejected=rejected + counts.get("r", 0),
        count_warnings=warned + len(file_warnings),
    )
    if job.count_rejected or job.count_warnings:
        Progress(job, 95, 99)(0.0, _("Writing the annotated file"), force=True)
        from .annotate import write_annotated

        write_annotated(job, path, source_format=job.file_format, header=header)
    _set(
        job,
        status=type(job).Status.VALIDATED,
        percent=100,
        validated_at=timezone.now(),
        heartbeat_at=timezone.now(),
        message=_("Validated: %(new)s new, %(updated)s to update, %(same)s unchanged, %(rejected)s rejected")
        % {
            "new": job.count_new,
            "updated": job.count_updated,
            "same": job.count_unchanged,
            "rejected": job.count_rejected,
        },
    )
    record(
        job.user,
        "import.validate",
        job,
        changes={
            "batch_id": job.batch_id,
            "table": spec.name,
            "rows": total,
            "new": job.count_new,
            "updated": job.count_updated,
            "unchanged": job.count_unchanged,
            "rejected": job.count_rejected,
        },
        region_code=job.region_id,
    )


def required_columns(spec, strategy):
    """Columns that must not be empty: every required one, or only the key when updating."""
    return {c for c in spec.import_columns() if c.required and (strategy != "update" or c.name in spec.key)}


def digest_getter(spec):
    """A function picking the stage values that duplicate rows are compared on (not the volatile ones)."""
    indices = [i for i, column in enumerate(spec.stage) if not column.volatile]
    return lambda values: tuple(values[i] for i in indices)


def _sql_issue(context, number, reason, ref, display):
    spec = context.spec
    key_column = spec.by_name[spec.key[0]]
    header, index = context.column_position(key_column.name)
    key_name = str(spec.key_label) if spec.key_label else key_column.header
    shown = display or ""
    column_header, column_index = header, index
    if reason == "dup":
        message = _("The same %(key)s is already in row %(row)s; this copy is skipped.") % {"key": key_name, "row": ref}
    elif reason == "dup_conflict":
        message = _(
            "The same %(key)s appears again in row %(row)s with different values; decide which row is right and remove the other."
        ) % {"key": key_name, "row": ref}
    elif reason == "exists":
        message = _(
            "A record with this %(key)s already exists with different values; to change it, import with the strategy "
            "“update” or “add and update”."
        ) % {"key": key_name}
    elif reason == "not_found":
        message = _(
            "There is no record with this %(key)s to update; to add it, import with the strategy “add” or “add and update”."
        ) % {"key": key_name}
    elif reason == "target_scope":
        message = _("The existing record with this %(key)s belongs to %(region)s, outside your region.") % {
            "key": key_name,
            "region": context.regions.full_name(ref) or ref,
        }
    elif reason == "owner":
        message = spec.reason_message(reason, ref, context) or _("The existing record belongs to someone else.")
    elif reason and reason.startswith(("lookup_missing:", "lookup_scope:")):
        kind, column_name = reason.split(":", 1)
        lookup = next(lookup for lookup in spec.lookups if lookup.column == column_name)
        column_header, column_index = context.column_position(column_name)
        if kind == "lookup_missing":
            message = str(lookup.missing)
        else:
            message = str(lookup.out_of_scope) % {"region": context.regions.full_name(ref) or ref}
    else:
        message = spec.reason_message(reason, ref, context) or _("The row was rejected.")
    return (number, column_header, column_index, shown, (reason or "rejected").split(":")[0], message)


# --- the report (the command line prints it; the pages show the same facts) -------------------------------


def report_lines(job, max_issues=50):
    from shegong.core.models import ImportIssue

    spec = get_spec(job.table)
    lines = [
        _("Import %(batch)s · %(table)s · %(file)s (SHA-256 %(sha)s)")
        % {"batch": job.batch_id, "table": spec.title, "file": job.original_name, "sha": job.sha256},
        _("Status: %(status)s") % {"status": job.get_status_display()},
    ]
    if job.error:
        lines.append(_("Error: %(error)s") % {"error": job.error})
    if job.validated_at:
        lines.append(
            _("Rows: %(total)s · new %(new)s · to update %(updated)s · unchanged %(same)s · rejected %(rejected)s · with warnings %(warnings)s")
            % {
                "total": job.total_rows,
                "new": job.count_new,
                "updated": job.count_updated,
                "same": job.count_unchanged,
                "rejected": job.count_rejected,
                "warnings": job.count_warnings,
            }
        )
    if job.confirmed_at:
        lines.append(
            _("Written: %(new)s added · %(updated)s changed · %(skipped)s skipped · up to row %(row)s in %(batches)s batches")
            % {
                "new": job.committed_new,
                "updated": job.committed_updated,
                "skipped": job.committed_skipped,
                "row": job.committed_row,
                "batches": job.committed_batches,
            }
        )
    issues = job.issues.order_by("row", "id")
    total = issues.count()
    for issue in issues[:max_issues]:
        kind = _("rejected") if issue.severity == ImportIssue.Severity.ERROR else _("warning")
        column = f"{issue.column_letter} {issue.column}".strip()
        lines.append(f"  {_('row')} {issue.row}{' · ' + column if column else ''} · {kind}: {issue.message}" + (f" [{issue.value}]" if issue.value else ""))
    if total > max_issues:
        lines.append(_("  ... and %(count)s more problems (see the import record)") % {"count": total - max_issues})
    return lines


# --- commit -------------------------------------------------------------------------------------------------


def confirm(job, user, mode=None):
    """The uploader confirms the preview; returns the job ready for ``commit``."""
    from shegong.core.models import ImportJob

    if user is not None and job.user_id != user.pk:
        raise ImportRefused(_("Only the person who uploaded the file can confirm the import."))
    if mode is not None and mode in ImportJob.Mode.values:
        job.mode = mode
    if job.status != ImportJob.Status.VALIDATED:
        raise ImportRefused(_("This import is not waiting for confirmation."))
    if job.mode == ImportJob.Mode.ALL_OR_NOTHING and job.count_rejected:
        raise ImportRefused(
            _("All or nothing: %(count)s rows are rejected, so nothing can be imported. Correct the file and upload it again, or import the valid rows only.")
            % {"count": job.count_rejected}
        )
    if job.count_new + job.count_updated == 0:
        raise ImportRefused(_("There is nothing to import: every valid row is already in the registry as it is."))
    check_can_import(user, get_spec(job.table), job.region)
    _set(job, mode=job.mode, status=ImportJob.Status.COMMITTING, confirmed_at=timezone.now(), percent=0, message=_("Waiting for a worker"), heartbeat_at=timezone.now())
    record(user, "import.confirm", job, changes={"batch_id": job.batch_id, "mode": job.mode}, region_code=job.region_id)
    return job


class StopCommit(Exception):
    """Another runner advanced the watermark: this one stops without writing."""


# Tests may set this to a callable(job, batch_number) run inside each batch's transaction, after the
# write and before the commit (to stop a worker mid-batch).
_inside_batch_hook = None


def commit(job):
    """Write the staged rows from the watermark on, one transaction per batch."""
    from shegong.core.models import ImportJob

    with translation.override(job.language or settings.LANGUAGE_CODE):
        job.refresh_from_db()
        if job.status != ImportJob.Status.COMMITTING:
            raise ImportRefused(_("This import is not confirmed."))
        spec = get_spec(job.table)
        stage = Stage(job.stage_table, spec)
        if not stage.exists() or stage.count() != job.staged_rows:
            _set(
                job,
                status=ImportJob.Status.FAILED,
                error=_("The staged rows are gone (the database was restarted or the staging expired). Validate the file again: rows already imported will show as unchanged."),
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
                        "import.batch",
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
            message=_("Imported: %(new)s added, %(updated)s changed") % {"new": job.committed_new, "updated": job.committed_updated},
        )
        record(
            job.user,
            "import.commit",
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


def resume(job, user=None):
    """Put a failed or stalled commit back in line; it continues from its watermark."""
    from shegong.core.models import ImportJob

    if user is not None and job.user_id != user.pk:
        raise ImportRefused(_("Only the person who uploaded the file can resume the import."))
    resumable = job.status == ImportJob.Status.FAILED and job.confirmed_at is not None and job.stage_table
    if not (resumable or (job.status == ImportJob.Status.COMMITTING and job.stalled)):
        raise ImportRefused(_("This import is not interrupted."))
    _set(job, status=ImportJob.Status.COMMITTING, error="", heartbeat_at=timezone.now(), message=_("Resuming after row %(row)s") % {"row": job.committed_row})
    record(user, "import.resume", job, changes={"batch_id": job.batch_id, "from_row": job.committed_row}, region_code=job.region_id)
    return job


def discard(job, user=None):
    from shegong.core.models import ImportJob

    if user is not None and job.user_id != user.pk:
        raise ImportRefused(_("Only the person who uploaded the file can discard the import."))
    if job.status in (ImportJob.Status.COMMITTING, ImportJob.Status.COMMITTED, ImportJob.Status.CANCELLED):
        raise ImportRefused(_("This import can no longer be discarded."))
    if job.stage_table:
        Stage(job.stage_table, get_spec(job.table)).drop()
    _set(job, status=ImportJob.Status.CANCELLED, stage_table="", finished_at=timezone.now(), message=_("Discarded"))
    record(user, "import.discard", job, changes={"batch_id": job.batch_id}, region_code=job.region_id)
    return job

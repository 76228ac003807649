"""The import engine: stage a file, validate every row, preview, commit batch by batch.

    stage_file(...)  -> ImportJob (status staged): the file is stored with its SHA-256
    validate(job)    -> every row read and checked, valid rows staged, classified against the
                        database in a few set-based statements; counts and issues recorded
    commit(job)      -> staged rows written in batches; each batch is one transaction that also
                        advances the job's watermark (``committed_row``) and writes the batch's audit
                        event, so a killed worker leaves whole batches only and a new run resumes

The same functions serve the pages, the API (through background tasks) and the command line.
The commit side lives in commit.py and the printed report in report.py; both are re-exported here.
"""

import hashlib
import logging
import operator
import os
import tempfile
import time
from contextlib import contextmanager
from functools import cached_property

from django.conf import settings
from django.core.files import File
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shegong.core import identifiers
from shegong.core.audit import actions, record

from . import readers
from .cells import CellError, IdParser, clean_text
from .columns import IdNumberColumn
from .regions import RegionIndex
from .spec import get_spec
from .stage import Stage, asynchronous_commit

logger = logging.getLogger(__name__)

FLUSH_ROWS = 20_000
STREAM_BYTES = 4 * 1024 * 1024  # larger files stream their staged rows through a second connection
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
        self.id_parser = IdParser()
        self.today = self.id_parser.today
        self.positions = {}  # spec column name -> (header as written, column index)
        self.cache = {}

    @cached_property
    def scope(self):
        return self.spec.import_scope(self.job.user, self.job.region)

    @cached_property
    def regions(self):
        return RegionIndex()

    def column_position(self, name):
        return self.positions.get(
            name, (str(self.spec.by_name[name].header) if name in self.spec.by_name else name, None)
        )

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


def check_can_import(user, spec, region=None, options=None):
    """Refuse (ImportRefused) an import ``user`` may not make; returns the checked options."""
    if user is not None and not spec.can_import(user):
        raise ImportRefused(_("You may not import %(table)s.") % {"table": spec.title})
    if not spec.importable:
        raise ImportRefused(_("%(table)s cannot be imported.") % {"table": spec.title})
    if not spec.import_scope(user, region):
        raise ImportRefused(_("You may import rows of your own region only, and this region is outside it."))
    return spec.check_options(user, options)


def stage_file(
    user, spec_name, path, *, original_name, strategy="upsert", mode="valid", region=None, language="", options=None
):
    """Create the ImportJob for a file on disk (copied into storage); checks the type by content.

    ``options`` are what the staging page knows and the spec needs (the activity of an attendance
    list); the spec checks them (``check_options``) now and at confirmation."""
    from shegong.core.models import ImportJob

    spec = get_spec(spec_name)
    if region is None and user is not None:
        region = user.region
    options = check_can_import(user, spec, region, options)
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
        options=options,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
    )
    with open(path, "rb") as handle:
        job.file.save(f"{job.batch_id}.{fmt}", File(handle), save=False)
    job.save()
    record(
        user,
        actions.IMPORT_UPLOAD,
        job,
        changes={
            "table": spec.name,
            "batch_id": job.batch_id,
            "file": job.original_name,
            "sha256": job.sha256,
            "strategy": strategy,
            "mode": mode,
            **({"options": options} if options else {}),
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
        _set(
            job,
            status=ImportJob.Status.VALIDATING,
            percent=0,
            message=_("Reading the file"),
            heartbeat_at=timezone.now(),
            error="",
        )
        try:
            with local_copy(job.file) as path, asynchronous_commit():
                _validate(job, path)
        except readers.FileRejected as exc:
            _set(
                job,
                status=ImportJob.Status.INVALID,
                error=str(exc),
                message=str(exc)[:300],
                percent=100,
                finished_at=timezone.now(),
            )
            record(
                job.user,
                actions.IMPORT_INVALID,
                job,
                changes={"batch_id": job.batch_id, "error": str(exc)},
                region_code=job.region_id,
            )
        except ImportRefused as exc:
            _set(job, status=ImportJob.Status.INVALID, error=str(exc), message=str(exc)[:300], percent=100)
        except Exception as exc:
            logger.exception("validation of import %s failed", job.pk)
            _set(
                job,
                status=ImportJob.Status.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                message=_("The validation failed."),
            )
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
    found = [
        {"index": index, "header": header.headers[index], "column": name}
        for index, name in sorted(header.columns.items())
    ]
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
    mapping = [
        (index, column, name, is_required, column.parse if column.validators else column.convert)
        for index, column, name, is_required in mapping
    ]
    digest_of = digest_getter(spec)
    clean_row = spec.clean_row
    progress = Progress(job, 2, 85)
    errors, warnings = [], []
    total = rejected = warned = staged = last_row = 0
    required_message = _("This column is required.")
    example_checked = False
    next_flush = FLUSH_ROWS
    with stage.writer(streaming=job.size > STREAM_BYTES) as writer:
        for number, cells in source.rows():
            if number <= header.row:
                continue
            width = len(cells)
            row = Row(number, context)
            values = {}
            blank = True
            for index, column, name, is_required, parse in mapping:
                value = cells[index] if index < width else None
                # The common case first: a non-empty cell (CSV gives strings, workbooks typed values).
                if value is None or value == "" or (value.__class__ is str and value.isspace()):
                    values[name] = None
                    if is_required:
                        row.error(column, "required", required_message, "")
                    continue
                blank = False
                try:
                    values[name] = parse(value, row)
                except CellError as exc:
                    values[name] = None
                    row.error(column, exc.code, exc.message, value)
            if blank:
                continue
            if not example_checked:
                example_checked = True
                if _is_example(
                    spec, {name: (cells[index] if index < width else "") for index, _c, name, _r, _p in mapping}
                ):
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
    stage.index(staged)
    stage.mark_duplicates()
    for lookup in spec.lookups:
        stage.resolve_lookup(lookup, context.scope)
    spec.after_lookups(stage, context)
    stage.classify(spec.match, job.strategy, context.scope)
    counts = stage.counts()
    if counts.get("r"):
        Progress(job, 85, 95)(0.0, _("Recording the findings"), force=True)
        sql_errors = []
        for number, reason, ref, display in stage.rejected():
            sql_errors.append(_sql_issue(context, number, reason, ref, display))
            if len(sql_errors) >= FLUSH_ROWS:
                _write_issues(job, sql_errors, ImportIssue.Severity.ERROR)
                sql_errors = []
        _write_issues(job, sql_errors, ImportIssue.Severity.ERROR)
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
        actions.IMPORT_VALIDATE,
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
    if len(indices) == 1:
        return lambda values: (values[indices[0]],)
    return operator.itemgetter(*indices)


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
        column_name = spec.reason_column(reason, ref, context)
        if column_name is not None:
            column_header, column_index = context.column_position(column_name)
    return (number, column_header, column_index, shown, (reason or "rejected").split(":")[0], message)


# The commit side (commit.py) and the printed report (report.py), reachable from here as well.


def confirm(job, mode=None, *, actor):
    from .commit import confirm as run

    return run(job, mode=mode, actor=actor)


def commit(job):
    from .commit import commit as run

    return run(job)


def resume(job, *, actor=None):
    from .commit import resume as run

    return run(job, actor=actor)


def discard(job, *, actor=None):
    from .commit import discard as run

    return run(job, actor=actor)


def report_lines(job, max_issues=50):
    from .report import report_lines as run

    return run(job, max_issues)

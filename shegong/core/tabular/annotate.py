"""The annotated file: the uploaded file as it was, with one column added that says what is wrong per row.

It is written in the uploaded format (CSV stays CSV; a workbook becomes .xlsx with the data sheet),
streamed (the CSV writer writes line by line, xlsxwriter runs in constant-memory mode) while the
issues are read from the database in row order alongside.
"""

import csv
import datetime
import os
import tempfile

from django.core.files import File
from django.utils.translation import gettext as _

from . import readers
from .cells import is_formula_like, neutralise


def _issues_by_row(job):
    from shegong.core.models import ImportIssue

    rows = (
        ImportIssue.objects.filter(job=job)
        .order_by("row", "id")
        .values_list("row", "severity", "column", "message")
        .iterator(chunk_size=5000)
    )
    current, texts, has_error = None, [], False
    for row, severity, column, message in rows:
        if row != current:
            if current is not None:
                yield current, texts, has_error
            current, texts, has_error = row, [], False
        prefix = _("Rejected") if severity == ImportIssue.Severity.ERROR else _("Warning")
        has_error = has_error or severity == ImportIssue.Severity.ERROR
        texts.append(f"[{prefix}] {column + ': ' if column else ''}{message}")
    if current is not None:
        yield current, texts, has_error


class _Merge:
    """Walks the issues alongside the file rows (both in ascending row order)."""

    def __init__(self, job):
        self.issues = _issues_by_row(job)
        self.next = next(self.issues, None)

    def take(self, number):
        while self.next is not None and self.next[0] < number:
            self.next = next(self.issues, None)
        if self.next is not None and self.next[0] == number:
            found = self.next
            self.next = next(self.issues, None)
            return "\n".join(found[1]), found[2]
        return "", False


def _header_note(merge, number, title):
    """The added column's header cell: its title, then what concerns the file as a whole (columns of
    another table, which are ignored), so that the annotated file says it as the page does."""
    extra, _error = merge.take(number)
    return f"{title}\n{extra}" if extra else title


def write_annotated(job, path, *, source_format, header):
    """Write and attach ``job.annotated_file``."""
    width = max([*header.columns, *header.unknown, *header.ignored, -1]) + 1
    title = _("Problems found by the import")
    base = os.path.splitext(job.original_name)[0] or job.batch_id
    with tempfile.TemporaryDirectory() as tmp:
        if source_format == "csv":
            target = os.path.join(tmp, "annotated.csv")
            _write_csv(job, path, target, width, header.row, title)
            name = f"{base}-annotated.csv"
        else:
            target = os.path.join(tmp, "annotated.xlsx")
            _write_xlsx(job, path, source_format, target, width, header.row, title)
            name = f"{base}-annotated.xlsx"
        with open(target, "rb") as handle:
            if job.annotated_file:
                job.annotated_file.delete(save=False)
            job.annotated_file.save(name, File(handle), save=False)
    type(job).objects.filter(pk=job.pk).update(annotated_file=job.annotated_file.name)


def _write_csv(job, path, target, width, header_row, title):
    source = readers.CsvSource(path)
    merge = _Merge(job)
    with open(target, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for number, cells in source.rows():
            cells = [neutralise(cell) for cell in cells] + [""] * (width - len(cells))
            if number == header_row:
                extra = _header_note(merge, number, title)
            else:
                extra, _error = merge.take(number)
            writer.writerow([*cells[:width], neutralise(extra), *cells[width:]])


def _write_xlsx(job, path, source_format, target, width, header_row, title):
    import xlsxwriter

    source = readers.WorkbookSource(path, source_format, sheet=job.sheet or None)
    if not job.sheet:
        source.use(source.sheet_names[0])
    merge = _Merge(job)
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet((job.sheet or "Sheet1")[:31])
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    error_format = workbook.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE", "text_wrap": True})
    warning_format = workbook.add_format({"font_color": "#7F6000", "bg_color": "#FFEB9C", "text_wrap": True})
    header_format = workbook.add_format({"bold": True, "font_color": "#9C0006", "text_wrap": True})
    formats = (date_format, datetime_format, workbook.add_format({"quote_prefix": True}))
    sheet.set_column(width, width, 60)
    for number, cells in source.rows():
        r = number - 1
        for c, value in enumerate(cells[:width]):
            _write_cell(sheet, r, c, value, *formats)
        if number == header_row:
            sheet.write_string(r, width, _header_note(merge, number, title), header_format)
        else:
            extra, error = merge.take(number)
            if extra:
                sheet.write_string(r, width, extra, error_format if error else warning_format)
        for c, value in enumerate(cells[width:], start=width + 1):
            _write_cell(sheet, r, c, value, *formats)
    workbook.close()


def _write_cell(sheet, r, c, value, date_format, datetime_format, quoted_format):
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value)
    elif isinstance(value, datetime.datetime):
        sheet.write_datetime(r, c, value, datetime_format)
    elif isinstance(value, datetime.date):
        sheet.write_datetime(r, c, value, date_format)
    else:
        value = str(value)
        # Text a spreadsheet would run as a formula stays text (Excel's quote prefix), as in exports.
        sheet.write_string(r, c, value, quoted_format if is_formula_like(value) else None)

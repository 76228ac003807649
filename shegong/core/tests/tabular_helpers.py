"""Helpers for the import/export engine's tests: files in, jobs out."""

import csv
import io

import xlsxwriter

from shegong.core.tabular import engine


def csv_bytes(rows, encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, *, text_columns=(), merges=(), sheet_name="Sheet1", extra_sheets=()):
    """An xlsx file; cells keep their Python type (numbers stay numbers, as Excel would store them)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    for name, sheet_rows in extra_sheets:
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(sheet_rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    sheet = workbook.add_worksheet(sheet_name)
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if hasattr(value, "isoformat"):
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write(r, c, value)
    for r0, c0, r1, c1, value in merges:
        sheet.merge_range(r0, c0, r1, c1, value)
    workbook.close()
    return buffer.getvalue()


def stage(tmp_path, user, table, content, *, name="data.csv", region=None, language="en", **options):
    """Stage a file; messages come in English (the msgids) unless ``language`` says otherwise."""
    path = tmp_path / name
    path.write_bytes(content)
    return engine.stage_file(user, table, str(path), original_name=name, region=region, language=language, **options)


def validated(tmp_path, user, table, content, **options):
    job = stage(tmp_path, user, table, content, **options)
    engine.validate(job)
    job.refresh_from_db()
    return job


def imported(tmp_path, user, table, content, **options):
    job = validated(tmp_path, user, table, content, **options)
    if job.status == job.Status.VALIDATED and job.can_commit:
        engine.confirm(job, user)
        engine.commit(job)
        job.refresh_from_db()
    return job


def issues(job, severity=None):
    queryset = job.issues.order_by("row", "id")
    if severity:
        queryset = queryset.filter(severity=severity)
    return [(i.row, i.column, i.code, i.message) for i in queryset]


def codes(job, severity="error"):
    return [(row, code) for row, _column, code, _message in issues(job, severity)]

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
        engine.confirm(job, actor=user)
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


def exported_rows(content, fmt):
    """The rows of an exported file, as a spreadsheet reads them (csv: the raw cell texts)."""
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def xlsx_cell_formats(content):
    """``{(row, column): (text_format, quote_prefix)}`` for every cell of an xlsx file's first sheet (0-based).

    ``text_format``: the cell's number format is text ("@"), so Excel keeps what
    it holds as typed; ``quote_prefix``: Excel's leading-apostrophe flag (a formula-like text stays
    text when the cell is edited).
    """
    import re
    import zipfile
    from xml.etree import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns = {"m": main[1:-1]}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    custom = {fmt.get("numFmtId"): fmt.get("formatCode") for fmt in styles.iter(main + "numFmt")}
    xfs = [
        (xf.get("numFmtId") == "49" or custom.get(xf.get("numFmtId")) == "@", xf.get("quotePrefix") == "1")
        for xf in styles.find("m:cellXfs", ns).findall("m:xf", ns)
    ]
    result = {}
    for cell in sheet.iter(main + "c"):
        letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", cell.get("r")).groups()
        column = 0
        for letter in letters:
            column = column * 26 + ord(letter) - 64
        result[(int(digits) - 1, column - 1)] = xfs[int(cell.get("s", "0"))]
    return result

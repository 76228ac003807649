"""Reading uploaded files: the type checked by content, rows streamed, the header row found.

- CSV: UTF-8 (with or without a byte-order mark), GB18030 (what Chinese Excel writes for "CSV") or
  UTF-16 ("Unicode text", tab-separated); comma, tab or semicolon delimited. Read as a stream.
- XLSX (and old XLS): read with python-calamine, which is several times faster than openpyxl; the
  sheet whose header row matches the table best is used (a template's instruction sheet is skipped).

The header row is not assumed to be the first: titles above it, merged cells and headers written on
two rows (a group header above, the column names below, some names merged down over both rows) are
handled by matching known headers. Rows that are entirely empty are skipped; columns without a
header are ignored. Row numbers are the ones the spreadsheet shows (1-based, header included).
"""

import codecs
import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from .cells import clean_text, is_blank
from .columns import header_key

HEADER_SCAN_ROWS = 30
SNIFF_BYTES = 1 << 20


class FileRejected(Exception):
    """The file as a whole cannot be imported (wrong type, no header row, missing columns...)."""


def detect_format(path, name=""):
    """'csv', 'xlsx' or 'xls' by content, which must agree with the name's extension; raises FileRejected.

    The content is judged by ``core.uploads.check_upload``, the check of every upload: a web page or
    XML named .xls is "not an Excel file", a CSV named .xlsx is refused as not what its name says.
    """
    from django.core.exceptions import ValidationError

    from shegong.core.uploads import check_upload, sniff_path

    try:
        kind = check_upload(path, name or os.path.basename(path), accept=("xlsx", "xls", "text"))
    except ValidationError as exc:
        if exc.code == "file_damaged":
            raise FileRejected(_("The file is a damaged ZIP archive, not an Excel workbook.")) from exc
        if exc.code == "file_empty":
            raise FileRejected(_("The file is empty.")) from exc
        if exc.code == "file_type" and sniff_path(path) == "zip":
            raise FileRejected(_("The file is a ZIP archive but not an Excel workbook (.xlsx).")) from exc
        if exc.code == "file_type" and sniff_path(path) == "binary":
            raise FileRejected(_("The file is neither an Excel workbook nor a CSV text file.")) from exc
        raise FileRejected(" ".join(exc.messages)) from exc
    if kind == "xlsx":
        check_workbook_size(path)
    if kind != "text":
        return kind
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "csv"
    if csv_encoding(head) is None:
        raise FileRejected(_("The file is not a text file in a known encoding (UTF-8 or GB18030)."))
    return "csv"


_DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{0,3})(\d*):?([A-Z]{0,3})(\d*)\"")


def _column_number(letters):
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def max_cells():
    return int(getattr(settings, "IMPORT_MAX_CELLS", 30_000_000))


def check_workbook_size(path):
    """Refuse, before anything is loaded, a workbook that declares more cells than an import can hold.

    Each worksheet states its used range (``<dimension ref="A1:XFD1048576"/>``) in its first bytes,
    and the archive states each member's unpacked size: both are read without unpacking the sheets,
    so a file of a few KB declaring billions of cells (or unpacking to gigabytes) costs nothing.
    """
    limit = max_cells()
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            unpacked = sum(member.file_size for member in members)
            if unpacked > 40 * limit:  # some 40 bytes of XML per cell at most, on average
                raise FileRejected(_workbook_too_large(limit))
            for member in members:
                if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
                    continue
                with archive.open(member) as handle:
                    head = handle.read(4096)
                match = _DIMENSION_RE.search(head)
                if match is None:
                    continue
                first_col, first_row, last_col, last_row = match.groups()
                if not last_col:
                    last_col, last_row = first_col, first_row
                columns = _column_number(last_col) - _column_number(first_col or b"A") + 1
                rows = int(last_row or 1) - int(first_row or 1) + 1
                if columns * rows > limit:
                    raise FileRejected(_workbook_too_large(limit))
    except zipfile.BadZipFile as exc:
        raise FileRejected(_("The file is a damaged ZIP archive, not an Excel workbook.")) from exc


def _workbook_too_large(limit):
    return _(
        "The workbook declares more cells than an import can hold (at most %(limit)s): a sheet's used range "
        "reaches far beyond its data. Delete the empty rows and columns after the data (or copy the data into a "
        "new workbook) and upload it again."
    ) % {"limit": f"{limit:,}"}


def csv_encoding(head):
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        return None


@dataclass
class HeaderMatch:
    row: int  # 1-based row number of the (lower) header row
    columns: dict  # column index -> spec column name
    headers: dict  # column index -> header text as written
    unknown: dict = field(default_factory=dict)  # column index -> header text of columns not in the spec
    ignored: dict = field(default_factory=dict)  # known export-only headers
    score: int = 0


def _carry_right(cells, merges, row_index):
    """The upper header row with horizontally merged group headers repeated over their span."""
    carried = list(cells)
    for (r0, c0), (r1, c1) in merges:
        if r0 <= row_index <= r1 and c0 < len(carried):
            for c in range(c0 + 1, min(c1 + 1, len(carried))):
                carried[c] = carried[c0]
    return carried


def match_header(rows, spec, merges=()):
    """The best header row among ``rows`` (the first rows of a sheet, 0-based list) for ``spec``."""
    known = {}
    for column in spec.import_columns():
        for key in column.header_keys():
            known.setdefault(key, column.name)
    ignorable = {header_key(text) for text in spec.export_only_headers}
    best = None
    for index, row in enumerate(rows):
        lower = [clean_text(cell) if not is_blank(cell) else "" for cell in row]
        if not any(lower):
            continue
        uppers, raw_uppers = [], []
        for back in (1, 2):
            if index - back >= 0:
                upper = [clean_text(c) if not is_blank(c) else "" for c in rows[index - back]]
                raw_uppers.append(upper)
                uppers.append(_carry_right(upper, merges, index - back))
        columns, headers, unknown, ignored = {}, {}, {}, {}
        duplicate = None
        for c, text in enumerate(lower):
            options = [text] if text else []
            for upper in uppers:
                above = upper[c] if c < len(upper) else ""
                if not above:
                    continue
                options.append(above + text if text else above)
                if not text:
                    break
            found = None
            for option in options:
                name = known.get(header_key(option))
                if name is not None:
                    found = (name, option)
                    break
            if found is not None:
                if found[0] in columns.values():
                    first = next(i for i, n in columns.items() if n == found[0])
                    duplicate = _("The column %(header)s appears twice (columns %(first)s and %(second)s).") % {
                        "header": found[1],
                        "first": _letter(first),
                        "second": _letter(c),
                    }
                    continue
                columns[c] = found[0]
                headers[c] = found[1]
                continue
            # Not a column of the table: worth a warning if it is a header of its own (not the empty
            # lower half of a group header spanning several columns).
            own = text or next((u[c] for u in raw_uppers[:1] if c < len(u) and u[c]), "")
            if not own:
                continue
            if header_key(own) in ignorable:
                ignored[c] = own
            else:
                unknown[c] = own
        score = len(columns)
        if score and (best is None or score > best.score):
            best = HeaderMatch(
                row=index + 1, columns=columns, headers=headers, unknown=unknown, ignored=ignored, score=score
            )
            best.duplicate = duplicate
    return best


def _letter(index):
    from ..models.tabular import column_letter

    return column_letter(index)


class Source:
    """An opened file: ``rows()`` yields (row number, cells) from the first row; ``fraction()`` the share read."""

    format = ""
    sheet_name = ""
    merges = ()

    def head(self, count=HEADER_SCAN_ROWS):
        rows = []
        for _number, cells in self.rows():
            rows.append(cells)
            if len(rows) >= count:
                break
        return rows

    def close(self):
        pass


class CsvSource(Source):
    format = "csv"

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
        self.encoding = csv_encoding(head) or "utf-8"
        text = head.decode(self.encoding if self.encoding != "utf-8-sig" else "utf-8-sig", errors="ignore")
        first = text.split("\n", 1)[0]
        counts = {d: first.count(d) for d in (",", "\t", ";")}
        self.delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
        self._binary = None
        self.size = max(1, _size(path))

    def rows(self):
        binary = open(self.path, "rb")  # noqa: SIM115 (closed below)
        self._binary = binary
        try:
            text = io.TextIOWrapper(binary, encoding=self.encoding, errors="strict", newline="")
            reader = csv.reader(text, delimiter=self.delimiter)
            try:
                yield from enumerate(reader, start=1)
            except UnicodeDecodeError as exc:
                raise FileRejected(
                    _("The file is not valid %(encoding)s text after byte %(position)s.")
                    % {"encoding": self.encoding, "position": exc.start}
                ) from exc
            except csv.Error as exc:
                raise FileRejected(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc
        finally:
            binary.close()

    def fraction(self):
        try:
            return min(1.0, self._binary.tell() / self.size) if self._binary and not self._binary.closed else 1.0
        except (OSError, ValueError):
            return 1.0


class WorkbookSource(Source):
    def __init__(self, path, fmt, sheet=None):
        from python_calamine import CalamineError, CalamineWorkbook

        self.format = fmt
        try:
            self.workbook = CalamineWorkbook.from_path(str(path))
        except (CalamineError, ValueError, OSError) as exc:
            raise FileRejected(_("The workbook cannot be read: %(error)s") % {"error": exc}) from exc
        self.sheet_names = [
            meta.name
            for meta in self.workbook.sheets_metadata
            if str(meta.visible).endswith("Visible") and str(meta.typ).endswith("WorkSheet")
        ] or list(self.workbook.sheet_names)
        self._sheet = None
        self._done = 0
        if sheet is not None:
            self.use(sheet)

    def use(self, name):
        self.sheet_name = name
        self._sheet = self.workbook.get_sheet_by_name(name)
        self.merges = tuple(self._sheet.merged_cell_ranges or ())
        start = self._sheet.start
        self._offset = start[1] if start else 0
        self.total = max(1, (self._sheet.end[0] + 1) if self._sheet.end else 1)

    def head_of(self, name, count=HEADER_SCAN_ROWS):
        sheet = self.workbook.get_sheet_by_name(name)
        return sheet.to_python(skip_empty_area=False, nrows=count), tuple(sheet.merged_cell_ranges or ())

    def rows(self):
        pad = [""] * self._offset
        self._done = 0
        for index, cells in enumerate(self._sheet.iter_rows()):
            self._done = index
            yield index + 1, pad + cells if pad else cells

    def fraction(self):
        return min(1.0, self._done / self.total)


def _size(path):
    import os

    return os.path.getsize(path)


def open_source(path, fmt):
    if fmt == "csv":
        return CsvSource(path)
    return WorkbookSource(path, fmt)


def locate(source, spec, strategy="upsert"):
    """Choose the sheet and header row for ``spec``; return the HeaderMatch or raise FileRejected."""
    best = None
    if isinstance(source, WorkbookSource):
        for name in source.sheet_names:
            rows, merges = source.head_of(name)
            found = match_header(rows, spec, merges)
            if found is not None and (best is None or found.score > best[1].score):
                best = (name, found)
        if best is not None:
            source.use(best[0])
    else:
        found = match_header(source.head(), spec)
        if found is not None:
            best = ("", found)
    if best is None:
        raise FileRejected(
            _("No header row was found: the first rows name none of this table's columns (%(headers)s).")
            % {"headers": "、".join(column.header for column in spec.import_columns())}
        )
    header = best[1]
    if getattr(header, "duplicate", None):
        raise FileRejected(header.duplicate)
    missing = [
        column.header
        for column in spec.import_columns()
        if column.required
        and (strategy != "update" or column.name in spec.key)
        and column.name not in header.columns.values()
    ]
    if missing:
        raise FileRejected(
            _("Required columns are missing: %(columns)s. The header row found is row %(row)d.")
            % {"columns": "、".join(missing), "row": header.row}
        )
    return header

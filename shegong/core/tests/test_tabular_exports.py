"""The one export writer (core/tabular/export.py): formula cells neutralised and ID columns kept as text,
in csv and xlsx alike, and the row limit. Each rerouted export has its own test with its app."""

import io
import zipfile

import pytest

from shegong.core.tabular import cells
from shegong.core.tabular import columns as c
from shegong.core.tabular.export import is_formula_like, write_export
from shegong.core.tabular.spec import TableSpec

from .tabular_helpers import exported_rows, xlsx_cell_formats

DANGEROUS = [
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+SUM(A1)",
    "-2+3+cmd|' /C calc'!A0",  # starts like a negative number
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]
HARMLESS = ["+86 138 0013 8000", "-12.5", "-(3)", "020-12345678", "社工", "a=b"]


def _spec(**options):
    return TableSpec(
        name="probe",
        title="probe",
        model=None,
        key=("code",),
        importable=False,
        columns=[
            c.IdentifierTextColumn("code", "代码", "code"),
            c.TextColumn("text", "文本", "text"),
            c.IntColumn("number", "数量", "number"),
        ],
        **options,
    )


def _write(tmp_path, spec, rows, fmt):
    target = tmp_path / f"out.{fmt}"
    count = write_export(spec, iter(rows), fmt, str(target))
    return count, target.read_bytes()


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_like_texts_are_recognised(value):
    assert is_formula_like(value)


@pytest.mark.parametrize("value", HARMLESS)
def test_numbers_and_telephone_numbers_are_not_formulas(value):
    assert not is_formula_like(value)


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted_and_import_back_unchanged(tmp_path):
    rows = [["44010" + str(i), value, i] for i, value in enumerate(DANGEROUS + HARMLESS)]
    count, content = _write(tmp_path, _spec(), rows, "csv")
    assert count == len(rows)
    read = exported_rows(content, "csv")
    assert read[0] == ["代码", "文本", "数量"]
    for (_code, value, _n), (_, written, _) in zip(rows, read[1:], strict=True):
        if value in DANGEROUS:
            assert written == "'" + value
            assert cells.clean_text(written) == cells.clean_text(value)  # an import drops the quote again
        else:
            assert written == value


def test_xlsx_formula_like_cells_are_quoted_text_and_id_columns_text_formatted(tmp_path):
    rows = [["0440106", value, 7] for value in DANGEROUS + HARMLESS] + [["=1+2", "x", 1]]
    count, content = _write(tmp_path, _spec(), rows, "xlsx")
    assert count == len(rows)
    read = exported_rows(content, "xlsx")
    formats = xlsx_cell_formats(content)
    for r, (code, value, number) in enumerate(rows, start=1):
        assert read[r][0] == code  # leading zero kept: a string cell...
        assert formats[(r, 0)][0] is True  # ...formatted as text
        assert read[r][1] == value  # the text itself is unchanged, and never a formula
        assert formats[(r, 1)] == ((True, True) if is_formula_like(value) else (False, False))
        assert read[r][2] == number and formats[(r, 2)] == (False, False)  # numbers stay numbers
    assert formats[(len(rows), 0)] == (True, True)  # an ID column's formula-like text is quoted too
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")  # no formula cell anywhere


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_row_limit_cuts_the_file_and_says_so(tmp_path, fmt):
    rows = [[str(i), "x", i] for i in range(5)]
    count, content = _write(tmp_path, _spec(export_max_rows=3), rows, fmt)
    assert count == 3 and count.truncated
    assert len(exported_rows(content, fmt)) == 4
    count, _content = _write(tmp_path, _spec(export_max_rows=5), rows, fmt)
    assert count == 5 and not count.truncated

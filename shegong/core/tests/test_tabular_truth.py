"""Imports tell the whole truth, and the files the system writes or accepts cannot hurt (issue 11, items 7 and 8)."""

import csv
import io

import pytest
from python_calamine import CalamineWorkbook

from tests.factories import official

from .tabular_helpers import codes, csv_bytes, validated, xlsx_bytes, xlsx_cell_formats
from .test_tabular_import import HEADER, idn

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return official("440106")


def annotated(job):
    return job.annotated_file.open("rb").read()


# --- the annotated file: formula cells neutralised, the file's own problems carried -----------------------------


def test_annotated_csv_neutralises_formula_cells(tmp_path, admin):
    rows = [
        HEADER,
        [idn(1), '=HYPERLINK("http://x","点我")', "", "", "440106", "@SUM(A1)"],
        ["123", "乙", "", "", "440106", ""],
    ]
    job = validated(tmp_path, admin, "workers", csv_bytes(rows))
    table = list(csv.reader(io.StringIO(annotated(job).decode("utf-8-sig"))))
    assert table[1][1] == '\'=HYPERLINK("http://x","点我")'
    assert table[1][5] == "'@SUM(A1)"
    assert table[2][0] == "123"


def test_annotated_xlsx_keeps_formula_cells_as_quoted_text(tmp_path, admin):
    rows = [HEADER, [idn(1), "=1+1", "", "", "440106", "-2+3+cmd|' /C calc'!A0"], ["123", "乙", "", "", "440106", ""]]
    job = validated(tmp_path, admin, "workers", xlsx_bytes(rows), name="a.xlsx")
    content = annotated(job)
    formats = xlsx_cell_formats(content)
    assert formats[(1, 1)][1] and formats[(1, 5)][1]  # quote prefix: editing the cell does not run it
    assert not formats[(2, 1)][1]
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert sheet[1][1] == "=1+1"


def test_columns_of_another_table_are_named_in_the_annotated_file(tmp_path, admin):
    rows = [[*HEADER, "管理号"], [idn(1), "甲", "", "", "440106", "", "2020"], ["123", "乙", "", "", "440106", "", ""]]
    job = validated(tmp_path, admin, "workers", csv_bytes(rows))
    assert (1, "unknown_column") in codes(job, "warning")
    table = list(csv.reader(io.StringIO(annotated(job).decode("utf-8-sig"))))
    note = table[0][7]
    assert note.startswith("Problems found by the import")
    assert "管理号" in note and "not part of the table" in note

"""Imports tell the whole truth, and the files the system writes or accepts cannot hurt (issue 11, items 7 and 8)."""

import csv
import datetime
import io

import pytest
from python_calamine import CalamineWorkbook

from shegong.core.models import ImportJob
from shegong.core.tabular import cells, engine
from tests.factories import official

from .tabular_helpers import codes, csv_bytes, imported, issues, stage, validated, xlsx_bytes, xlsx_cell_formats
from .test_tabular_import import HEADER, idn

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return official("440106")


@pytest.fixture(autouse=True)
def english():
    """Refusals at upload are worded in the request's language: English (the msgids) here."""
    from django.utils import translation

    with translation.override("en"):
        yield


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


# --- placeholders, Excel's compact dates, lost characters, files that are not what they say ---------------------


def test_placeholders_in_key_columns_are_empty_never_a_value(tmp_path, admin):
    from shegong.workers.queries import find_person_by_id_number

    rows = [HEADER + ["户籍地"]]
    rows += [
        [idn(i), f"社工{i}", "", placeholder, "440106", placeholder, placeholder]
        for i, placeholder in enumerate(["无", "暂无", "/", "-", "N/A", "0"], start=1)
    ]
    job = imported(tmp_path, admin, "workers", csv_bytes(rows))
    assert job.committed_new == 6, issues(job)
    for i in range(1, 7):
        person = find_person_by_id_number(idn(i))
        assert person.phone == "" and person.household_region_id is None
    # A placeholder in a required key column is a missing value, said as such.
    job = validated(tmp_path, admin, "workers", csv_bytes([HEADER, ["无", "甲", "", "", "440106", ""]]))
    assert codes(job) == [(2, "required")]


def test_an_excel_number_holding_a_compact_date_is_that_date(tmp_path, admin):
    from shegong.workers.queries import find_person_by_id_number

    born = datetime.date(1983, 2, 11)
    number = idn(1, born=born)
    job = imported(
        tmp_path, admin, "workers", xlsx_bytes([HEADER, [number, "甲", "", 19830211, "440106", ""]]), name="a.xlsx"
    )
    assert job.committed_new == 1, issues(job)
    assert find_person_by_id_number(number).birth_date == born
    assert cells.parse_date(19830211.0, lambda *a: None) == born


def test_a_gbk_file_that_lost_a_character_is_warned_on_that_cell(tmp_path, admin):
    content = csv_bytes([HEADER, [idn(1), "𠮷", "", "", "440106", ""]], encoding="utf-8").decode("utf-8")
    gbk = content.encode("gbk", errors="replace")  # what Excel's "CSV" does: 𠮷 becomes ?
    job = validated(tmp_path, admin, "workers", gbk)
    assert job.status == ImportJob.Status.VALIDATED
    warned = [(row, column, code) for row, column, code, _m in issues(job, "warning")]
    assert warned == [(2, "姓名", "lost_character")]


def test_a_web_page_named_xls_is_not_an_excel_file(tmp_path, admin):
    page = "<html><body><table><tr><td>身份证号码</td><td>姓名</td></tr></table></body></html>".encode()
    with pytest.raises(engine.ImportRefused) as refused:
        stage(tmp_path, admin, "workers", page, name="花名册.xls")
    assert "Not an Excel file: save it as .xlsx" in str(refused.value)
    xml = b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>'
    with pytest.raises(engine.ImportRefused) as refused:
        stage(tmp_path, admin, "workers", xml, name="export.xls")
    assert "Not an Excel file" in str(refused.value)


def test_a_file_whose_content_is_not_what_its_name_says_is_refused(tmp_path, admin):
    with pytest.raises(engine.ImportRefused) as refused:
        stage(tmp_path, admin, "workers", csv_bytes([HEADER]), name="data.xlsx")
    assert "not what its name says" in str(refused.value)
    with pytest.raises(engine.ImportRefused) as refused:
        stage(tmp_path, admin, "workers", xlsx_bytes([HEADER]), name="data.csv")
    assert "not what its name says" in str(refused.value)


def _with_dimension(content, ref):
    """The xlsx ``content`` with its first sheet's declared used range replaced by ``ref``."""
    import re
    import zipfile

    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="' + ref + b'"/>', data)
            out.writestr(item, data)
    return target.getvalue()


def test_a_workbook_declaring_millions_of_cells_is_refused_at_upload(tmp_path, admin):
    content = xlsx_bytes([HEADER, [idn(1), "甲", "", "", "440106", ""]])
    bomb = _with_dimension(content, b"A1:XFD1048576")
    with pytest.raises(engine.ImportRefused) as refused:
        stage(tmp_path, admin, "workers", bomb, name="big.xlsx")
    assert "declares more cells than an import can hold" in str(refused.value)
    fine = _with_dimension(content, b"A1:F2")
    assert stage(tmp_path, admin, "workers", fine, name="ok.xlsx").file_format == "xlsx"


# --- registry exports carry the certificate level, the registration status and its validity ---------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_registry_export_carries_level_status_and_validity(tmp_path, admin, fmt):
    from shegong.core.tabular.export import run_export
    from shegong.core.tabular.spec import get_spec
    from shegong.workers.models import Certificate, Person
    from tests.factories import PersonFactory

    from .tabular_helpers import exported_rows

    registered = PersonFactory(id_number=idn(1), name="甲")
    Certificate.objects.create(person=registered, level="assistant", management_no="20190000000000001", exam_year=2019)
    Certificate.objects.create(
        person=registered, level="intermediate", management_no="20210000000000001", exam_year=2021
    )
    valid_to = datetime.date.today() + datetime.timedelta(days=400)
    Person.objects.unscoped("test").filter(pk=registered.pk).update(
        registration_state="registered", registration_valid_to=valid_to
    )
    PersonFactory(id_number=idn(2), name="乙")
    target = tmp_path / f"out.{fmt}"
    from django.utils import translation

    with translation.override("zh-hans"):
        run_export(admin, get_spec("workers"), {}, fmt, str(target))
    rows = exported_rows(target.read_bytes(), fmt)
    header = rows[0]
    assert header[-3:] == ["证书等级", "登记状态", "登记有效期至"]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["甲"][-3:] == ["社会工作师", "已登记", valid_to.isoformat()]
    assert by_name["乙"][-3:] == ["", "未登记", ""]

"""The import engine end to end on real-world files: messy cells, strategies, scope, idempotency, batches."""

import datetime
import io

import pytest
from python_calamine import CalamineWorkbook

from shegong.accounts.roles import Role
from shegong.core.identifiers import build_id_number, mask_id_number
from shegong.core.models import AuditEvent, ImportJob
from shegong.core.tabular import commit as commit_module
from shegong.core.tabular import engine
from shegong.organizations.models import Organization
from shegong.workers.models import Certificate, Person
from tests.factories import PersonFactory, official

from .tabular_helpers import codes, csv_bytes, imported, issues, stage, validated, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["身份证号码", "姓名", "性别", "出生日期", "工作地区", "手机号码"]


def idn(n, county="440106", born=None, female=False):
    born = born or datetime.date(1980, 1, 1) + datetime.timedelta(days=37 * n)
    sequence = (2 * n) % 1000 if female else (2 * n + 1) % 1000
    return build_id_number(county, born, sequence)


@pytest.fixture
def admin():
    return official("440106")


@pytest.fixture
def province_admin():
    return official("440000")


def person_by_number(number):
    from shegong.workers.queries import find_person_by_id_number

    return find_person_by_id_number(number)


# --- the happy path and its record ----------------------------------------------------------------------------


def test_a_clean_file_is_validated_previewed_and_committed(tmp_path, admin):
    rows = [HEADER] + [[idn(i), f"社工{i}", "男", "", "440106", "13800138000"] for i in range(20)]
    job = validated(tmp_path, admin, "workers", csv_bytes(rows))
    assert job.status == ImportJob.Status.VALIDATED
    assert (job.total_rows, job.count_new, job.count_updated, job.count_unchanged, job.count_rejected) == (
        20,
        20,
        0,
        0,
        0,
    )
    assert Person.objects.count() == 0  # nothing is written before confirmation
    assert job.sha256 and len(job.sha256) == 64 and job.file and job.batch_id
    engine.confirm(job, actor=admin)
    engine.commit(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTED
    assert (job.committed_new, job.committed_updated) == (20, 0)
    person = person_by_number(idn(3))
    assert person.name == "社工3" and person.region_id == "440106" and person.phone == "13800138000"
    assert person.sex == "male" and person.birth_date == datetime.date(1980, 1, 1) + datetime.timedelta(days=111)
    assert not Person.objects.filter(id_encrypted__isnull=True).exists()
    # The stage is gone; the audit log carries the batch id on every batch and on the summary.
    assert job.stage_table == ""
    events = AuditEvent.objects.filter(object_id=str(job.pk))
    actions = list(events.order_by("id").values_list("action", flat=True))
    assert actions == ["import.upload", "import.validate", "import.confirm", "import.batch", "import.commit"]
    assert all(event.changes["batch_id"] == job.batch_id for event in events)


def test_reimporting_the_same_file_changes_nothing(tmp_path, admin):
    rows = [HEADER] + [[idn(i), f"社工{i}", "", "", "440106", ""] for i in range(10)]
    first = imported(tmp_path, admin, "workers", csv_bytes(rows))
    assert first.committed_new == 10
    before = list(Person.objects.order_by("pk").values_list("pk", "name", "updated_at"))
    again = validated(tmp_path, admin, "workers", csv_bytes(rows))
    assert (again.count_new, again.count_updated, again.count_unchanged, again.count_rejected) == (0, 0, 10, 0)
    assert not again.can_commit
    with pytest.raises(engine.ImportRefused):
        engine.confirm(again, actor=admin)
    assert list(Person.objects.order_by("pk").values_list("pk", "name", "updated_at")) == before


def test_an_update_changes_only_what_differs_and_empty_cells_keep_values(tmp_path, admin):
    rows = [HEADER] + [[idn(i), f"社工{i}", "", "", "440106", "13800138000"] for i in range(3)]
    imported(tmp_path, admin, "workers", csv_bytes(rows))
    changed = [
        HEADER,
        [idn(0), "新名字", "", "", "440106", ""],
        [idn(1), "社工1", "", "", "440106", ""],
        [idn(2), "社工2", "", "", "440106", "13900139000"],
    ]
    job = imported(tmp_path, admin, "workers", csv_bytes(changed))
    assert (job.count_new, job.count_updated, job.count_unchanged) == (0, 2, 1)
    assert (job.committed_new, job.committed_updated) == (0, 2)
    assert person_by_number(idn(0)).name == "新名字"
    assert person_by_number(idn(0)).phone == "13800138000"  # empty cell: kept
    assert person_by_number(idn(2)).phone == "13900139000"


# --- strategies ------------------------------------------------------------------------------------------------


def test_insert_only_refuses_changes_to_existing_records(tmp_path, admin):
    imported(
        tmp_path,
        admin,
        "workers",
        csv_bytes([HEADER, [idn(0), "甲", "", "", "440106", ""], [idn(1), "乙", "", "", "440106", ""]]),
    )
    rows = [
        HEADER,
        [idn(0), "甲", "", "", "440106", ""],
        [idn(1), "乙改", "", "", "440106", ""],
        [idn(2), "丙", "", "", "440106", ""],
    ]
    job = imported(tmp_path, admin, "workers", csv_bytes(rows), strategy="insert")
    assert (job.count_new, job.count_updated, job.count_unchanged, job.count_rejected) == (1, 0, 1, 1)
    assert codes(job) == [(3, "exists")]
    assert person_by_number(idn(1)).name == "乙"
    assert person_by_number(idn(2)).name == "丙"


def test_update_only_refuses_unknown_records(tmp_path, admin):
    imported(tmp_path, admin, "workers", csv_bytes([HEADER, [idn(0), "甲", "", "", "440106", ""]]))
    rows = [["身份证号码", "手机号码"], [idn(0), "13700137000"], [idn(1), "13700137001"]]
    job = imported(tmp_path, admin, "workers", csv_bytes(rows), strategy="update")
    assert (job.count_new, job.count_updated, job.count_rejected) == (0, 1, 1)
    assert codes(job) == [(3, "not_found")]
    assert person_by_number(idn(0)).phone == "13700137000"
    assert person_by_number(idn(1)) is None


def test_upsert_adds_and_updates(tmp_path, admin):
    imported(tmp_path, admin, "workers", csv_bytes([HEADER, [idn(0), "甲", "", "", "440106", ""]]))
    job = imported(
        tmp_path,
        admin,
        "workers",
        csv_bytes([HEADER, [idn(0), "甲改", "", "", "440106", ""], [idn(1), "乙", "", "", "440106", ""]]),
    )
    assert (job.committed_new, job.committed_updated) == (1, 1)


def test_missing_required_columns_make_the_file_invalid(tmp_path, admin):
    job = validated(tmp_path, admin, "workers", csv_bytes([["身份证号码", "姓名"], [idn(0), "甲"]]))
    assert job.status == ImportJob.Status.INVALID
    assert "工作地区" in job.error


# --- real-world messiness ---------------------------------------------------------------------------------------


def test_messy_cells_are_normalised_or_rejected_with_precise_reasons(tmp_path, admin):
    female = idn(5, female=True)
    x_number = next(n for n in (idn(i) for i in range(200, 400)) if n.endswith("X"))
    old = "440106800101123"  # a 15-digit first-generation number
    fullwidth = idn(7).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    rows = [
        HEADER,
        [f" {idn(1)} ", " 张\n三 ", "男", "1980-2-7", "440106", " 138 0013 8000 "],  # 2: spaces, line breaks, text date
        [x_number.lower(), "李四", "", "", "广东省广州市天河区", ""],  # 3: lowercase x, region by full name
        [old, "王五", "", "1980年1月1日", "天河区", ""],  # 4: 15-digit ID (warning), unique short name
        [fullwidth, "赵六", "", "", "广州/天河区", ""],  # 5: full-width digits, region path
        ["4.40106E+17", "钱七", "", "", "440106", ""],  # 6: scientific notation: rejected
        ["440106198001011000", "孙八", "", "", "440106", ""],  # 7: digits lost by Excel: check fails, hint given
        [female, "周九", "男", "", "440106", ""],  # 8: sex contradicts the ID number
        [idn(9), "吴十", "", "1999-09-09", "440106", ""],  # 9: birth date contradicts the ID number
        [idn(10), "郑十一", "", "", "朝阳区", ""],  # 10: ambiguous region, neither in scope
        [idn(11), "冯十二", "", "", "火星区", ""],  # 11: unknown region
        [idn(12), "陈十三", "", "", "440105", ""],  # 12: another county: outside the importer's scope
        [idn(13), "", "", "", "440106", ""],  # 13: name missing
        [idn(14), "褚十四", "不详", "", "440106", ""],  # 14: sex not in the list
        [idn(15), "卫十五", "", "03/01/1980", "440106", ""],  # 15: an ambiguous date form
        [idn(16), "蒋十六", "", "", "440106", "12345"],  # 16: not a mobile number
        ["", "", "", "", "", ""],  # 17: empty row, skipped
        ["", "", "", "", "", ""],
    ]
    job = validated(tmp_path, admin, "workers", csv_bytes(rows))
    assert job.status == ImportJob.Status.VALIDATED, job.error
    rejected = dict(codes(job))
    assert rejected == {
        6: "excel_scientific",
        7: "id_bad_check",
        8: "sex_contradicts_id",
        9: "birth_contradicts_id",
        10: "region_ambiguous",
        11: "region_unknown",
        12: "out_of_scope",
        13: "required",
        14: "not_in_list",
        15: "bad_date",
        16: "bad_phone",
    }
    assert (job.total_rows, job.count_new, job.count_rejected) == (15, 4, 11)
    messages = {row: message for row, _c, _code, message in issues(job, "error")}
    assert "Excel" in messages[7]  # the trailing zeros hint at Excel
    assert "110105" in messages[10] and "220104" in messages[10]
    warnings = dict(codes(job, "warning"))
    assert warnings == {4: "id_converted_15"}
    # Rejected ID numbers are shown masked in the record.
    value = job.issues.get(row=7).value
    assert value == mask_id_number("440106198001011000")
    engine.confirm(job, actor=admin)
    engine.commit(job)
    assert person_by_number(idn(1)).name == "张三"
    assert person_by_number(idn(1)).phone == "13800138000"
    assert person_by_number(x_number).name == "李四"
    converted = person_by_number(old)
    assert converted.name == "王五" and converted.birth_date == datetime.date(1980, 1, 1)
    assert person_by_number(idn(7)).name == "赵六"


def test_duplicates_inside_the_file(tmp_path, admin):
    rows = [
        HEADER,
        [idn(1), "甲", "", "", "440106", ""],
        [idn(2), "乙", "", "", "440106", ""],
        [idn(1), "甲", "", "", "440106", ""],  # identical copy: skipped, the first is imported
        [idn(2), "乙乙", "", "", "440106", ""],  # conflicting copy: both rejected
        [idn(3), "丙", "", "", "440106", ""],
    ]
    job = imported(tmp_path, admin, "workers", csv_bytes(rows))
    assert sorted(codes(job)) == [(3, "dup_conflict"), (4, "dup"), (5, "dup_conflict")]
    messages = {row: message for row, _c, _code, message in issues(job, "error")}
    assert "2" in messages[4] and "5" in messages[3] and "3" in messages[5]
    assert job.committed_new == 2
    assert person_by_number(idn(2)) is None


def test_a_record_of_another_region_is_not_changed(tmp_path, admin):
    PersonFactory(id_number=idn(1), region_id="440105", name="海珠的人")
    job = validated(tmp_path, admin, "workers", csv_bytes([HEADER, [idn(1), "改名", "", "", "440106", ""]]))
    assert codes(job) == [(2, "target_scope")]
    assert "广东省广州市海珠区" in issues(job)[0][3]
    assert job.count_new + job.count_updated == 0


def test_read_only_staff_and_other_regions_cannot_import(tmp_path, admin):
    staff = official("440106", role=Role.STAFF)
    with pytest.raises(engine.ImportRefused):
        stage(tmp_path, staff, "workers", csv_bytes([HEADER, [idn(1), "甲", "", "", "440106", ""]]))
    other = official("440000")
    job = stage(tmp_path, other, "workers", csv_bytes([HEADER, [idn(1), "甲", "", "", "440106", ""]]))
    assert job.region_id == "440000"
    # A county admin cannot stage an import for a region outside their own.
    from shegong.regions.models import Region

    with pytest.raises(engine.ImportRefused):
        stage(tmp_path, admin, "workers", csv_bytes([HEADER]), region=Region.objects.get(code="510107"))


def test_a_province_admin_imports_all_counties_of_the_province(tmp_path, province_admin):
    rows = [
        HEADER,
        [idn(1), "甲", "", "", "440106", ""],
        [idn(2, county="440305"), "乙", "", "", "深圳市南山区", ""],
        [idn(3), "丙", "", "", "510107", ""],
    ]
    job = imported(tmp_path, province_admin, "workers", csv_bytes(rows))
    assert codes(job) == [(4, "out_of_scope")]
    assert job.committed_new == 2


def test_the_ambiguous_name_inside_scope_is_used_with_a_warning(tmp_path):
    beijing = official("110000")
    job = imported(
        tmp_path, beijing, "workers", csv_bytes([HEADER, [idn(1, county="110105"), "甲", "", "", "朝阳区", ""]])
    )
    assert dict(codes(job, "warning")) == {2: "region_guessed"}
    assert person_by_number(idn(1, county="110105")).region_id == "110105"


# --- files: formats, encodings, headers ---------------------------------------------------------------------------


def test_gb18030_csv_from_chinese_excel(tmp_path, admin):
    rows = [HEADER, [idn(1), "欧阳娜娜", "", "", "广东省广州市天河区", ""]]
    job = imported(tmp_path, admin, "workers", csv_bytes(rows, encoding="gb18030"))
    assert job.committed_new == 1
    assert person_by_number(idn(1)).name == "欧阳娜娜"


def test_utf16_tab_separated_text(tmp_path, admin):
    text = "\t".join(HEADER) + "\r\n" + "\t".join([idn(1), "甲", "", "", "440106", ""]) + "\r\n"
    job = imported(tmp_path, admin, "workers", text.encode("utf-16"), name="data.txt")
    assert job.committed_new == 1


def test_xlsx_with_titles_merged_two_row_headers_and_excel_numbers(tmp_path, admin):
    born3 = datetime.date(1980, 1, 1) + datetime.timedelta(days=111)
    serial3 = float((born3 - datetime.date(1899, 12, 30)).days)
    rows = [
        ["2021年天河区社会工作者花名册", "", "", "", "", "", ""],
        ["", "", "", "", "", "", ""],
        ["基本信息", "", "", "工作单位", "", "", "备注"],
        ["身份证\n号码", "姓名", "出生日期", "工作地区", "手机号码", "", ""],
        [idn(1), "甲", datetime.date(1980, 2, 7), "440106", 13800138000.0, "", "x"],
        [float(idn(2)), "乙", "", "440106", "", "", ""],  # an ID number stored as a number: digits lost
        [idn(3), "丙", serial3, "440106", "", "", ""],  # a plain number in a date column: read as an Excel date
        [idn(4), "丁", "", "440106", "", "", ""],
        ["", "", "", "", "", "", ""],
        ["", "", "", "", "", "", ""],
    ]
    merges = [(0, 0, 0, 6, "2021年天河区社会工作者花名册"), (2, 0, 2, 2, "基本信息"), (2, 3, 2, 5, "工作单位")]
    job = validated(tmp_path, admin, "workers", xlsx_bytes(rows, merges=merges), name="花名册.xlsx")
    assert job.status == ImportJob.Status.VALIDATED, job.error
    assert job.header_row == 4
    assert [c["column"] for c in job.columns] == ["id_number", "name", "birth_date", "region", "phone"]
    assert job.total_rows == 4
    assert codes(job) == [(6, "excel_number")]
    assert codes(job, "warning") == [(4, "unknown_column"), (7, "excel_serial")]
    assert "备注" in issues(job, "warning")[0][1]
    engine.confirm(job, actor=admin)
    engine.commit(job)
    assert person_by_number(idn(1)).phone == "13800138000"
    assert person_by_number(idn(3)).birth_date == born3


def test_xlsx_template_instructions_sheet_is_skipped_and_example_row_ignored(tmp_path, admin):
    from shegong.core.tabular.spec import get_spec
    from shegong.core.tabular.template import template_bytes

    content = template_bytes(get_spec("workers"))
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    data = workbook.get_sheet_by_index(0).to_python()
    assert data[0][0] == "身份证号码*"
    job = validated(tmp_path, admin, "workers", content, name="template.xlsx")
    assert job.status == ImportJob.Status.INVALID  # only the example row: no data rows
    assert "no data rows" in job.error


def test_type_is_checked_by_content(tmp_path, admin):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    with pytest.raises(engine.ImportRefused):
        stage(tmp_path, admin, "workers", png, name="data.csv")
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(engine.ImportRefused):
        stage(tmp_path, admin, "workers", buffer.getvalue(), name="data.xlsx")
    with pytest.raises(engine.ImportRefused):
        stage(tmp_path, admin, "workers", b"", name="data.csv")


def test_size_limit(tmp_path, admin, settings):
    settings.IMPORT_MAX_MB = 0
    with pytest.raises(engine.ImportRefused):
        stage(tmp_path, admin, "workers", csv_bytes([HEADER]))


# --- all or nothing, valid rows only --------------------------------------------------------------------------------


def test_all_or_nothing_refuses_a_file_with_rejected_rows(tmp_path, admin):
    rows = [HEADER, [idn(1), "甲", "", "", "440106", ""], ["123", "乙", "", "", "440106", ""]]
    job = validated(tmp_path, admin, "workers", csv_bytes(rows), mode="all")
    assert not job.can_commit
    with pytest.raises(engine.ImportRefused):
        engine.confirm(job, actor=admin)
    # The uploader may switch to importing the valid rows only.
    engine.confirm(job, actor=admin, mode="valid")
    engine.commit(job)
    job.refresh_from_db()
    assert job.committed_new == 1


def test_only_the_uploader_confirms(tmp_path, admin):
    job = validated(tmp_path, admin, "workers", csv_bytes([HEADER, [idn(1), "甲", "", "", "440106", ""]]))
    colleague = official("440106")
    with pytest.raises(engine.ImportRefused):
        engine.confirm(job, actor=colleague)


# --- annotated file ----------------------------------------------------------------------------------------------------


def test_annotated_csv_is_the_original_with_a_problem_column(tmp_path, admin):
    rows = [
        ["某某区花名册"],
        HEADER,
        [idn(1), "甲", "", "", "440106", ""],
        ["123", "乙", "", "", "440106", ""],
        [idn(3), "丙", "女", "", "440106", ""],
    ]
    job = validated(tmp_path, admin, "workers", csv_bytes(rows))
    assert job.annotated_file
    text = job.annotated_file.open("rb").read().decode("utf-8-sig").splitlines()
    assert text[0].startswith("某某区花名册")
    assert text[1] == ",".join(HEADER) + ",Problems found by the import"
    assert text[2].endswith(",")  # no problem on row 3
    assert text[3].startswith("123,") and "[Rejected] 身份证号码: An ID number has 18 characters" in text[3]
    assert "[Rejected] 性别:" in text[4]


def test_annotated_xlsx_keeps_cells_and_adds_the_column(tmp_path, admin):
    rows = [HEADER, [idn(1), "甲", "", "", "440106", ""], ["123", "乙", "", "", "440106", ""]]
    job = validated(tmp_path, admin, "workers", xlsx_bytes(rows), name="a.xlsx")
    content = job.annotated_file.open("rb").read()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert sheet[0][:6] == HEADER and sheet[0][6]
    assert sheet[1][0] == idn(1) and sheet[1][6] == ""
    assert sheet[2][0] == "123" and "18" in sheet[2][6]


# --- other tables ----------------------------------------------------------------------------------------------------


CERT_HEADER = ["身份证号码", "姓名", "证书等级", "管理号", "考试年度", "发证日期"]


def test_certificates_find_their_holder_by_id_number(tmp_path, admin):
    PersonFactory(id_number=idn(1), name="甲")
    PersonFactory(id_number=idn(2), name="乙")
    PersonFactory(id_number=idn(3, county="440105"), region_id="440105", name="外区")
    other = PersonFactory(id_number=idn(4), name="丁")
    Certificate.objects.create(person=other, level="assistant", management_no="20190000000000004", exam_year=2019)
    rows = [
        CERT_HEADER,
        [idn(1), "甲", "助理社会工作师", "20200000000000001", "2020", "2020-12-01"],
        [idn(2), "", "中级", "20200000000000002", 2021, "2021年12月1日"],  # level alias
        [idn(5), "戊", "高级", "20200000000000005", "2020", ""],  # not in the registry
        [idn(3, county="440105"), "外区", "初级", "20200000000000003", "2020", ""],  # holder outside the scope
        [idn(1), "错名", "初级", "20200000000000006", "2020", ""],  # the name does not match the registry
        [idn(2), "乙", "初级", "20190000000000004", "2019", ""],  # someone else's management number
        [idn(2), "乙", "初级", "20200000000000007", "2007", ""],  # before the first exam
        [idn(2), "乙", "初级", "20200000000000008", "2020", "2019-01-01"],  # issued before the exam year
    ]
    job = imported(tmp_path, admin, "certificates", csv_bytes(rows))
    assert dict(codes(job)) == {
        4: "lookup_missing",
        5: "lookup_scope",
        6: "name_mismatch",
        7: "owner",
        8: "too_small",
        9: "issued_before_exam",
    }
    assert job.committed_new == 2
    certificate = Certificate.objects.get(management_no="20200000000000002")
    assert certificate.level == "intermediate" and certificate.person.name == "乙"
    assert certificate.issued_on == datetime.date(2021, 12, 1)


ORG_HEADER = ["统一社会信用代码", "机构名称", "机构类型", "所在地区", "联系人", "联系电话"]


def test_organizations_legacy_credit_code_is_a_warning_kept_on_the_record(tmp_path, admin):
    rows = [
        ORG_HEADER,
        ["52440106MA5CJQ4N5J", "天河社工中心", "社工机构", "440106", "李四", "020-12345678"],
        ["91350100M0001TGQXM", "福建试点老代码", "其他", "440106", "王五", "020-1234567"],  # fails its check: warning
        ["5244010", "太短", "协会", "440106", "赵六", "020-1234567"],  # not a code: rejected
        ["51440106MA5CJQ4N5J"[:17] + "0", "前缀", "社工机构", "440106", "钱七", "020-1234567"],
    ]
    job = imported(tmp_path, admin, "organizations", csv_bytes(rows))
    assert dict(codes(job)) == {4: "uscc_length"}
    warnings = codes(job, "warning")
    assert (3, "credit_code_check") in warnings
    legacy = Organization.objects.get(credit_code="91350100M0001TGQXM")
    assert legacy.credit_code_warning and legacy.status == "active" and legacy.approved_at is not None
    assert Organization.objects.get(credit_code="52440106MA5CJQ4N5J").credit_code_warning == ""


# --- batches and crash safety (in process; the subprocess kill is in test_tabular_crash.py) ------------------------------


def test_a_failing_batch_leaves_whole_batches_and_the_commit_resumes(tmp_path, admin, settings, monkeypatch):
    settings.IMPORT_BATCH_ROWS = 4
    rows = [HEADER] + [[idn(i), f"社工{i}", "", "", "440106", ""] for i in range(10)]
    job = validated(tmp_path, admin, "workers", csv_bytes(rows))
    engine.confirm(job, actor=admin)

    def boom(job, batch):
        if batch == 2:
            raise RuntimeError("worker killed")

    monkeypatch.setattr(commit_module, "_inside_batch_hook", boom)
    with pytest.raises(RuntimeError):
        engine.commit(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.committed_row == 5 and job.committed_new == 4  # rows 2-5: the first batch only
    assert Person.objects.count() == 4
    assert "5" in job.message
    monkeypatch.setattr(commit_module, "_inside_batch_hook", None)
    engine.resume(job, actor=admin)
    engine.commit(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTED
    assert (job.committed_new, job.committed_updated, job.committed_skipped) == (10, 0, 0)
    assert Person.objects.count() == 10
    assert job.committed_batches == 3


def test_discard_drops_the_stage_and_writes_nothing(tmp_path, admin):
    job = validated(tmp_path, admin, "workers", csv_bytes([HEADER, [idn(1), "甲", "", "", "440106", ""]]))
    from django.db import connection

    assert job.stage_table in connection.introspection.table_names()
    engine.discard(job, actor=admin)
    assert job.stage_table == ""
    assert Person.objects.count() == 0


def test_personal_details_columns(tmp_path, admin):
    header = ["身份证号码", "姓名", "工作地区", "电子邮箱", "学历", "专业", "通讯地址"]
    rows = [
        header,
        [idn(1), "甲", "440106", "jia@example.cn", "大学本科", "社会 工作", "广州市天河区某路1号"],
        [idn(2), "乙", "440106", "not-an-email", "", "", ""],
        [idn(3), "丙", "440106", "", "初中", "", ""],
    ]
    job = imported(tmp_path, admin, "workers", csv_bytes(rows))
    assert codes(job) == [(3, "bad_email")]
    first = person_by_number(idn(1))
    assert (first.email, first.education, first.major) == ("jia@example.cn", "bachelor", "社会工作")
    assert person_by_number(idn(3)).education == "below_high_school"


def test_asynchronous_commit_stays_inside_the_import_job(tmp_path, admin):
    """PostgreSQL: validation and commit relax durability for themselves only; the worker's connection, which
    runs other jobs next, is back to synchronous commits afterwards (also when the job fails)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("asynchronous commit is a PostgreSQL setting")

    def setting():
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    rows = [HEADER] + [[idn(i), f"社工{i}", "男", "", "440106", "13800138000"] for i in range(3)]
    job = imported(tmp_path, admin, "workers", csv_bytes(rows))
    assert job.committed_new == 3 and setting() == "on"
    with pytest.raises(ZeroDivisionError), pytest.MonkeyPatch.context() as patch:
        patch.setattr(commit_module, "_commit", lambda job: 1 / 0)
        commit_module.commit(job)
    assert setting() == "on"

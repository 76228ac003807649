"""The historical registrations and study-hour records tables (registration/tables.py, education/tables.py)."""

import datetime
from decimal import Decimal

import pytest

from shegong.core.identifiers import build_id_number
from shegong.core.tabular.spec import all_specs
from shegong.registration.models import Registration
from shegong.workers.models import Certificate, Person
from tests.factories import PersonFactory, official

from .tabular_helpers import codes, csv_bytes, imported, issues, validated

pytestmark = pytest.mark.django_db

REG_HEADER = ["身份证号码", "管理号", "登记类型", "登记证书编号", "有效期起", "有效期止", "登记地区"]
EDU_HEADER = ["身份证号码", "姓名", "学习日期", "学习形式", "学习内容", "认定学时"]


def idn(n):
    return build_id_number("440106", datetime.date(1980, 1, 1) + datetime.timedelta(days=n), 2 * n + 1)


@pytest.fixture
def admin():
    return official("440106")


@pytest.fixture
def holders():
    result = []
    for n in range(3):
        person = PersonFactory(id_number=idn(n), name=f"持证人{n}")
        Certificate.objects.create(
            person=person, level="assistant", management_no=f"2015000000000000{n}", exam_year=2015
        )
        result.append(person)
    return result


def test_every_table_is_registered():
    assert [spec.name for spec in all_specs()] == [
        "workers",
        "certificates",
        "organizations",
        "registrations",
        "study-records",
        # Uploaded on its activity's page, with the activity as the job's option.
        "attendance",
        # Export only: the pages with export buttons of their own run through the same engine.
        "regions",
        "accounts",
        "audit_log",
        "education_compliance",
    ]


def test_registration_history_is_chained_and_statuses_follow(tmp_path, admin, holders):
    rows = [
        REG_HEADER,
        [idn(0), "20150000000000000", "首次登记", "DJ-0-1", "2016-03-01", "2019-02-28", "440106"],
        [idn(0), "20150000000000000", "再登记", "DJ-0-2", "2019-03-01", "", "440106"],  # valid_to derived
        [idn(0), "20150000000000000", "再登记", "DJ-0-3", "2022-03-01", "2099-02-28", "天河区"],
        [idn(1), "20150000000000001", "首次", "DJ-1-1", "2016-03-01", "2019-02-28", "440106"],  # lapsed
        [idn(2), "20150000000000000", "首次登记", "DJ-2-1", "2016-03-01", "", "440106"],  # someone else's certificate
        [idn(1), "20150000000000001", "再登记", "DJ-1-0", "2015-01-01", "", "440106"],  # older than a row above
        [idn(1), "20150000000000009", "首次登记", "DJ-1-9", "2016-03-01", "", "440106"],  # unknown certificate
    ]
    job = imported(tmp_path, admin, "registrations", csv_bytes(rows))
    assert dict(codes(job)) == {6: "cert_owner", 7: "out_of_order", 8: "lookup_missing"}
    assert job.committed_new == 4
    chain = list(Registration.objects.filter(person=holders[0]).order_by("id"))
    assert [r.number for r in chain] == ["DJ-0-1", "DJ-0-2", "DJ-0-3"]
    # Expired events were recorded as lapsed; the one in force is registered.
    assert [r.status for r in chain] == ["lapsed", "lapsed", "registered"]
    assert chain[1].previous_id == chain[0].pk and chain[2].previous_id == chain[1].pk
    assert chain[1].valid_to == datetime.date(2022, 2, 28)
    assert chain[2].authority_region_id == "440000"
    holders[0].refresh_from_db()
    certificate = Certificate.objects.get(management_no="20150000000000000")
    assert certificate.registration_state == "registered" and certificate.registration_valid_to == datetime.date(
        2099, 2, 28
    )
    assert holders[0].registration_state == "registered"
    holders[1].refresh_from_db()
    assert holders[1].registration_state == "lapsed"
    # The same state as the registration app's own bookkeeping computes.
    from shegong.registration.services import sync_status

    for person in holders[:2]:
        before = Person.objects.filter(pk=person.pk).values_list("registration_state", "registration_valid_to").get()
        sync_status(person)
        assert (
            Person.objects.filter(pk=person.pk).values_list("registration_state", "registration_valid_to").get()
            == before
        )

    again = validated(tmp_path, admin, "registrations", csv_bytes(rows[:5]))
    assert (again.count_new, again.count_updated, again.count_unchanged, again.count_rejected) == (0, 0, 4, 0)

    older = validated(
        tmp_path,
        admin,
        "registrations",
        csv_bytes([REG_HEADER, [idn(0), "20150000000000000", "再登记", "DJ-0-X", "2018-01-01", "", "440106"]]),
    )
    assert codes(older) == [(2, "older")]


def test_study_records_are_recorded_as_decided_and_reimport_changes_nothing(tmp_path, admin, holders):
    rows = [
        EDU_HEADER,
        [idn(0), "持证人0", "2022-05-20", "培训", "社会工作伦理", "12"],
        [idn(0), "持证人0", "2022/6/1", "网络课程", "个案管理", "8.5"],
        [idn(1), "错名", "2022-06-01", "培训", "小组工作", "6"],  # the name does not match
        [idn(1), "持证人1", "2022-06-01", "打游戏", "小组工作", "6"],  # not a form
        [idn(1), "持证人1", "2022-06-01", "培训", "小组工作", "6.25"],  # more than one decimal place
    ]
    job = imported(tmp_path, admin, "study-records", csv_bytes(rows))
    assert dict(codes(job)) == {4: "name_mismatch", 5: "not_in_list", 6: "too_many_places"}
    assert job.committed_new == 2
    records = list(holders[0].study_records.order_by("occurred_on"))
    assert [r.hours_credited for r in records] == [Decimal("12.0"), Decimal("8.5")]
    assert all(r.source == "import" and r.source_ref.startswith("H-") for r in records)
    again = validated(tmp_path, admin, "study-records", csv_bytes(rows[:3]))
    assert (again.count_new, again.count_unchanged) == (0, 2)


def test_sample_files_report_exactly_what_their_manifest_says(tmp_path, db):
    from shegong.core.synthetic import Generator
    from shegong.core.tabular import engine
    from shegong.core.tabular.samples import write_samples

    manifest = write_samples(Generator(seed=7), tmp_path, rows=600)
    user = official("440106")
    for name, entry in manifest["files"].items():
        path = tmp_path / name
        job = engine.stage_file(user, entry["table"], str(path), original_name=name, language="en")
        engine.validate(job)
        job.refresh_from_db()
        expected = entry["expected"]
        report = (job.total_rows, job.count_new, job.count_rejected, job.count_warnings)
        assert report == (expected["rows"], expected["new"], expected["rejected"], expected["rows_with_warnings"]), (
            name,
            list(job.issues.values_list("row", "code")),
        )
        engine.discard(job, actor=user)


def test_dates_of_past_events_in_the_future_are_refused_in_every_table(tmp_path, admin, holders):
    """Issue dates, registration starts and study dates cannot lie after today: refused with the cell named."""
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    cases = {
        "certificates": (
            ["身份证号码", "证书等级", "管理号", "考试年度", "发证日期"],
            [idn(0), "助理社会工作师", "20200000000000077", "2020", tomorrow],
            "发证日期",
        ),
        "registrations": (
            REG_HEADER,
            [idn(0), "20150000000000000", "首次登记", "DJ-F-1", tomorrow, "", "440106"],
            "有效期起",
        ),
        "study-records": (EDU_HEADER, [idn(0), "持证人0", tomorrow, "培训", "社会工作伦理", "12"], "学习日期"),
    }
    for table, (header, row, column) in cases.items():
        job = validated(tmp_path, admin, table, csv_bytes([header, row]))
        found = issues(job, "error")
        assert [(r, col, code) for r, col, code, _m in found] == [(2, column, "future_date")], (table, found)
        assert tomorrow in found[0][3]
        assert job.count_rejected == 1 and job.count_new == 0

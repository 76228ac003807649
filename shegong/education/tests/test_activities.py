"""Activities: the provider's own, enrolment, attendance on screen, by sign-in code and by imported sheet."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shegong.core import crypto
from shegong.core.models import AuditEvent, ImportIssue, ImportJob
from shegong.core.tabular import engine
from shegong.education import attendance_table
from shegong.education.models import (
    AttendanceMethod,
    Enrolment,
    EnrolmentStatus,
    ProviderStatus,
    Source,
    StudyRecord,
    StudyStanding,
)
from shegong.education.services import activities as A
from tests.factories import (
    ActivityFactory,
    CertificateFactory,
    PersonFactory,
    ProviderFactory,
    official,
    provider_user,
    worker_with_person,
)

pytestmark = pytest.mark.django_db


def new_worker(region="440106", level="intermediate"):
    person = PersonFactory(region_id=region)
    CertificateFactory(person=person, level=level)
    return worker_with_person(person)


def activity_data(**changes):
    now = timezone.now()
    data = {
        "title": "社会工作督导实务",
        "kind": "course",
        "starts_at": now + timedelta(days=3),
        "ends_at": now + timedelta(days=3, hours=6),
        "place": "广州市",
        "hours": Decimal("6"),
        "capacity": 2,
    }
    data.update(changes)
    return data


# --- the provider's activities ------------------------------------------------------------------------
def test_provider_creates_and_changes_its_activities(provider_account):
    activity = A.create_activity(**activity_data(), actor=provider_account)
    assert activity.provider == provider_account.provider_membership.provider
    assert len(activity.sign_in_code) == 6 and activity.sign_in_code.isdigit()
    A.update_activity(activity, actor=provider_account, title="社会工作督导实务（二）")
    activity.refresh_from_db()
    assert activity.title == "社会工作督导实务（二）"
    other = provider_user(ProviderFactory())
    with pytest.raises(PermissionDenied):
        A.update_activity(activity, actor=other, title="改名")


@pytest.mark.parametrize("role", ["worker", "admin"])
def test_only_provider_accounts_create_activities(role):
    user = new_worker() if role == "worker" else official("440000")
    with pytest.raises(PermissionDenied):
        A.create_activity(**activity_data(), actor=user)


def test_revoked_provider_cannot_create(provider_account):
    provider = provider_account.provider_membership.provider
    provider.status = ProviderStatus.REVOKED
    provider.save()
    with pytest.raises(PermissionDenied):
        A.create_activity(**activity_data(), actor=provider_account)


def test_activity_fields_are_checked(provider_account):
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        A.create_activity(
            **activity_data(title="", starts_at=now, ends_at=now - timedelta(hours=1), hours=0, place="", capacity=0),
            actor=provider_account,
        )
    assert {"title", "ends_at", "hours", "place", "capacity"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as caught:
        A.create_activity(**activity_data(kind="online", place="", link=""), actor=provider_account)
    assert "link" in caught.value.message_dict


# --- enrolment -------------------------------------------------------------------------------------------
def test_enrol_capacity_and_once():
    activity = ActivityFactory(
        capacity=2, starts_at=timezone.now() + timedelta(days=1), ends_at=timezone.now() + timedelta(days=2)
    )
    first, second, third = new_worker(), new_worker(), new_worker()
    A.enrol(activity, actor=first)
    with pytest.raises(ValidationError, match="already enrolled"):
        A.enrol(activity, actor=first)
    A.enrol(activity, actor=second)
    with pytest.raises(ValidationError, match="full"):
        A.enrol(activity, actor=third)
    # A cancelled place frees capacity; the same person can take a place again.
    A.cancel_enrolment(Enrolment.objects.get(activity=activity, person_id=second.person_id), actor=second)
    A.enrol(activity, actor=third)
    with pytest.raises(ValidationError, match="full"):
        A.enrol(activity, actor=second)
    assert activity.enrolments.active().count() == 2


def test_enrol_refusals():
    worker = new_worker()
    unpublished = ActivityFactory(provider=ProviderFactory(status=ProviderStatus.FILED))
    with pytest.raises(ValidationError, match="not published"):
        A.enrol(unpublished, actor=worker)
    closed = ActivityFactory(status="closed")
    with pytest.raises(ValidationError, match="not open"):
        A.enrol(closed, actor=worker)
    over = ActivityFactory(starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError, match="over"):
        A.enrol(over, actor=worker)
    with pytest.raises(PermissionDenied):
        A.enrol(ActivityFactory(), actor=official("440106"))
    unlinked = worker_with_person()
    person = unlinked.person
    person.account = None
    person.save()
    unlinked.refresh_from_db()
    with pytest.raises(PermissionDenied):
        A.enrol(ActivityFactory(), actor=unlinked)  # an account without a registry record


def test_cancel_someone_elses_enrolment_refused():
    activity = ActivityFactory()
    owner, other = new_worker(), new_worker()
    enrolment = A.enrol(activity, actor=owner)
    with pytest.raises(PermissionDenied):
        A.cancel_enrolment(enrolment, actor=other)


# --- attendance on screen -------------------------------------------------------------------------------
def test_provider_records_attendance_and_hours_are_credited():
    activity = ActivityFactory(hours=6)
    account = provider_user(activity.provider)
    worker = new_worker()
    enrolment = A.enrol(activity, actor=worker)
    rows = A.record_attendance(activity, [(enrolment, "5.5")], actor=account)
    row = rows[0]
    assert row.source == Source.ATTENDANCE and row.hours_credited == Decimal("5.5") and row.activity == activity
    assert row.provider == activity.provider and row.reviewer == account and row.form == "training"
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ATTENDED and enrolment.method == AttendanceMethod.SCREEN
    assert StudyStanding.objects.get(person_id=worker.person_id).credited == Decimal("5.5")
    with pytest.raises(ValidationError, match="already recorded"):
        A.record_attendance(activity, [(enrolment, 6)], actor=account)
    assert StudyRecord.objects.filter(person_id=worker.person_id).count() == 1


def test_attendance_refusals():
    activity = ActivityFactory(hours=6)
    account = provider_user(activity.provider)
    enrolment = A.enrol(activity, actor=new_worker())
    with pytest.raises(ValidationError, match="between 0.1 and the 6 hours"):
        A.record_attendance(activity, [(enrolment, 7)], actor=account)
    other_provider = provider_user(ProviderFactory())
    with pytest.raises(PermissionDenied):
        A.record_attendance(activity, [(enrolment, 6)], actor=other_provider)
    with pytest.raises(PermissionDenied):
        A.record_attendance(activity, [(enrolment, 6)], actor=official("440000"))
    future = ActivityFactory(
        provider=activity.provider,
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=2),
    )
    future_enrolment = A.enrol(future, actor=new_worker())
    with pytest.raises(ValidationError, match="not started"):
        A.record_attendance(future, [(future_enrolment, 6)], actor=account)
    with pytest.raises(PermissionDenied):
        A.record_attendance(activity, [(future_enrolment, 6)], actor=account)  # another activity's enrolment
    filed = ProviderFactory(status=ProviderStatus.FILED)
    filed_activity = ActivityFactory(provider=filed)
    with pytest.raises(PermissionDenied, match="not yet published"):
        A.record_attendance(filed_activity, [], actor=provider_user(filed))
    assert not StudyRecord.objects.exists()


def test_province_caps_apply_to_attendance():
    from shegong.education.rules import Rule
    from shegong.education.services import policy

    gd = official("440000")
    policy.save_policy(
        gd.region,
        actor=gd,
        required={"assistant": 72, "intermediate": 90, "senior": 90},
        rules={"online": Rule("online", record_cap=Decimal(4))},
    )
    activity = ActivityFactory(kind="online", hours=6, link="https://example.org/c")
    enrolment = A.enrol(activity, actor=new_worker())
    row = A.record_attendance(activity, [(enrolment, 6)], actor=provider_user(activity.provider))[0]
    assert row.form == "online" and row.hours_claimed == 6 and row.hours_credited == 4


# --- sign-in code ----------------------------------------------------------------------------------------
def test_sign_in_with_the_code_credits_the_full_hours():
    activity = ActivityFactory(hours=6, sign_in_code="135790")
    worker = new_worker()
    A.enrol(activity, actor=worker)
    row = A.sign_in_with_code(activity, " 135 790 ", actor=worker)
    assert row.hours_credited == 6
    assert Enrolment.objects.get(activity=activity).method == AttendanceMethod.CODE
    with pytest.raises(ValidationError, match="already recorded"):
        A.sign_in_with_code(activity, "135790", actor=worker)


def test_sign_in_refusals():
    cache.clear()
    activity = ActivityFactory(sign_in_code="135790")
    worker = new_worker()
    with pytest.raises(ValidationError, match="not enrolled"):
        A.sign_in_with_code(activity, "135790", actor=worker)
    A.enrol(activity, actor=worker)
    with pytest.raises(ValidationError, match="wrong"):
        A.sign_in_with_code(activity, "000000", actor=worker)
    assert AuditEvent.objects.filter(action="education.sign_in_refused").count() == 1
    later = ActivityFactory(
        starts_at=timezone.now() + timedelta(hours=2), ends_at=timezone.now() + timedelta(hours=4), sign_in_code="1"
    )
    A.enrol(later, actor=worker)
    with pytest.raises(ValidationError, match="only during the activity"):
        A.sign_in_with_code(later, "1", actor=worker)
    over = ActivityFactory(
        starts_at=timezone.now() - timedelta(hours=4), ends_at=timezone.now() - timedelta(hours=1), sign_in_code="2"
    )
    Enrolment.objects.create(activity=over, person_id=worker.person_id)
    with pytest.raises(ValidationError, match="only during the activity"):
        A.sign_in_with_code(over, "2", actor=worker)
    assert not StudyRecord.objects.exists()


def test_too_many_wrong_codes_lock_sign_in():
    cache.clear()
    activity = ActivityFactory(sign_in_code="135790")
    worker = new_worker()
    A.enrol(activity, actor=worker)
    for _attempt in range(A.SIGN_IN_MAX_FAILURES):
        with pytest.raises(ValidationError, match="wrong"):
            A.sign_in_with_code(activity, "111111", actor=worker)
    with pytest.raises(ValidationError, match="Too many"):
        A.sign_in_with_code(activity, "135790", actor=worker)  # even the right code, for a while


def test_renewed_code_replaces_the_old_one():
    activity = ActivityFactory(sign_in_code="135790")
    A.renew_sign_in_code(activity, actor=provider_user(activity.provider))
    activity.refresh_from_db()
    assert activity.sign_in_code != "135790" or len(activity.sign_in_code) == 6


# --- imported sheets -------------------------------------------------------------------------------------
def xlsx(rows):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, (int, float)):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    workbook.close()
    return SimpleUploadedFile("签到表.xlsx", buffer.getvalue())


def csv_file(rows, name="attendance.csv"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile(name, ("\ufeff" + out.getvalue()).encode("utf-8"))


def stage_list(account, activity, upload, tmp_path):
    """Stage an attendance list as the activity page does (messages in English)."""
    path = tmp_path / upload.name
    path.write_bytes(upload.read())
    return engine.stage_file(
        account,
        attendance_table.TABLE,
        str(path),
        original_name=upload.name,
        region=activity.provider.province,
        options={"activity": activity.pk},
        language="en",
    )


def checked(account, activity, upload, tmp_path):
    """Stage and validate a list; the job as the preview shows it."""
    job = stage_list(account, activity, upload, tmp_path)
    engine.validate(job)
    job.refresh_from_db()
    return job


def problems(job):
    """{(row, column as written in the file): reason} of the rejected rows."""
    return {(i.row, i.column): i.message for i in job.issues.filter(severity=ImportIssue.Severity.ERROR)}


def recorded(job, account):
    engine.confirm(job, actor=account)
    engine.commit(job)
    job.refresh_from_db()
    return job


def test_import_checks_every_row_then_records(tmp_path):
    from datetime import date

    from shegong.core.identifiers import build_id_number

    activity = ActivityFactory(hours=6)
    account = provider_user(activity.provider)
    number_a = build_id_number("440106", date(1990, 1, 2), 12)
    number_b = build_id_number("440106", date(1991, 3, 4), 34)
    person_a = PersonFactory(id_number=number_a, name="甲")
    person_b = PersonFactory(id_number=number_b, name="乙")
    certificate_c = CertificateFactory(management_no="2020000000099", person=PersonFactory(name="丙"))
    upload = xlsx(
        [
            ["身份证号", "管理号", "姓名", "学时"],
            [number_a, "", "甲", "6"],
            [number_b, "", "错名", 6],
            ["", certificate_c.management_no, "", 4.5],
            ["440106199001021234", "", "", 6],  # a bad check digit
            [number_a, "", "", 3],  # the same person again
            ["", "", "", ""],  # an empty row is skipped
            ["", "", "某", 6],  # no number
            ["", "2020000000098", "", 6],  # unknown management number
            [number_b, "", "", 9],  # more hours than offered
            [440106199001021235, "", "", 6],  # stored as a number
        ]
    )
    job = checked(account, activity, upload, tmp_path)
    assert job.status == ImportJob.Status.VALIDATED
    assert job.total_rows == 9  # the empty row is not counted
    assert (job.count_new, job.count_updated, job.count_rejected) == (2, 0, 7)
    reasons = problems(job)
    assert {row for row, _column in reasons} == {3, 5, 6, 8, 9, 10, 11}  # rows 2 and 4 are valid
    assert "does not match" in reasons[(3, "姓名")]
    assert (5, "身份证号") in reasons
    assert "already on row 2" in reasons[(6, "身份证号")]
    assert (8, "身份证号") in reasons and "No social worker" in reasons[(9, "管理号")]
    assert "between 0.1 and the 6 hours" in reasons[(10, "学时")]
    assert "as a number" in reasons[(11, "身份证号")]
    assert "乙" not in reasons[(3, "姓名")]  # the registry's name is not revealed
    assert not StudyRecord.objects.exists()  # nothing before confirmation

    job = recorded(job, account)
    assert job.status == ImportJob.Status.COMMITTED and job.committed_new == 2
    assert {r.person_id: r.hours_credited for r in StudyRecord.objects.all()} == {
        person_a.pk: Decimal("6"),
        certificate_c.person_id: Decimal("4.5"),
    }
    assert set(StudyRecord.objects.values_list("source", flat=True)) == {Source.IMPORT}
    assert Enrolment.objects.get(activity=activity, person=person_a).method == AttendanceMethod.IMPORT
    with pytest.raises(engine.ImportRefused, match="not waiting for confirmation"):
        engine.confirm(job, actor=account)
    # A second sheet with the same person reports it as already recorded.
    again = checked(account, activity, csv_file([["身份证号", "学时"], [number_a, "6"]]), tmp_path)
    assert again.count_new == 0 and "already recorded" in problems(again)[(2, "身份证号")]
    assert person_b.pk not in set(StudyRecord.objects.values_list("person_id", flat=True))


def test_import_finds_the_same_person_by_either_number_and_credits_the_enrolled(tmp_path):
    from datetime import date

    from shegong.core.identifiers import build_id_number

    activity = ActivityFactory(hours=6)
    account = provider_user(activity.provider)
    number = build_id_number("510104", date(1985, 6, 7), 21)  # another province: no region check
    person = PersonFactory(id_number=number, name="丁", region_id="510104")
    CertificateFactory(person=person, management_no="2020000000123")
    enrolled = new_worker()
    A.enrol(activity, actor=enrolled)
    enrolled_no = enrolled.person.certificates.get().management_no
    rows = [["身份证号", "管理号", "学时"], [number, "", "5"], ["", "2020000000123", "5"], ["", enrolled_no, "6"]]
    job = checked(account, activity, csv_file(rows), tmp_path)
    assert "already on row 2" in problems(job)[(3, "管理号")]
    assert (job.count_new, job.count_updated, job.count_rejected) == (1, 1, 1)  # the enrolled one is updated
    job = recorded(job, account)
    assert (job.committed_new, job.committed_updated) == (1, 1)
    assert Enrolment.objects.get(activity=activity, person=enrolled.person).status == EnrolmentStatus.ATTENDED
    assert StudyRecord.objects.get(person=person, activity=activity).hours_credited == Decimal("5")
    assert StudyStanding.objects.filter(person=enrolled.person).exists()  # standings move as before


def test_import_header_and_file_checks(tmp_path):
    activity = ActivityFactory()
    account = provider_user(activity.provider)
    job = checked(account, activity, csv_file([["姓名", "备注"], ["甲", ""]]), tmp_path)
    assert job.status == ImportJob.Status.INVALID and "header row" in job.error and "学时" in job.error
    job = checked(account, activity, csv_file([["姓名", "学时"], ["甲", "2"]]), tmp_path)
    assert job.status == ImportJob.Status.INVALID and "身份证号" in job.error and "管理号" in job.error
    with pytest.raises(engine.ImportRefused, match="neither an Excel workbook nor a CSV"):
        stage_list(account, activity, SimpleUploadedFile("a.txt", bytes(range(256))), tmp_path)
    with pytest.raises(engine.ImportRefused, match="not an Excel workbook"):
        stage_list(account, activity, SimpleUploadedFile("a.xlsx", b"PK\x03\x04 not a workbook"), tmp_path)
    job = checked(account, activity, SimpleUploadedFile("a.xlsx", b"not a workbook"), tmp_path)
    assert job.status == ImportJob.Status.INVALID and not job.staged_rows
    gbk = SimpleUploadedFile("gbk.csv", "管理号,学时\r\n2020000000077,2\r\n".encode("gb18030"))
    job = checked(account, activity, gbk, tmp_path)
    assert "No social worker" in problems(job)[(2, "管理号")]


def test_import_only_by_the_activitys_provider(tmp_path):
    activity = ActivityFactory()
    certificate = CertificateFactory(management_no="2020000000066")
    sheet = [["管理号", "学时"], [certificate.management_no, "6"]]
    with pytest.raises(engine.ImportRefused, match="another provider"):
        stage_list(provider_user(ProviderFactory()), activity, csv_file(sheet), tmp_path)
    for user in (official("440000"), new_worker()):
        with pytest.raises(engine.ImportRefused, match="may not import"):
            stage_list(user, activity, csv_file(sheet), tmp_path)
    job = checked(provider_user(activity.provider), activity, csv_file(sheet), tmp_path)
    assert job.options == {"activity": activity.pk} and job.count_new == 1
    upload = AuditEvent.objects.get(action="import.upload", object_id=str(job.pk))
    assert (
        upload.changes["options"] == {"activity": activity.pk} and upload.region_code == activity.provider.province_id
    )
    with pytest.raises(engine.ImportRefused):
        engine.confirm(job, actor=provider_user(ProviderFactory()))
    # Not even the uploader once the activity is cancelled meanwhile.
    A.set_activity_status(activity, "cancelled", actor=job.user)
    with pytest.raises(engine.ImportRefused, match="cancelled"):
        engine.confirm(job, actor=job.user)
    assert not StudyRecord.objects.exists()


def test_import_by_management_number_without_enrolment_ignores_capacity(tmp_path):
    activity = ActivityFactory(capacity=1)
    A.enrol(activity, actor=new_worker())
    certificate = CertificateFactory(management_no="2020000000055")
    account = provider_user(activity.provider)
    job = checked(account, activity, csv_file([["管理号", "学时"], ["2020000000055", "6"]]), tmp_path)
    recorded(job, account)
    assert StudyRecord.objects.get(activity=activity).person_id == certificate.person_id
    assert crypto.is_token(certificate.person.id_encrypted)

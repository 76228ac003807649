"""Pages and API: what each role sees and may do, and every refusal a user would notice."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shegong.accounts.roles import Role
from shegong.core.models import AuditEvent, TaskRun
from shegong.education.models import Enrolment, Provider, Source, StudyRecord, StudyStanding
from shegong.education.services import ledger
from tests.factories import (
    ActivityFactory,
    CertificateFactory,
    PersonFactory,
    ProviderFactory,
    official,
    provider_user,
    worker_with_person,
)

from .conftest import pdf_file

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def credit(person, hours, on=None, form="training"):
    return ledger.credit(
        person,
        form=form,
        source=Source.DECLARATION,
        hours_claimed=hours,
        occurred_on=on or timezone.localdate() - timedelta(days=1),
        title="测试",
    )


# --- the social worker ---------------------------------------------------------------------------------
def test_worker_sees_own_ledger_and_progress(client, worker):
    credit(worker.person, 30)
    response = signed_in(client, worker).get("/education/me/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "30 of 90 hours credited" in text and "60 hours still needed" in text
    home = client.get("/")
    assert "education/me/" in home.content.decode()  # the home panel and the menu


def test_statement_pdf_embeds_a_cjk_font(client, worker):
    credit(worker.person, 12)
    response = signed_in(client, worker).get("/education/me/statement.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"FontFile2" in response.content
    assert AuditEvent.objects.filter(action="education.statement").exists()


def test_rare_name_character_gets_the_fallback_font():
    from shegong.education import pdf

    markup = pdf.markup("吉𠮷<b>")
    assert "&lt;b&gt;" in markup
    _text, covered, fallbacks = pdf.fonts()
    if fallbacks and ord("𠮷") not in covered:
        rare = next(name for name, points in fallbacks if ord("𠮷") in points)
        assert f'<font name="{rare}">𠮷</font>' in markup


def test_person_panel_on_the_workers_pages(client, worker):
    credit(worker.person, 45)
    official_page = signed_in(client, official("440106")).get(f"/workers/persons/{worker.person.pk}/")
    if official_page.status_code == 404:
        pytest.skip("the workers app has no person page at this address")
    assert "45 of 90 hours credited" in official_page.content.decode()


def test_worker_cannot_open_officials_or_providers_pages(client, worker):
    signed_in(client, worker)
    for url in (
        "/education/compliance/",
        "/education/providers/",
        "/education/provider/",
        "/education/activities/new/",
    ):
        assert client.get(url).status_code == 403, url
    other = PersonFactory()
    assert client.get(f"/education/persons/{other.pk}/").status_code == 404
    assert client.get(f"/education/persons/{worker.person.pk}/").status_code == 200  # their own, read through scope


def test_enrol_and_sign_in_through_the_pages(client, worker):
    activity = ActivityFactory(sign_in_code="424242", capacity=5)
    signed_in(client, worker)
    assert "Enrol" in client.get(f"/education/activities/{activity.pk}/").content.decode()
    client.post(f"/education/activities/{activity.pk}/enrol/")
    assert Enrolment.objects.filter(activity=activity, person=worker.person).exists()
    wrong = client.post(f"/education/activities/{activity.pk}/sign-in/", {"code": "000000"})
    assert wrong.status_code == 400 and "The sign-in code is wrong." in wrong.content.decode()
    client.post(f"/education/activities/{activity.pk}/sign-in/", {"code": "424242"})
    assert StudyRecord.objects.get(person=worker.person, activity=activity).hours_credited == Decimal("6")
    again = client.post(f"/education/activities/{activity.pk}/enrol/", follow=True)
    assert "already enrolled" in again.content.decode()


def test_declaration_through_the_pages(client, worker, media):
    signed_in(client, worker)
    form = client.get("/education/declarations/new/")
    assert form.status_code == 200 and "How hours are counted" in form.content.decode()
    bad = client.post(
        "/education/declarations/new/",
        {"form": "training", "title": "外省培训", "occurred_on": "2025-10-01", "hours_claimed": "8", "files": []},
    )
    assert bad.status_code == 200 and "Attach at least one evidence file." in bad.content.decode()
    response = client.post(
        "/education/declarations/new/",
        {
            "form": "training",
            "title": "外省培训",
            "occurred_on": "2025-10-01",
            "hours_claimed": "8",
            "files": [pdf_file()],
        },
    )
    assert response.status_code == 302 and "/workflow/applications/" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "外省培训" in page and "Approving now would credit 8 hours" in page
    from shegong.education.models import Declaration

    declaration = Declaration.objects.get()
    edit = client.get(f"/education/declarations/{declaration.pk}/edit/")
    assert edit.status_code == 302  # not returned: the page refuses and goes back


def test_evidence_is_scoped_and_audited(client, worker, media):
    from shegong.education.services import declarations as DS

    declaration = DS.declare(
        worker.person,
        actor=worker,
        files=[pdf_file()],
        form="training",
        title="培训",
        organizer="",
        occurred_on=date(2025, 10, 1),
        hours_claimed=Decimal("8"),
        description="",
    )
    evidence = declaration.evidence.get()
    url = f"/education/evidence/{evidence.pk}/"
    assert signed_in(client, worker).get(url).status_code == 200
    assert not AuditEvent.objects.filter(action="education.evidence_view").exists()
    client.logout()
    assert signed_in(client, official("510107")).get(url).status_code == 404
    client.logout()
    response = signed_in(client, official("440106", username="th_x")).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="education.evidence_view").count() == 1
    client.logout()
    assert signed_in(client, worker_with_person()).get(url).status_code == 404


# --- providers' pages ---------------------------------------------------------------------------------
def test_provider_records_attendance_on_screen(client, worker):
    activity = ActivityFactory()
    account = provider_user(activity.provider)
    from shegong.education.services import activities as A

    enrolment = A.enrol(activity, actor=worker)
    signed_in(client, account)
    page = client.get(f"/education/activities/{activity.pk}/attendance/")
    assert page.status_code == 200 and activity.sign_in_code in page.content.decode()
    too_many = client.post(
        f"/education/activities/{activity.pk}/attendance/", {"attended": [enrolment.pk], f"hours_{enrolment.pk}": "9"}
    )
    assert too_many.status_code == 400 and "between 0.1 and the 6 hours" in too_many.content.decode()
    client.post(
        f"/education/activities/{activity.pk}/attendance/", {"attended": [enrolment.pk], f"hours_{enrolment.pk}": "5"}
    )
    assert StudyRecord.objects.get(person=worker.person).hours_credited == Decimal("5")
    # Another provider's activity is not found; officials do not record attendance.
    other = ActivityFactory()
    assert client.get(f"/education/activities/{other.pk}/attendance/").status_code == 404
    client.logout()
    assert (
        signed_in(client, official("440000")).get(f"/education/activities/{activity.pk}/attendance/").status_code == 403
    )


@pytest.fixture
def immediate_tasks(settings, monkeypatch):
    """Background tasks run at once, when their transaction would commit (tests never commit)."""
    from django.db import transaction

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


def attendance_sheet(text="管理号,学时\n2020000000011,6\n2020000000012,6\n"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("a.csv", text.encode())


def issue_cells(html):
    """The preview's problems table as lists of cell texts: row, column, value, reason, kind."""
    import re
    from html import unescape

    table = html.split('data-testid="issues"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [
            " ".join(unescape(re.sub(r"<[^>]+>", "", cell)).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_import_through_the_pages(client, immediate_tasks):
    from shegong.core.models import ImportJob

    activity = ActivityFactory()
    certificate = CertificateFactory(management_no="2020000000011")
    signed_in(client, provider_user(activity.provider))
    assert client.get("/education/imports/template.xlsx")["Location"] == "/imports/tables/attendance/template.xlsx"
    assert client.get("/imports/tables/attendance/template.xlsx").status_code == 200
    response = client.post(f"/education/activities/{activity.pk}/import/", {"file": attendance_sheet()})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    preview = client.get(response["Location"]).content.decode()
    assert 'data-testid="count-total">2<' in preview and 'data-testid="count-new">1<' in preview
    assert 'data-testid="count-rejected">1<' in preview and "No social worker" in preview
    page = client.get(f"/education/activities/{activity.pk}/attendance/").content.decode()
    assert f"/education/imports/{job.pk}/" in page  # the activity page lists its lists
    assert client.get(f"/education/imports/{job.pk}/")["Location"] == job.get_absolute_url()
    client.post(f"/imports/{job.pk}/confirm/", {"mode": "valid"})
    assert StudyRecord.objects.get(person=certificate.person).source == Source.IMPORT
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTED and job.committed_new == 1


def test_the_preview_shows_each_problem_in_its_own_column(client, immediate_tasks):
    from shegong.core.identifiers import build_id_number
    from shegong.core.models import ImportJob

    activity = ActivityFactory(hours=6)
    number = build_id_number("440106", date(1990, 1, 2), 12)
    PersonFactory(id_number=number, name="甲")
    signed_in(client, provider_user(activity.provider))
    sheet = f"身份证号,管理号,姓名,学时\n,2020000000012,,6\n{number},,错名,6\n{number},,,9\n,,某,6\n"
    client.post(f"/education/activities/{activity.pk}/import/", {"file": attendance_sheet(sheet)})
    job = ImportJob.objects.get()
    cells = {row[0]: row[1:4] for row in issue_cells(client.get(job.get_absolute_url()).content.decode())}
    assert cells["2"][:2] == ["B · 管理号", "2020000000012"] and "No social worker" in cells["2"][2]
    assert cells["3"][:2] == ["C · 姓名", "错名"] and "does not match" in cells["3"][2]
    assert cells["4"][:2] == ["D · 学时", "9"] and "between 0.1 and the 6 hours" in cells["4"][2]
    assert cells["5"][0] == "A · 身份证号" and "Give the ID number" in cells["5"][2]
    assert sorted(cells) == ["2", "3", "4", "5"]


def test_only_the_activitys_provider_uploads_or_confirms_its_attendance_list(client, immediate_tasks):
    from shegong.core.models import ImportJob

    activity = ActivityFactory()
    CertificateFactory(management_no="2020000000011")
    signed_in(client, provider_user(activity.provider))
    client.post(f"/education/activities/{activity.pk}/import/", {"file": attendance_sheet()})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.VALIDATED and job.count_new == 1
    # The list is uploaded on its activity's page only: the generic upload form does not offer it.
    assert client.get("/imports/new/").status_code == 403
    client.logout()
    others = {
        "another provider": provider_user(ProviderFactory()),
        "an official": official("440000"),
        "a social worker": worker_with_person(),
    }
    for who, user in others.items():
        signed_in(client, user)
        upload = client.post(f"/education/activities/{activity.pk}/import/", {"file": attendance_sheet()})
        assert upload.status_code in (403, 404), who
        assert client.get(f"/education/imports/{job.pk}/").status_code in (403, 404), who
        client.post(f"/imports/{job.pk}/confirm/", {"mode": "valid"})
        # The generic upload form does not offer the attendance list either.
        generic = client.post(
            "/imports/new/",
            {"table": "attendance", "file": attendance_sheet(), "strategy": "upsert", "mode": "valid"},
        )
        assert generic.status_code in (200, 403), who
        assert ImportJob.objects.count() == 1, who
        job.refresh_from_db()
        assert job.status == ImportJob.Status.VALIDATED, who
        client.logout()
    assert not StudyRecord.objects.exists()


def test_officials_file_a_provider_and_issue_an_account(client):
    admin = official("440000")
    signed_in(client, admin)
    response = client.post(
        "/education/providers/new/",
        {
            "province": "440000",
            "name": "页面测试学院",
            "contact_name": "王",
            "contact_phone": "020-1234567",
            "publish": "on",
        },
    )
    provider = Provider.objects.get(name="页面测试学院")
    assert response.status_code == 302 and provider.status == "published"
    created = client.post(
        f"/education/providers/{provider.pk}/account/", {"username": "page_provider", "full_name": "王老师"}
    )
    assert created.status_code == 200 and "initial-password" in created.content.decode()
    public = client.get("/education/providers/public/?province=440000").content.decode()
    assert "页面测试学院" in public
    client.logout()
    county = signed_in(client, official("440106"))
    assert county.get("/education/providers/new/").status_code == 403
    assert county.get(f"/education/providers/{provider.pk}/").status_code == 200  # sees, cannot change
    county.post(f"/education/providers/{provider.pk}/revoke/", {"reason": "测试"})
    provider.refresh_from_db()
    assert provider.status == "published"
    client.logout()
    assert signed_in(client, official("510000")).get(f"/education/providers/{provider.pk}/").status_code == 404


def test_public_list_shows_published_providers_only(client):
    ProviderFactory(name="已公布机构")
    ProviderFactory(name="仅备案机构", status="filed")
    ProviderFactory(name="已撤销机构", status="revoked")
    text = client.get("/education/providers/public/").content.decode()
    assert "已公布机构" in text and "仅备案机构" not in text and "已撤销机构" not in text


def test_policy_page(client):
    signed_in(client, official("440000"))
    page = client.get("/education/rules/")
    assert page.status_code == 200 and 'name="rule_paper_period_cap"' in page.content.decode()
    data = {
        "province": "440000",
        "required_assistant": "70",
        "required_intermediate": "90",
        "required_senior": "90",
        "review_level": "2",
    }
    from shegong.education.models import StudyForm

    for value in StudyForm.values:
        data.update({f"rule_{value}_accepted": "on", f"rule_{value}_conversion": "actual"})
    data.update({"rule_degree_conversion": "fixed", "rule_degree_value": "90", "rule_degree_once": "on"})
    data.update({"rule_paper_conversion": "fixed"})  # no value: refused
    refused = client.post("/education/rules/", data)
    assert refused.status_code == 400 and "Give the hours (fixed) or the rate." in refused.content.decode()
    data["rule_paper_value"] = "80"
    assert client.post("/education/rules/", data).status_code == 302
    from shegong.education import queries as S

    policy = S.policy_for_province("440000")
    assert policy.required_for("assistant") == Decimal("70") and policy.rule("paper").value == Decimal("80")
    assert policy.review_level == 2
    client.logout()
    county = signed_in(client, official("440106"))
    assert 'name="rule_paper_period_cap"' not in county.get("/education/rules/").content.decode()
    assert county.post("/education/rules/", data).status_code == 403


# --- compliance ----------------------------------------------------------------------------------------
def compliance_population():
    today = timezone.localdate()
    issued = today - timedelta(days=800)  # in the third year of the period: 60 hours expected by now
    people = []
    for index, (region, hours) in enumerate(
        [("440106", 95), ("440106", 65), ("440106", 10), ("440104", 0), ("510107", 90)]
    ):
        person = PersonFactory(region_id=region, name=f"合规{index}")
        CertificateFactory(person=person, level="intermediate", issued_on=issued, exam_year=issued.year)
        if hours:
            credit(person, hours, on=today - timedelta(days=1))
        ledger.refresh_standing(person)
        people.append(person)
    return people


def test_compliance_counts_per_region(client):
    from shegong.education.compliance import compliance_counts
    from shegong.regions.models import Region

    compliance_population()
    admin = official("440000")
    rows, total = compliance_counts(admin, Region.objects.get(code="440100"))
    by_code = {row.code: row for row in rows}
    assert (total.total, total.complete, total.on_track, total.short) == (4, 1, 1, 2)
    assert (by_code["440106"].complete, by_code["440106"].on_track, by_code["440106"].short) == (1, 1, 1)
    assert by_code["440104"].short == 1
    province_rows, province_total = compliance_counts(admin)
    assert [row.code for row in province_rows] == ["440100"] and province_total.total == 4
    with pytest.raises(Exception, match="outside your area"):
        compliance_counts(official("440106"), Region.objects.get(code="440100"))


def test_compliance_page_list_and_export(client, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    people = compliance_population()
    signed_in(client, official("440106"))
    page = client.get("/education/compliance/?status=short")
    text = page.content.decode()
    assert page.status_code == 200 and "合规2" in text and "合规0" not in text and "合规4" not in text
    assert "合规3" not in text  # 440104 is outside 天河区
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/education/compliance/export/", {"format": "csv", "status": "short"})
    run = TaskRun.objects.get()
    assert response.status_code == 302 and run.status == "succeeded"
    content = run.result_file.read().decode("utf-8-sig")
    assert "合规2" in content and "合规0" not in content and "合规3" not in content
    assert people[0].pk in set(StudyStanding.objects.values_list("person_id", flat=True))


def test_compliance_for_officials_only(client, worker):
    for user in (worker, provider_user(ProviderFactory())):
        client.logout()
        assert signed_in(client, user).get("/education/compliance/").status_code == 403
        assert client.post("/education/compliance/export/", {"format": "csv"}).status_code == 403


# --- API -----------------------------------------------------------------------------------------------
def test_api_is_scoped_and_filtered(client):
    guangdong = PersonFactory(region_id="440106")
    sichuan = PersonFactory(region_id="510107")
    credit(guangdong, 6, on=date(2025, 5, 1))
    credit(guangdong, 4, on=date(2026, 5, 1), form="online")
    credit(sichuan, 8, on=date(2025, 5, 1))
    signed_in(client, official("440106"))
    rows = client.get("/api/v1/education/records/").json()["results"]
    assert {row["person"] for row in rows} == {guangdong.pk}
    assert len(client.get("/api/v1/education/records/?form=online").json()["results"]) == 1
    assert len(client.get("/api/v1/education/records/?year=2025").json()["results"]) == 1
    assert client.get(f"/api/v1/education/records/?person={sichuan.pk}").json()["results"] == []
    ProviderFactory(name="粤机构")
    ProviderFactory(name="川机构", province_id="510000")
    names = {row["name"] for row in client.get("/api/v1/education/providers/").json()["results"]}
    assert names == {"粤机构"}
    client.logout()
    worker = worker_with_person(guangdong)
    mine = signed_in(client, worker).get("/api/v1/education/records/").json()["results"]
    assert len(mine) == 2
    ActivityFactory(title="开放课程")
    assert any(a["title"] == "开放课程" for a in client.get("/api/v1/education/activities/").json()["results"])
    client.logout()
    assert (
        signed_in(client, official("440000", role=Role.AUDITOR, username="aud"))
        .get("/api/v1/education/records/")
        .json()["results"]
        == []
    )


def test_api_in_the_openapi_schema(client):
    signed_in(client, official("440000"))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    for path in ("/api/v1/education/providers/", "/api/v1/education/activities/", "/api/v1/education/records/"):
        assert path in text

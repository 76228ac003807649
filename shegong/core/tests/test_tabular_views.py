"""The import pages, the API, the documentation page, templates, exports and the command line."""

import csv
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shegong.accounts.roles import Role
from shegong.core.identifiers import build_id_number
from shegong.core.models import AuditEvent, ImportJob, TaskRun
from shegong.workers.models import Person
from tests.factories import PersonFactory, official

from .tabular_helpers import csv_bytes, imported

pytestmark = pytest.mark.django_db

HEADER = ["身份证号码", "姓名", "工作地区"]


def idn(n, county="440106"):
    return build_id_number(county, datetime.date(1970, 1, 1) + datetime.timedelta(days=41 * n), 2 * n + 1)


@pytest.fixture(autouse=True)
def immediate_tasks(settings, monkeypatch):
    """Background tasks run at once, when their transaction would commit (tests never commit)."""
    from django.db import transaction

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def admin():
    return official("440106")


def upload(client, rows, *, table="workers", name="data.csv", **data):
    content = csv_bytes(rows)
    return client.post(
        reverse("tabular:new"),
        {"table": table, "file": SimpleUploadedFile(name, content), "strategy": "upsert", "mode": "valid", **data},
    )


# --- pages ------------------------------------------------------------------------------------------------


def test_upload_preview_annotated_confirm_result(client, admin):
    client.force_login(admin)
    rows = [HEADER, [idn(1), "甲", "440106"], ["4.40106E+17", "乙", "440106"], [idn(3), "丙", "440105"]]
    response = upload(client, rows)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED  # the immediate backend validated it during the upload
    page = client.get(job.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="count-new">1<' in html and 'data-testid="count-rejected">2<' in html
    assert "4.40106E+17" in html and job.sha256 in html
    annotated = client.get(reverse("tabular:annotated", args=[job.pk]))
    assert annotated.status_code == 200
    text = b"".join(annotated.streaming_content).decode("utf-8-sig")
    assert "4.40106E+17" in text and len(text.splitlines()) == 4
    assert AuditEvent.objects.filter(action="core.download", object_id=str(job.pk)).exists()
    # Errors page by page, and filtered.
    assert client.get(job.get_absolute_url() + "?severity=error").status_code == 200
    response = client.post(reverse("tabular:confirm", args=[job.pk]), {"mode": "valid"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTED and job.committed_new == 1
    html = client.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="committed-new">1<' in html


def test_progress_fragment_polls_while_running_and_reloads_when_done(client, admin, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(admin)
    upload(client, [HEADER, [idn(1), "甲", "440106"]])
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.STAGED
    fragment = client.get(job.get_absolute_url() + "?part=status", HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 1s"' in fragment.content
    from shegong.core.tabular import engine

    engine.validate(job)
    done = client.get(job.get_absolute_url() + "?part=status", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_the_upload_form_refuses_bad_files_with_the_reason(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("tabular:new"),
        {
            "table": "workers",
            "file": SimpleUploadedFile("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00"),
            "strategy": "upsert",
            "mode": "valid",
        },
    )
    assert response.status_code == 200
    assert ImportJob.objects.count() == 0
    assert "aria-invalid" in response.content.decode()


def test_staff_cannot_import_and_others_cannot_see_the_record(client, admin):
    client.force_login(admin)
    upload(client, [HEADER, [idn(1), "甲", "440106"]])
    job = ImportJob.objects.get()
    staff = official("440106", role=Role.STAFF)
    client.force_login(staff)
    assert client.get(reverse("tabular:new")).status_code == 403
    assert client.get(job.get_absolute_url()).status_code == 200  # same office: may read the record
    assert client.post(reverse("tabular:confirm", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED  # refused: only the uploader confirms
    client.force_login(official("440000"))
    assert client.get(job.get_absolute_url()).status_code == 200  # the province above
    client.force_login(official("440105"))
    assert client.get(job.get_absolute_url()).status_code == 404  # a neighbouring county
    assert client.get(reverse("tabular:annotated", args=[job.pk])).status_code == 404


def test_discard(client, admin):
    client.force_login(admin)
    upload(client, [HEADER, [idn(1), "甲", "440106"]])
    job = ImportJob.objects.get()
    client.post(reverse("tabular:discard", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and Person.objects.count() == 0


def test_list_and_documentation_pages(client, admin):
    client.force_login(admin)
    upload(client, [HEADER, [idn(1), "甲", "440106"]])
    html = client.get(reverse("tabular:list")).content.decode()
    assert ImportJob.objects.get().batch_id in html
    html = client.get(reverse("tabular:tables")).content.decode()
    for header in (
        "身份证号码",
        "管理号",
        "统一社会信用代码",
        "id_number",
        "management_no",
        "credit_code",
        "助理社会工作师",
    ):
        assert header in html


def test_templates_have_headers_comments_dropdowns_and_text_id_columns(client, admin):
    client.force_login(admin)
    response = client.get(reverse("tabular:template", args=["certificates"]))
    assert response.status_code == 200
    content = response.content
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert sheet[0][:4] == ["身份证号码*", "姓名", "证书等级*", "管理号*"]
    assert sheet[1][2] == "助理社会工作师"
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
        names = archive.namelist()
    assert "<dataValidation" in xml and "助理社会工作师" in xml
    assert any(name.startswith("xl/comments") for name in names)
    assert 'formatCode="@"' in styles or 'numFmtId="49"' in styles


# --- exports ------------------------------------------------------------------------------------------------


def _download(client, run):
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED, run.error
    return b"".join(client.get(reverse("core:task-download", args=[run.pk])).streaming_content)


def test_export_csv_round_trips_through_import(client, admin, tmp_path):
    imported(tmp_path, admin, "workers", csv_bytes([HEADER] + [[idn(i), f"社工{i}", "440106"] for i in range(5)]))
    PersonFactory(id_number=idn(9, county="440105"), region_id="440105")  # another county: not exported
    client.force_login(admin)
    response = client.post(reverse("tabular:export", args=["workers"]), {"format": "csv"})
    run = TaskRun.objects.get()
    assert response.url == reverse("core:task-detail", args=[run.pk])
    content = _download(client, run)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["身份证号码", "姓名", "性别"] and len(rows) == 6
    assert {row[0] for row in rows[1:]} == {idn(i) for i in range(5)}  # full numbers for administrators
    event = AuditEvent.objects.get(action="core.export")
    assert event.changes["rows"] == 5 and event.changes["table"] == "workers" and event.changes["unmasked"] is True
    assert run.expires_at is not None
    again = imported(tmp_path, admin, "workers", content)
    assert (again.count_unchanged, again.count_new, again.count_rejected) == (5, 0, 0)


def test_export_xlsx_with_filters_and_scope_applied_when_the_job_runs(client, admin, settings):
    from shegong.organizations.models import Organization

    for i, (code, kind) in enumerate(
        [("52440106MA5CJQ4N5J", "service_organization"), ("51440106MA5CJQ4N6X", "association")]
    ):
        Organization.objects.create(
            credit_code=code,
            name=f"机构{i}",
            kind=kind,
            region_id="440106",
            contact_name="甲",
            contact_phone="1",
            status="active",
        )
    Organization.objects.create(
        credit_code="52440105MA5CJQ4N5J",
        name="外区",
        kind="service_organization",
        region_id="440105",
        contact_name="乙",
        contact_phone="1",
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(admin)
    client.post(reverse("tabular:export", args=["organizations"]), {"format": "xlsx", "kind": "association"})
    run = TaskRun.objects.get()
    # Before the job runs, the user is moved to another county: the export follows the new scope.
    admin.region_id = "440105"
    admin.save()
    from django_tasks_db.models import DBTaskResult

    from shegong.core.tabular.export import export_table

    task = DBTaskResult.objects.get()
    export_table.call(**task.args_kwargs["kwargs"])
    content = _download(client, run)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert sheet[0][0] == "统一社会信用代码"
    assert len(sheet) == 1  # the association of 440106 is no longer in scope; 440105 has none


def test_read_only_staff_export_masked_id_numbers(client, admin, tmp_path):
    imported(tmp_path, admin, "workers", csv_bytes([HEADER, [idn(1), "甲", "440106"]]))
    client.force_login(official("440106", role=Role.STAFF))
    client.post(reverse("tabular:export", args=["workers"]), {"format": "csv"})
    content = _download(client, TaskRun.objects.get())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1][0] == idn(1)[:6] + "********" + idn(1)[-4:]
    assert AuditEvent.objects.get(action="core.export").changes["unmasked"] is False


# --- API --------------------------------------------------------------------------------------------------


def test_api_upload_issues_confirm(client, admin):
    client.force_login(admin)
    content = csv_bytes([HEADER, [idn(1), "甲", "440106"], ["x", "乙", "440106"]])
    response = client.post("/api/v1/imports/", {"table": "workers", "file": SimpleUploadedFile("a.csv", content)})
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    detail = client.get(f"/api/v1/imports/{job_id}/").json()
    assert detail["status"] == "validated" and detail["count_new"] == 1 and detail["count_rejected"] == 1
    issues = client.get(f"/api/v1/imports/{job_id}/issues/").json()
    assert issues["count"] == 1 and issues["results"][0]["row"] == 3 and issues["results"][0]["column"] == "身份证号码"
    response = client.post(
        f"/api/v1/imports/{job_id}/confirm/", data=json.dumps({"mode": "valid"}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert client.get(f"/api/v1/imports/{job_id}/").json()["committed_new"] == 1
    tables = client.get("/api/v1/import-tables/").json()
    assert {t["name"] for t in tables} >= {"workers", "certificates", "organizations"}


def test_api_refuses_staff_and_hides_other_regions(client, admin):
    client.force_login(official("440106", role=Role.STAFF))
    content = csv_bytes([HEADER, [idn(1), "甲", "440106"]])
    assert (
        client.post("/api/v1/imports/", {"table": "workers", "file": SimpleUploadedFile("a.csv", content)}).status_code
        == 403
    )
    client.force_login(admin)
    job_id = client.post("/api/v1/imports/", {"table": "workers", "file": SimpleUploadedFile("a.csv", content)}).json()[
        "id"
    ]
    client.force_login(official("440105"))
    assert client.get(f"/api/v1/imports/{job_id}/").status_code == 404
    assert client.post(f"/api/v1/imports/{job_id}/confirm/").status_code == 404


def test_api_export(client, admin):
    client.force_login(admin)
    response = client.post(
        "/api/v1/exports/",
        data=json.dumps({"table": "organizations", "format": "csv", "filters": {"kind": "association"}}),
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    assert TaskRun.objects.get().status == TaskRun.Status.SUCCEEDED
    bad = client.post(
        "/api/v1/exports/",
        data=json.dumps({"table": "organizations", "filters": {"nope": "1"}}),
        content_type="application/json",
    )
    assert bad.status_code == 400


# --- command line ------------------------------------------------------------------------------------------


def test_command_line_import_dry_run_and_commit(tmp_path, admin, capsys):
    path = tmp_path / "w.csv"
    path.write_bytes(csv_bytes([HEADER, [idn(1), "甲", "440106"], [idn(2), "乙", "440105"]]))
    call_command("import", "workers", str(path), "--region", "440106", "--dry-run", "--language", "en")
    out = capsys.readouterr().out
    assert "new 1" in out and "rejected 1" in out and "outside your region" in out
    assert Person.objects.count() == 0
    with pytest.raises(SystemExit):
        call_command("import", "workers", str(path), "--region", "440106", "--language", "en")  # all or nothing
    assert Person.objects.count() == 0
    call_command("import", "workers", str(path), "--user", admin.username, "--valid-only", "--language", "en")
    out = capsys.readouterr().out
    assert "Written: 1 added" in out
    assert Person.objects.count() == 1
    assert ImportJob.objects.filter(user=admin).count() == 1


def test_command_line_export(tmp_path, admin):
    imported(tmp_path, admin, "workers", csv_bytes([HEADER, [idn(1), "甲", "440106"]]))
    target = tmp_path / "out.xlsx"
    call_command("export", "workers", "--region", "440106", "-o", str(target))
    sheet = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert sheet[1][0] == idn(1) and sheet[1][1] == "甲"
    target = tmp_path / "none.csv"
    call_command("export", "workers", "--region", "510107", "-o", str(target))
    assert len(target.read_text(encoding="utf-8-sig").splitlines()) == 1


def test_the_organization_list_offers_the_export_of_its_filtered_rows(client, admin):
    client.force_login(admin)
    html = client.get(reverse("organizations:list"), {"kind": "association"}).content.decode()
    assert reverse("tabular:export", args=["organizations"]) in html
    assert 'name="kind" value="association"' in html
    client.post(reverse("tabular:export", args=["organizations"]), {"format": "csv", "kind": "association"})
    run = TaskRun.objects.get()
    assert run.status == TaskRun.Status.SUCCEEDED
    assert AuditEvent.objects.get(action="core.export").changes["filters"] == {"kind": "association"}

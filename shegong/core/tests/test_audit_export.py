"""The audit log's export runs through the engine's export (core/tables.py)."""

import pytest
from django.urls import reverse

from shegong.accounts.roles import Role
from shegong.core.models import AuditEvent, TaskRun
from tests.factories import official

from .tabular_helpers import exported_rows, xlsx_cell_formats

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor():
    AuditEvent.objects.create(action="user_create", region_code="440106", object_id="0012", object_repr="=1+1")
    AuditEvent.objects.create(action="user_create", region_code="440305", object_repr="深圳")
    AuditEvent.objects.create(action="user_create", region_code="510107", object_repr="武侯")
    AuditEvent.objects.create(action="audit_prune", region_code="")
    return official("440000", Role.AUDITOR, username="gd_auditor")


def _queued(client, settings, captured, user, data):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(user)
    with captured(execute=True):
        response = client.post(reverse("audit:export"), data)
    run = TaskRun.objects.get(kind="audit.export")
    assert response["Location"] == reverse("core:task-detail", args=[run.pk])
    return run


def _work(run):
    from django_tasks_db.models import DBTaskResult

    from shegong.core.tabular.export import export_table

    (task,) = DBTaskResult.objects.all()
    export_table.call(**task.args_kwargs["kwargs"])
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED, run.error
    return run.result_file.read()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_audit_export_is_the_engines_job(client, settings, auditor, django_capture_on_commit_callbacks, fmt):
    run = _queued(client, settings, django_capture_on_commit_callbacks, auditor, {"format": fmt})
    content = _work(run)
    assert run.result_name.startswith("audit-log-") and run.expires_at is not None
    rows = exported_rows(content, fmt)
    by_region = {row[3]: (r, row) for r, row in enumerate(rows[1:], start=1)}
    assert {"440106", "440305"} <= set(by_region)  # (and the auditor's own sign-in, in 440000)
    assert all(code.startswith("44") for code in by_region)  # Sichuan's and region-less events never appear
    r, tianhe = by_region["440106"]
    assert tianhe[6] == "0012"
    if fmt == "csv":
        assert tianhe[7] == "'=1+1"
    else:
        formats = xlsx_cell_formats(content)
        assert tianhe[7] == "=1+1" and formats[(r, 7)] == (True, True)
        assert formats[(r, 3)][0] and formats[(r, 6)][0]  # region and object id: text cells
    export = AuditEvent.objects.get(action="core.export")
    assert (
        export.actor == auditor and export.changes["table"] == "audit_log" and export.changes["rows"] == len(rows) - 1
    )


def test_audit_export_reapplies_the_scope_when_the_job_runs(
    client, settings, auditor, django_capture_on_commit_callbacks
):
    run = _queued(client, settings, django_capture_on_commit_callbacks, auditor, {"format": "csv"})
    auditor.region_id = "440100"  # moved to Guangzhou before a worker takes the job
    auditor.save()
    rows = exported_rows(_work(run), "csv")
    assert [row[3] for row in rows[1:]] == ["440106"]  # Shenzhen's (and the province's) events are left out


def test_an_auditor_disabled_before_the_job_runs_exports_nothing(
    client, settings, auditor, django_capture_on_commit_callbacks
):
    run = _queued(client, settings, django_capture_on_commit_callbacks, auditor, {"format": "csv"})
    auditor.is_active = False
    auditor.save()
    from django_tasks_db.models import DBTaskResult

    from shegong.core.tabular.export import export_table

    export_table.call(**DBTaskResult.objects.get().args_kwargs["kwargs"])
    run.refresh_from_db()
    assert run.status == TaskRun.Status.FAILED and not run.result_file
    assert not AuditEvent.objects.filter(action="core.export").exists()


def test_only_auditors_export_the_log_through_any_door(client, auditor):
    admin = official("440000", Role.ADMIN, username="gd_admin")
    client.force_login(admin)
    assert client.post(reverse("audit:export"), {"format": "csv"}).status_code == 403
    assert client.post(reverse("tabular:export", args=["audit_log"]), {"format": "csv"}).status_code == 403
    response = client.post("/api/v1/exports/", {"table": "audit_log", "format": "csv"}, content_type="application/json")
    assert response.status_code == 403 and not TaskRun.objects.exists()

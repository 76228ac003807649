"""The compliance list's export runs through the engine's export (education/tables.py)."""

import pytest

from shegong.core.models import AuditEvent, TaskRun
from shegong.core.tests.tabular_helpers import exported_rows, xlsx_cell_formats
from shegong.workers.models import Person
from tests.factories import official

from .test_views import compliance_population

pytestmark = pytest.mark.django_db


def _queued(client, settings, captured, user, data):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(user)
    with captured(execute=True):
        response = client.post("/education/compliance/export/", data)
    run = TaskRun.objects.get(kind="education.compliance_export")
    assert response.status_code == 302 and response["Location"].endswith(f"/{run.pk}/")
    return run


def _work(run):
    from django_tasks_db.models import DBTaskResult

    from shegong.core.tabular.export import export_table

    export_table.call(**DBTaskResult.objects.get().args_kwargs["kwargs"])
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED, run.error
    return run.result_file.read()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_compliance_export_is_the_engines_job(client, settings, tmp_path, django_capture_on_commit_callbacks, fmt):
    settings.MEDIA_ROOT = tmp_path
    people = compliance_population()
    Person.objects.filter(pk=people[1].pk).update(name="@SUM(A1)")
    admin = official("440000")
    run = _queued(client, settings, django_capture_on_commit_callbacks, admin, {"format": fmt})
    content = _work(run)
    assert run.result_name.startswith("education-compliance-") and run.expires_at is not None
    rows = exported_rows(content, fmt)
    names = [row[0] for row in rows[1:]]
    assert "合规0" in names and "合规3" in names and "合规4" not in names  # Sichuan's person never appears
    r = 1 + names.index("'@SUM(A1)" if fmt == "csv" else "@SUM(A1)")  # neutralised
    assert rows[r][2] == "440106"
    if fmt == "xlsx":
        formats = xlsx_cell_formats(content)
        assert formats[(r, 0)] == (True, True) and formats[(r, 2)][0]  # quoted name; region code as text
    event = AuditEvent.objects.get(action="core.export")
    assert event.actor == admin and event.changes["table"] == "education_compliance"
    assert event.changes["rows"] == len(rows) - 1 == 4


def test_compliance_export_reapplies_the_scope_when_the_job_runs(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    compliance_population()
    admin = official("440000")
    run = _queued(client, settings, django_capture_on_commit_callbacks, admin, {"format": "csv", "status": "short"})
    admin.region_id = "440106"  # moved to Tianhe before a worker takes the job
    admin.save()
    rows = exported_rows(_work(run), "csv")
    assert [row[0] for row in rows[1:]] == ["合规2"]  # 440104's short person (合规3) is out of scope now
    assert AuditEvent.objects.get(action="core.export").changes["filters"] == {"status": "short"}

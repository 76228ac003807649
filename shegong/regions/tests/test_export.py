"""The division list's export runs through the engine's export (regions/tables.py)."""

import pytest
from django.urls import reverse

from shegong.core.models import AuditEvent, TaskRun
from shegong.core.tests.tabular_helpers import exported_rows, xlsx_cell_formats
from shegong.regions.models import Level, Region
from tests.factories import official

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_jobs(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_region_export_is_the_engines_job(client, run_jobs, fmt):
    Region.objects.create(
        code="440199", name="=cmd|' /C calc'!A0", full_name="广东省广州市测试区", level=Level.COUNTY,
        parent_id="440100", prefix="440199", gb_code="440199",
    )  # fmt: skip
    user = official("440000")
    client.force_login(user)
    with run_jobs():
        response = client.post(reverse("regions:export"), {"format": fmt, "code_prefix": "4401", "level": "3"})
    run = TaskRun.objects.get(kind="regions.export")
    assert response["Location"] == reverse("core:task-detail", args=[run.pk])
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED, run.error
    assert run.expires_at is not None and run.result_name.startswith("regions-")
    content = run.result_file.read()
    rows = exported_rows(content, fmt)
    assert rows[0][:2] in (["Code", "Name"], ["代码", "名称"]) and len(rows[0]) == 7
    codes = [row[0] for row in rows[1:]]
    assert "440106" in codes and all(code.startswith("4401") for code in codes)  # the filters, applied by the job
    test_row = rows[1 + codes.index("440199")]
    if fmt == "csv":
        assert test_row[1] == "'=cmd|' /C calc'!A0"  # neutralised
    else:
        formats = xlsx_cell_formats(content)
        r = 1 + codes.index("440199")
        assert test_row[1] == "=cmd|' /C calc'!A0" and formats[(r, 1)] == (True, True)  # quoted text
        assert formats[(r, 0)][0] and formats[(r, 4)][0]  # code and parent code: text cells
    event = AuditEvent.objects.get(action="core.export")
    assert event.actor == user and event.changes["table"] == "regions" and event.changes["rows"] == len(rows) - 1
    assert event.changes["filters"] == {"code_prefix": "4401", "level": "3"}

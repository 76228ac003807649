"""The account list's export runs through the engine's export (accounts/tables.py)."""

import pytest
from django.urls import reverse

from shegong.accounts.roles import Role
from shegong.core.models import AuditEvent, TaskRun
from shegong.core.tests.tabular_helpers import exported_rows, xlsx_cell_formats
from tests.factories import official

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts():
    return {
        "gd": official("440000", Role.ADMIN, username="gd_admin"),
        "gd_staff": official("440000", Role.STAFF, username="gd_staff", full_name='=HYPERLINK("http://x")'),
        "th_staff": official("440106", Role.STAFF, username="th_staff", phone="02012345678"),
        "sc_staff": official("510000", Role.STAFF, username="sc_staff"),
    }


def _run_queued_job(run):
    """Run the export job queued in the database, as a worker would (later than the request)."""
    from django_tasks_db.models import DBTaskResult

    from shegong.core.tabular.export import export_table

    (task,) = DBTaskResult.objects.all()
    export_table.call(**task.args_kwargs["kwargs"])
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED, run.error
    return run.result_file.read()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_account_export_is_the_engines_job_with_the_scope_of_when_it_runs(
    client, settings, accounts, django_capture_on_commit_callbacks, fmt
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(accounts["gd"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:user-export"), {"format": fmt, "role": "staff"})
    run = TaskRun.objects.get(kind="accounts.export")
    assert response["Location"] == reverse("core:task-detail", args=[run.pk])
    content = _run_queued_job(run)
    rows = exported_rows(content, fmt)
    names = [row[0] for row in rows[1:]]
    assert sorted(names) == ["gd_staff", "th_staff"]  # Sichuan's account never appears
    gd_row = rows[1 + names.index("gd_staff")]
    th_row = rows[1 + names.index("th_staff")]
    if fmt == "csv":
        assert gd_row[1] == '\'=HYPERLINK("http://x")'
    else:
        formats = xlsx_cell_formats(content)
        assert gd_row[1] == '=HYPERLINK("http://x")' and formats[(1 + names.index("gd_staff"), 1)] == (True, True)
        r = 1 + names.index("th_staff")
        assert formats[(r, 3)][0] and formats[(r, 5)][0]  # region code and telephone: text cells
    assert th_row[3] == "440106" and th_row[5] == "02012345678"
    event = AuditEvent.objects.get(action="core.export")
    assert event.actor == accounts["gd"] and event.changes["table"] == "accounts" and event.changes["rows"] == 2
    assert run.expires_at is not None


def test_account_export_reapplies_the_scope_when_the_job_runs(
    client, settings, accounts, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(accounts["gd"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:user-export"), {"format": "csv", "role": "staff"})
    run = TaskRun.objects.get(kind="accounts.export")
    # Before a worker takes the job, the administrator is moved to Tianhe: the export follows.
    accounts["gd"].region_id = "440106"
    accounts["gd"].save()
    rows = exported_rows(_run_queued_job(run), "csv")
    assert [row[0] for row in rows[1:]] == ["th_staff"]


def test_the_engines_export_page_refuses_accounts_to_non_administrators(client, accounts):
    client.force_login(accounts["th_staff"])
    assert client.post(reverse("accounts:user-export"), {"format": "csv"}).status_code == 403
    response = client.post(reverse("tabular:export", args=["accounts"]), {"format": "csv"})
    assert response.status_code == 403 and not TaskRun.objects.exists()

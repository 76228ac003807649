"""The audit log: read by audit administrators of their subtree only, append-only, pruned by retention."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from shegong.accounts.roles import Role
from shegong.core import navigation, schedule
from shegong.core.audit import record, tasks
from shegong.core.audit.views import change_rows
from shegong.core.keyset import Key, keyset_page
from shegong.core.models import AuditEvent, TaskRun
from tests.factories import official

pytestmark = pytest.mark.django_db

LIST = reverse("audit:list")


@pytest.fixture(autouse=True)
def _fast_and_english(settings):
    from django.utils import translation

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def run_jobs(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return lambda: django_capture_on_commit_callbacks(execute=True)


def event_at(when, **fields):
    """An event written at ``when`` (``at`` is set by the database layer on insert, so time is shifted)."""
    from unittest import mock

    fields.setdefault("action", "test")
    with mock.patch("django.utils.timezone.now", return_value=when):
        return AuditEvent.objects.create(**fields)


@pytest.fixture
def log(db):
    """Events in Tianhe (Guangdong), Wuhou (Sichuan) and one without a region, and the auditors."""
    gd_admin = official("440000", Role.ADMIN, username="gd_admin")
    events = {
        "th": record(
            gd_admin,
            "accounts.user_role_change",
            official("440106", Role.STAFF, username="th_staff"),
            changes={"before": {"role": "staff"}, "after": {"role": "admin"}},
        ),
        "wh": event_at(timezone.now(), action="accounts.user_create", actor_name="sc_admin", region_code="510107"),
        "none": event_at(timezone.now(), action="audit.prune", region_code=""),
    }
    return {
        "events": events,
        "mca_auditor": official("000000", Role.AUDITOR, username="mca_auditor"),
        "gd_auditor": official("440000", Role.AUDITOR, username="gd_auditor"),
        "th_auditor": official("440106", Role.AUDITOR, username="th_auditor"),
        "sc_auditor": official("510000", Role.AUDITOR, username="sc_auditor"),
        "gd_admin": gd_admin,
    }


def listed(client, params=None):
    response = client.get(LIST, params or {})
    assert response.status_code == 200
    return [event.pk for event in response.context["events"]]


class TestAccess:
    def test_province_auditor_sees_only_its_subtree(self, client, log):
        client.force_login(log["gd_auditor"])
        ids = listed(client)
        assert log["events"]["th"].pk in ids
        assert log["events"]["wh"].pk not in ids and log["events"]["none"].pk not in ids

    def test_national_auditor_sees_everything(self, client, log):
        client.force_login(log["mca_auditor"])
        assert {e.pk for e in log["events"].values()} <= set(listed(client))

    def test_other_province_sees_its_own(self, client, log):
        client.force_login(log["sc_auditor"])
        ids = listed(client)
        assert log["events"]["wh"].pk in ids and log["events"]["th"].pk not in ids

    def test_out_of_scope_detail_is_404(self, client, log):
        client.force_login(log["th_auditor"])
        assert client.get(reverse("audit:detail", args=[log["events"]["th"].pk])).status_code == 200
        assert client.get(reverse("audit:detail", args=[log["events"]["wh"].pk])).status_code == 404
        assert client.get(reverse("audit:detail", args=[999999])).status_code == 404

    @pytest.mark.parametrize("role", [Role.ADMIN, Role.SECURITY, Role.STAFF, Role.OPERATOR, Role.API_CLIENT])
    def test_other_roles_are_refused(self, client, log, role):
        client.force_login(official("000000", role, username=f"national_{role}"))
        assert client.get(LIST).status_code == 403
        assert client.get(reverse("audit:detail", args=[log["events"]["th"].pk])).status_code == 403
        assert client.post(reverse("audit:export"), {"format": "csv"}).status_code == 403
        assert not TaskRun.objects.exists()

    def test_worker_refused_and_anonymous_sent_to_sign_in(self, client, log):
        from tests.factories import UserFactory

        client.force_login(UserFactory(role=Role.WORKER, region_id=None, username="worker1"))
        assert client.get(LIST).status_code == 403
        client.logout()
        response = client.get(LIST)
        assert response.status_code == 302 and reverse("login") in response["Location"]

    def test_disabled_auditor_sees_nothing(self, log):
        auditor = log["gd_auditor"]
        auditor.is_active = False
        assert not AuditEvent.objects.visible_to(auditor).exists()

    def test_navigation_only_for_auditors(self, client, log):
        client.force_login(log["gd_auditor"])
        assert "audit" in navigation.keys_of(client.get(reverse("home")).context["nav_items"])
        client.force_login(log["gd_admin"])
        assert "audit" not in navigation.keys_of(client.get(reverse("home")).context["nav_items"])


class TestFilters:
    def test_each_filter(self, client, log):
        client.force_login(log["mca_auditor"])
        th, wh = log["events"]["th"], log["events"]["wh"]
        assert listed(client, {"action": "accounts.user_create"}) == [wh.pk]
        assert listed(client, {"actor": "gd_admin"}) == [th.pk]
        assert listed(client, {"object_type": "accounts.User", "object_id": th.object_id}) == [th.pk]
        assert set(listed(client, {"within": "440000"})) == {th.pk}
        assert set(listed(client, {"within_0": "510000", "within_1": "510100"})) == {wh.pk}
        assert listed(client, {"q": th.object_repr}) == [th.pk]

    def test_time_range_and_request_id(self, client, log):
        old = event_at(timezone.now() - timedelta(days=10), region_code="440106", request_id="req-1")
        client.force_login(log["gd_auditor"])
        day = timezone.localdate() - timedelta(days=10)
        assert listed(client, {"start": day.isoformat(), "end": day.isoformat()}) == [old.pk]
        assert old.pk not in listed(client, {"start": timezone.localdate().isoformat()})
        assert listed(client, {"request_id": "req-1"}) == [old.pk]

    def test_filters_never_widen_the_scope(self, client, log):
        client.force_login(log["gd_auditor"])
        assert listed(client, {"within": "510000"}) == []
        assert listed(client, {"action": "accounts.user_create"}) == []

    def test_invalid_filter_shows_nothing(self, client, log):
        client.force_login(log["gd_auditor"])
        response = client.get(LIST, {"start": "not-a-date"})
        assert response.status_code == 200 and response.context["events"] == []


class TestKeysetPagination:
    def test_walks_older_and_newer_without_gaps(self, client, log):
        now = timezone.now()
        # Several events share a timestamp: the id breaks the tie.
        made = [
            event_at(now - timedelta(seconds=i // 3), region_code="440106", action="core.download") for i in range(125)
        ]
        client.force_login(log["gd_auditor"])
        seen, params, pages = [], {"action": "core.download"}, []
        while True:
            response = client.get(LIST, params)
            page = [e.pk for e in response.context["events"]]
            pages.append(page)
            seen += page
            if not response.context["older_cursor"]:
                break
            params = {"action": "core.download", "older": response.context["older_cursor"]}
        expected = [e.pk for e in sorted(made, key=lambda e: (e.at, e.pk), reverse=True)]
        assert seen == expected and [len(p) for p in pages] == [50, 50, 25]
        newer = response.context["newer_cursor"]
        back = client.get(LIST, {"action": "core.download", "newer": newer}).context
        assert [e.pk for e in back["events"]] == pages[1]
        assert back["newer_cursor"] and back["older_cursor"]

    def test_keyset_page_function(self, log):
        qs, keys = AuditEvent.objects.all(), [Key("at", True), Key("pk", True)]
        first = keyset_page(qs, keys, size=2)
        assert len(first) == 2 and first.next_cursor and first.previous_cursor is None and first.is_first
        second = keyset_page(qs, keys, first.next_cursor, size=2)
        assert second.rows[0].pk not in {r.pk for r in first} and second.previous_cursor
        back = keyset_page(qs, keys, before=second.previous_cursor, size=2)
        assert [r.pk for r in back] == [r.pk for r in first] and back.is_first and back.previous_cursor is None


class TestDetail:
    def test_before_and_after(self, client, log):
        client.force_login(log["gd_auditor"])
        response = client.get(reverse("audit:detail", args=[log["events"]["th"].pk]))
        assert response.context["change_fields"] == [
            {
                "name": "role",
                "label": "role",
                "before": "Civil affairs staff (read-only)",
                "after": "Civil affairs administrator",
                "changed": True,
            }
        ]
        body = response.content.decode()
        assert "Changed an account’s role" in body and "gd_admin" in body
        assert "user_role_change" not in body  # the action in words, never its stored code

    def test_change_rows(self):
        fields, others = change_rows({"after": {"a": 1, "b": None}, "via": "issue", "filters": {"x": "1"}})
        assert fields == [
            {"name": "a", "label": "a", "before": "", "after": "1", "changed": True},
            {"name": "b", "label": "b", "before": "", "after": "—", "changed": False},
        ]
        assert others[0] == ("Created by", "Accounts issued in bulk") and others[1][0] == "Filters"
        assert change_rows({}) == ([], [])


class TestExport:
    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    def test_export_is_scoped_and_itself_audited(self, client, log, run_jobs, fmt):
        client.force_login(log["gd_auditor"])
        with run_jobs():
            response = client.post(reverse("audit:export"), {"format": fmt, "within_0": "440000"})
        run = TaskRun.objects.get(kind="audit.export")
        assert response["Location"] == reverse("core:task-detail", args=[run.pk])
        run.refresh_from_db()
        assert run.status == TaskRun.Status.SUCCEEDED, run.error
        content = run.result_file.read()
        if fmt == "csv":
            rows = [line.split(",") for line in content.decode("utf-8-sig").splitlines()]
        else:
            from python_calamine import CalamineWorkbook

            rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
        assert rows[0][0] == "Time"
        assert "Changed an account’s role" in [row[4] for row in rows[1:]]  # the action in words
        assert all(row[3].startswith("44") for row in rows[1:])  # Sichuan's and region-less events left out
        export = AuditEvent.objects.get(action="core.export")
        assert export.actor == log["gd_auditor"] and export.changes["table"] == "audit_log"
        assert export.changes["rows"] == len(rows) - 1 and export.changes["filters"] == {"within": "440000"}

    def test_unknown_format_refused(self, client, log):
        client.force_login(log["gd_auditor"])
        client.post(reverse("audit:export"), {"format": "pdf"})
        assert not TaskRun.objects.exists()


class TestAppendOnly:
    def test_model_refuses_changes(self, log):
        event = log["events"]["th"]
        event.action = "tampered"
        with pytest.raises(PermissionError):
            event.save()
        with pytest.raises(PermissionError):
            event.delete()
        with pytest.raises(PermissionError):
            AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
        with pytest.raises(PermissionError):
            AuditEvent.objects.filter(pk=event.pk).delete()
        assert AuditEvent.objects.get(pk=event.pk).action == "accounts.user_role_change"

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
    def test_database_refuses_raw_update_and_delete(self, log):
        event = log["events"]["th"]
        table = AuditEvent._meta.db_table
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET action = 'tampered' WHERE id = %s", [event.pk])  # noqa: S608
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])  # noqa: S608
        assert AuditEvent.objects.get(pk=event.pk).action == "accounts.user_role_change"


class TestPruning:
    def test_removes_only_old_events(self, db, settings):
        settings.AUDIT_RETENTION_DAYS = 365
        now = timezone.now()
        old = event_at(now - timedelta(days=400))
        edge = event_at(now - timedelta(days=364))
        recent = event_at(now)
        result = tasks.prune_audit_events()
        assert result.deleted == 1 and result.days == 365
        remaining = set(AuditEvent.objects.values_list("pk", flat=True))
        assert old.pk not in remaining and {edge.pk, recent.pk} <= remaining
        prune = AuditEvent.objects.get(action="audit.prune")
        assert prune.changes["deleted"] == 1 and prune.changes["retention_days"] == 365

    def test_in_batches(self, db, settings):
        settings.AUDIT_RETENTION_DAYS = 200
        for _ in range(7):
            event_at(timezone.now() - timedelta(days=300))
        assert tasks.prune_audit_events(batch_size=3).deleted == 7
        assert AuditEvent.objects.exclude(action="audit.prune").count() == 0

    def test_minimum_is_enforced(self, db, settings):
        settings.AUDIT_RETENTION_DAYS = 30  # below the minimum: raised to 180
        kept = event_at(timezone.now() - timedelta(days=100))
        gone = event_at(timezone.now() - timedelta(days=200))
        result = tasks.prune_audit_events()
        assert result.days == tasks.MINIMUM_RETENTION_DAYS == 180
        assert AuditEvent.objects.filter(pk=kept.pk).exists() and not AuditEvent.objects.filter(pk=gone.pk).exists()
        with pytest.raises(ValueError):
            tasks.prune_audit_events(days=179)

    def test_command(self, db, settings, capsys):
        settings.AUDIT_RETENTION_DAYS = 365
        event_at(timezone.now() - timedelta(days=500))
        call_command("prune_audit_log", "--dry-run")
        assert "1 audit events" in capsys.readouterr().out and AuditEvent.objects.count() == 1
        call_command("prune_audit_log")
        assert "Deleted 1" in capsys.readouterr().out
        with pytest.raises(CommandError, match="180"):
            call_command("prune_audit_log", "--days", "10")

    def test_scheduled_daily_as_a_task(self, db, settings):
        entry = next(e for e in schedule.registered() if e.task is tasks.prune_audit_log)
        assert entry.every == timedelta(days=1)
        event_at(timezone.now() - timedelta(days=500))
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
        assert tasks.prune_audit_log.enqueue().return_value == 1

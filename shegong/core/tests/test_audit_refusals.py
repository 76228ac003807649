"""Refusals in the audit log (403s, the 404s of detail pages and downloads), at most one per caller, route
and minute; and background jobs whose events carry the request id and address of the request that started them."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shegong.accounts.roles import Role
from shegong.core.audit import refusals
from shegong.core.identifiers import build_id_number
from shegong.core.models import AuditEvent, ImportJob, TaskRun
from tests.factories import PersonFactory, UserFactory, id_number_for, official

from .tabular_helpers import csv_bytes

pytestmark = pytest.mark.django_db

REFUSED = "core.access_refused"
CALLER = {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_REQUEST_ID": "req-refused-1"}


def refusals_logged():
    return AuditEvent.objects.filter(action=REFUSED).order_by("id")


def test_a_scope_404_on_a_detail_page_is_recorded_with_request_id_and_address(client):
    elsewhere = PersonFactory(id_number=id_number_for(1, "510107"), region_id="510107")
    user = official("440106", Role.STAFF)
    client.force_login(user)
    response = client.get(reverse("workers:person-detail", args=[elsewhere.pk]), **CALLER)
    assert response.status_code == 404
    event = refusals_logged().get()
    assert event.actor_id == user.pk and event.region_code == "440106"
    assert event.request_id == "req-refused-1" and event.address == "203.0.113.7"
    assert event.changes["status"] == 404 and event.changes["route"] == "workers/persons/<int:pk>/"
    assert event.changes["path"] == f"/workers/persons/{elsewhere.pk}/"


def test_a_403_and_a_refused_download_are_recorded(client):
    worker = UserFactory(role=Role.WORKER, region_id=None, username="w1")
    client.force_login(worker)
    assert client.get(reverse("workers:person-list"), **CALLER).status_code == 403
    other = TaskRun.objects.create(user=official("440106"), kind="test", title="别人的导出")
    assert client.get(reverse("core:task-download", args=[other.pk]), **CALLER).status_code == 404
    logged = refusals_logged()
    assert [e.changes["status"] for e in logged] == [403, 404]
    assert {e.actor_id for e in logged} == {worker.pk}
    assert logged[1].changes["route"] == "jobs/<uuid:pk>/download/"


def test_a_crawler_gets_one_event_per_route_and_minute(client, monkeypatch):
    user = official("440106", Role.STAFF)
    client.force_login(user)
    now = [1_800_000_000.0]
    monkeypatch.setattr(refusals.time, "time", lambda: now[0])
    for pk in range(900001, 900031):  # thirty ids on one route
        assert client.get(reverse("workers:person-detail", args=[pk])).status_code == 404
    assert refusals_logged().count() == 1
    client.get(reverse("workers:person-photo", args=[900001]))  # another route: its own event
    assert refusals_logged().count() == 2
    now[0] += 60  # the next minute
    client.get(reverse("workers:person-detail", args=[900001]))
    assert refusals_logged().count() == 3
    # Another account on the same route in the same minute is another caller.
    client.force_login(official("440106", Role.STAFF, username="colleague"))
    client.get(reverse("workers:person-detail", args=[900001]))
    assert refusals_logged().count() == 4


def test_a_mistyped_address_and_a_page_that_answers_are_not_refusals(client):
    client.force_login(official("440106", Role.STAFF))
    assert client.get("/no-such-page/").status_code == 404
    assert client.get(reverse("workers:person-list")).status_code == 200
    assert not refusals_logged().exists()


# --- background jobs --------------------------------------------------------------------------------------


@pytest.fixture
def queued(settings, monkeypatch):
    """Tasks queued by a request run afterwards, outside it, like on a worker host."""
    from django.db import transaction

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    callbacks = []
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: callbacks.append(func))

    def run_all():
        while callbacks:
            callbacks.pop(0)()

    return run_all


def test_an_export_job_carries_the_request_that_started_it(client, queued):
    PersonFactory(id_number=id_number_for(1, "440106"), region_id="440106")
    client.force_login(official("440106"))
    extra = {"REMOTE_ADDR": "203.0.113.8", "HTTP_X_REQUEST_ID": "req-export-1"}
    assert client.post(reverse("tabular:export", args=["workers"]), {"format": "csv"}, **extra).status_code == 302
    run = TaskRun.objects.get()
    assert (run.request_id, run.address) == ("req-export-1", "203.0.113.8")
    queued()
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED
    event = AuditEvent.objects.get(action="core.export")
    assert (event.request_id, event.address) == ("req-export-1", "203.0.113.8")


def test_import_jobs_carry_the_request_that_queued_each_step(client, queued):
    client.force_login(official("440106"))
    number = build_id_number("440106", datetime.date(1980, 1, 1), 3)
    content = csv_bytes([["身份证号码", "姓名", "工作地区"], [number, "甲", "440106"]])
    upload = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_REQUEST_ID": "req-upload-1"}
    response = client.post(
        reverse("tabular:new"),
        {"table": "workers", "file": SimpleUploadedFile("d.csv", content), "strategy": "upsert", "mode": "valid"},
        **upload,
    )
    assert response.status_code == 302
    queued()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.VALIDATED
    validated = AuditEvent.objects.get(action="import.validate")
    assert (validated.request_id, validated.address) == ("req-upload-1", "203.0.113.9")

    confirm = {"REMOTE_ADDR": "203.0.113.10", "HTTP_X_REQUEST_ID": "req-confirm-1"}
    assert client.post(reverse("tabular:confirm", args=[job.pk]), {"mode": "valid"}, **confirm).status_code == 302
    queued()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTED
    committed = AuditEvent.objects.filter(action__in=["import.batch", "import.commit"])
    assert committed.exists()
    assert set(committed.values_list("request_id", "address")) == {("req-confirm-1", "203.0.113.10")}

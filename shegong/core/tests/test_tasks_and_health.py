import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.core.models import TaskRun, WorkerHeartbeat
from shegong.core.tasks import JobContext, job_task, record_worker_heartbeat, worker_state
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_worker(client, settings):
    # The details are for monitoring (here: with the token; test_healthz.py has the rest).
    settings.HEALTHZ_TOKEN = "monitoring-token"
    body = client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="monitoring-token").json()
    assert body["database"]["status"] == "ok"
    assert body["worker"]["status"] == "down" and body["status"] == "degraded"
    record_worker_heartbeat("host:1")
    body = client.get("/healthz", HTTP_X_HEALTHZ_TOKEN="monitoring-token").json()
    assert body["worker"] == {"status": "ok", "workers": 1, "queued": 0, "oldest_queued_seconds": 0}
    assert body["status"] == "ok"


def test_stale_heartbeat_means_worker_down():
    record_worker_heartbeat("host:2")
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - timezone.timedelta(minutes=5))
    assert worker_state()["status"] == "down"


def _run(user, **kwargs):
    kwargs.setdefault("title", "测试任务")
    return TaskRun.objects.create(user=user, kind="test", **kwargs)


def test_job_task_records_success_progress_and_result():
    user = UserFactory()
    run = _run(user)

    @job_task
    def body(job, value):
        job.progress(50, "halfway")
        job.save_result("out.csv", value.encode())

    body(run_id=str(run.pk), value="a,b\n")
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED and run.percent == 100
    assert run.result_file.read() == b"a,b\n" and run.result_name == "out.csv"
    assert run.expires_at > timezone.now()


def test_job_task_records_failure_with_message():
    user = UserFactory()
    run = _run(user)

    @job_task
    def body(job):
        raise ValueError("第3行缺少身份证号")

    body(run_id=str(run.pk))
    run.refresh_from_db()
    assert run.status == TaskRun.Status.FAILED and "第3行缺少身份证号" in run.error


def test_progress_is_clamped():
    run = _run(UserFactory())
    job = JobContext(run)
    job.progress(150, "x")
    run.refresh_from_db()
    assert run.percent == 100


def test_jobs_are_visible_only_to_their_owner(client):
    owner, other = UserFactory(), UserFactory()
    run = _run(owner, status=TaskRun.Status.RUNNING, percent=40, message="处理中")
    client.force_login(other)
    assert client.get(reverse("core:task-detail", args=[run.pk])).status_code == 404
    assert client.get(reverse("core:task-download", args=[run.pk])).status_code == 404
    client.force_login(owner)
    page = client.get(reverse("core:task-detail", args=[run.pk]))
    assert page.status_code == 200 and "处理中" in page.content.decode()
    # The progress fragment polls itself while the job runs, and stops when it is finished.
    fragment = client.get(reverse("core:task-detail", args=[run.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<html" not in fragment
    TaskRun.objects.filter(pk=run.pk).update(status=TaskRun.Status.SUCCEEDED, percent=100)
    fragment = client.get(reverse("core:task-detail", args=[run.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment


def test_download_without_result_is_404(client):
    owner = UserFactory()
    run = _run(owner, status=TaskRun.Status.SUCCEEDED)
    client.force_login(owner)
    assert client.get(reverse("core:task-download", args=[run.pk])).status_code == 404


def test_job_list_shows_own_jobs_only(client):
    owner, other = UserFactory(), UserFactory()
    _run(owner, title="我的导出")
    _run(other, title="别人的导出")
    client.force_login(owner)
    html = client.get(reverse("core:task-list")).content.decode()
    assert "我的导出" in html and "别人的导出" not in html


def test_a_stale_form_gets_a_friendly_page():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "403_csrf.html" in [t.name for t in response.templates]
    assert "CSRF verification failed" not in response.content.decode()

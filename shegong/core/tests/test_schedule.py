from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shegong.core.maintenance import prune_expired_results
from shegong.core.models import TaskRun
from shegong.core.schedule import enqueue_due, registered
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_periodic_tasks_are_enqueued_once_per_interval():
    paths = {entry.path for entry in registered()}
    assert prune_expired_results.module_path in paths
    now = timezone.now()
    first = enqueue_due(now)
    assert prune_expired_results.module_path in first
    assert enqueue_due(now + timedelta(minutes=5)) == []  # not due again yet
    DBTaskResult.objects.update(enqueued_at=now - timedelta(hours=2))
    assert prune_expired_results.module_path in enqueue_due(now)


def test_expired_result_files_are_deleted():
    from django.core.files.base import ContentFile

    user = UserFactory()
    old = TaskRun.objects.create(user=user, kind="t", title="旧导出", expires_at=timezone.now() - timedelta(hours=1))
    old.result_file.save("old.csv", ContentFile(b"x"), save=True)
    fresh = TaskRun.objects.create(user=user, kind="t", title="新导出", expires_at=timezone.now() + timedelta(hours=1))
    fresh.result_file.save("new.csv", ContentFile(b"y"), save=True)
    assert prune_expired_results.call() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert not old.result_file and fresh.result_file

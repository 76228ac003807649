"""A job's page says why it failed in words, never with an internal name (``KeyError: 'kind'``)."""

import pytest
from django.urls import reverse

from shegong.core.models import TaskRun
from shegong.core.tasks import job_task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _failed_run(user, exc):
    run = TaskRun.objects.create(user=user, kind="test", title="测试任务")

    @job_task
    def body(job):
        raise exc

    body(run_id=str(run.pk))
    run.refresh_from_db()
    return run


def test_an_internal_error_is_not_shown_by_its_name(client):
    user = UserFactory()
    run = _failed_run(user, KeyError("employer_type"))
    assert "KeyError" in run.error  # kept for the operator
    client.force_login(user)
    body = client.get(reverse("core:task-detail", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "KeyError" not in body and "employer_type" not in body
    assert "任务失败" in body or "失败" in body
    assert str(run.pk) in body  # the number to give the operator


def test_a_message_for_people_is_shown_without_the_type(client):
    user = UserFactory()
    run = _failed_run(user, ValueError("第3行缺少身份证号"))
    client.force_login(user)
    body = client.get(reverse("core:task-detail", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "第3行缺少身份证号" in body and "ValueError" not in body

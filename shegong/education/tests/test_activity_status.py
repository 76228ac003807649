"""An activity past its end is never shown as 报名中 (open for enrolment), on any page or in the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ActivityFactory, ProviderFactory, official, provider_user

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def activities():
    provider = ProviderFactory()
    now = timezone.now()
    ended = ActivityFactory(
        provider=provider, title="已过期的培训", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2)
    )
    running = ActivityFactory(provider=provider, title="进行中的培训")
    return provider, ended, running


def test_an_ended_activity_shows_ended_on_its_page_the_lists_and_the_api(client, activities):
    provider, ended, running = activities
    client.force_login(provider_user(provider))
    detail = client.get(reverse("education:activity-detail", args=[ended.pk]), **ZH).content.decode()
    assert "已结束" in detail and "报名中" not in detail
    listed = client.get(reverse("education:activity-list"), {"upcoming": "false"}, **ZH).content.decode()
    row = listed[listed.index("已过期的培训") :]
    row = row[: row.index("</tr>")]
    assert "已结束" in row and "报名中" not in row
    home = client.get(reverse("education:provider-home"), **ZH).content.decode()
    row = home[home.index("已过期的培训") :]
    assert "报名中" not in row[: row.index("</tr>")]
    api = client.get("/api/v1/education/activities/", **ZH).json()
    names = {item["title"]: item["status_name"] for item in api["results"]}
    assert names["已过期的培训"] == "已结束"
    assert names["进行中的培训"] == "报名中"


def test_the_status_filter_follows_the_status_shown(client, activities):
    provider, ended, running = activities
    client.force_login(official("440000"))
    url = reverse("education:activity-list")
    open_page = client.get(url, {"status": "open", "upcoming": "false"}, **ZH).content.decode()
    assert "进行中的培训" in open_page and "已过期的培训" not in open_page
    ended_page = client.get(url, {"status": "ended", "upcoming": "false"}, **ZH).content.decode()
    assert "已过期的培训" in ended_page and "进行中的培训" not in ended_page

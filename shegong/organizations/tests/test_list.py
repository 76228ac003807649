"""The officials' list of organizations: keyset pages in name order, a total only for a county's scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import OrganizationFactory, official

pytestmark = pytest.mark.django_db


def names_on(response):
    return [organization.name for organization in response.context["organizations"]]


def test_pages_follow_the_cursor_without_gaps_or_repeats(client):
    for n in range(60):
        OrganizationFactory(name=f"机构{n:03d}", region_id="440106" if n % 2 else "440104")
    OrganizationFactory(name="机构外省", region_id="510107")
    client.force_login(official("440000", username="gd_admin"))
    first = client.get(reverse("organizations:list"))
    assert names_on(first) == [f"机构{n:03d}" for n in range(50)]
    # A province is too wide a scope to count; the page says so instead of a number.
    assert first.context["total"] is None
    assert "不统计总数" in first.text
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("organizations:list"), {"cursor": cursor})
    assert names_on(second) == [f"机构{n:03d}" for n in range(50, 60)]
    assert second.context["page"].next_cursor is None
    # Filters travel with the cursor; a forged cursor shows the first page.
    filtered = client.get(reverse("organizations:list"), {"within": "440106"})
    assert filtered.context["total"] == 30
    assert names_on(filtered)[:2] == ["机构001", "机构003"]
    assert names_on(client.get(reverse("organizations:list"), {"cursor": "garbage"}))[0] == "机构000"


def test_the_list_runs_a_fixed_number_of_queries(client):
    client.force_login(official("440106"))
    OrganizationFactory()
    client.get(reverse("organizations:list"))  # per-process caches (the division tree) filled
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("organizations:list"))
    for _n in range(30):
        OrganizationFactory()
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("organizations:list"))
    assert response.context["total"] == 31
    assert len(many) == len(few)

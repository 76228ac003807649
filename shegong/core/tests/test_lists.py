"""The one list stack: the region-subtree filter, keyset pages (pages and API), and no OFFSET lists."""

import inspect
from datetime import date
from pathlib import Path

import django_filters
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.generic.list import MultipleObjectMixin

from shegong.core.filters import RegionSubtreeFilter
from shegong.core.keyset import Key, keyset_page
from shegong.core.models import Application
from shegong.workers.models import Person
from tests.factories import PersonFactory, official

pytestmark = pytest.mark.django_db


# --- the region-subtree filter ----------------------------------------------------------------------
class PersonWithin(django_filters.FilterSet):
    within = RegionSubtreeFilter(field_name="region__code", county_field="region_id")

    class Meta:
        model = Person
        fields = []


def within(code):
    return set(PersonWithin({"within": code}, queryset=Person.objects.all()).qs.values_list("name", flat=True))


class TestRegionSubtreeFilter:
    def test_subtree_unknown_and_empty(self):
        PersonFactory(name="天河", region_id="440106")
        PersonFactory(name="越秀", region_id="440104")
        PersonFactory(name="武侯", region_id="510107")
        assert within("440100") == {"天河", "越秀"}
        assert within("440106") == {"天河"}
        assert within("440000") == {"天河", "越秀"}
        assert within("000000") == {"天河", "越秀", "武侯"}
        assert within("999999") == set()  # an unknown code selects nothing, never everything
        assert within("") == {"天河", "越秀", "武侯"}

    def test_county_is_an_equality_on_the_column(self):
        qs = PersonWithin({"within": "440106"}, queryset=Person.objects.all()).qs
        sql = str(qs.query).upper()
        assert "LIKE" not in sql and "REGION_ID" in sql

    def test_exclude_null(self):
        from shegong.accounts.filters import UserFilter
        from shegong.accounts.models import User

        official("440106", username="tianhe")
        official("440106", username="nowhere")
        User.objects.filter(username="nowhere").update(region=None)
        names = set(UserFilter({"within": "000000"}, queryset=User.objects.all()).qs.values_list("username", flat=True))
        assert "tianhe" in names and "nowhere" not in names

    def test_every_filter_set_uses_it(self):
        """No filter set writes its own "within region": each ``within`` is a RegionSubtreeFilter."""
        from shegong.accounts import filters as accounts
        from shegong.core.audit import filters as filters_audit
        from shegong.core.workflow import views as views_workflow
        from shegong.education import filters as education
        from shegong.organizations import filters as organizations
        from shegong.regions import filters as regions
        from shegong.registration import filters as registration
        from shegong.workers import filters as workers

        modules = [accounts, filters_audit, views_workflow, education, organizations, regions, registration, workers]
        sets = [
            obj
            for module in modules
            for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, django_filters.FilterSet) and obj.__module__ == module.__name__
        ]
        with_region = [fs for fs in sets if "within" in fs.base_filters]
        assert len(with_region) >= 9
        for filterset in with_region:
            assert isinstance(filterset.base_filters["within"], RegionSubtreeFilter), filterset
            assert not hasattr(filterset, "filter_within"), filterset
        for module in modules:
            assert ".subtree_q(" not in inspect.getsource(module), module


# --- keyset pages ---------------------------------------------------------------------------------------
def walk(queryset, keys, size):
    seen, cursor, pages = [], None, []
    while True:
        page = keyset_page(queryset, keys, cursor, size)
        pages.append(page)
        seen += [row.pk for row in page]
        if not page.has_next:
            return seen, pages
        cursor = page.next_cursor


class TestKeyset:
    def test_ties_on_the_first_key_and_back(self):
        for i in range(7):
            PersonFactory(name="王伟" if i % 2 else "李娜")
        keys = [Key("name"), Key("pk")]
        seen, pages = walk(Person.objects.all(), keys, 2)
        assert seen == list(Person.objects.order_by("name", "pk").values_list("pk", flat=True))
        back = keyset_page(Person.objects.all(), keys, before=pages[2].previous_cursor, size=2)
        assert [r.pk for r in back] == [r.pk for r in pages[1]]

    def test_nullable_key(self):
        applicant = official("440106", username="applicant")
        due = [None, date(2026, 1, 5), None, date(2026, 1, 5), date(2026, 1, 1), None]
        for i, day in enumerate(due):
            Application.objects.create(flow="test", applicant=applicant, region_id="440106", title=f"a{i}", due_on=day)
        keys = [Key("due_on", null=date(9999, 12, 31)), Key("pk")]
        seen, _pages = walk(Application.objects.all(), keys, 2)
        dated = list(Application.objects.filter(due_on__isnull=False).order_by("due_on", "pk"))
        undated = list(Application.objects.filter(due_on__isnull=True).order_by("pk"))
        assert seen == [a.pk for a in dated + undated]

    def test_no_offset_and_no_count(self):
        for _ in range(5):
            PersonFactory()
        first = keyset_page(Person.objects.all(), [Key("name"), Key("pk")], size=2)
        with CaptureQueriesContext(connection) as queries:
            keyset_page(Person.objects.all(), [Key("name"), Key("pk")], first.next_cursor, size=2)
        assert len(queries) == 1
        sql = queries[0]["sql"].upper()
        assert "OFFSET" not in sql and "COUNT(" not in sql

    def test_a_foreign_cursor_shows_the_first_page(self):
        PersonFactory()
        page = keyset_page(Person.objects.all(), [Key("name"), Key("pk")], "not-a-cursor", size=2)
        assert page.is_first and len(page) == 1


def list_views():
    """Every class-based view behind a URL."""

    def walk_patterns(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk_patterns(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
                if view is not None:
                    yield view

    return set(walk_patterns(get_resolver().url_patterns))


def test_no_page_lists_with_count_and_offset():
    """Every list page pages by keyset: no Django ListView (COUNT + OFFSET) behind any URL."""
    views = list_views()
    assert len(views) > 50
    offenders = sorted(v.__name__ for v in views if issubclass(v, MultipleObjectMixin))
    assert offenders == []


def test_the_api_default_is_the_keyset_pagination(settings):
    from rest_framework.pagination import CursorPagination, PageNumberPagination

    from shegong.core.pagination import KeysetPagination

    assert settings.REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"] == "shegong.core.pagination.KeysetPagination"
    for view in list_views():
        pagination = getattr(view, "pagination_class", None)
        if pagination is not None:
            assert issubclass(pagination, KeysetPagination), view
            assert not issubclass(pagination, CursorPagination | PageNumberPagination), view


# --- the API pagination ----------------------------------------------------------------------------------
class TestAPIPagination:
    URL = "/api/v1/workers/"

    @pytest.fixture
    def api(self, client):
        client.force_login(official("440000", username="gd_api"))
        return client

    def test_ties_on_the_first_sort_field(self, api):
        # Seven persons share one name: DRF's CursorPagination would page through them by offset.
        for i in range(11):
            PersonFactory(name="王伟" if i < 7 else f"张{i}", region_id="440106")
        expected = list(Person.objects.order_by("name", "pk").values_list("pk", flat=True))
        pages, url, params = [], self.URL, {"page_size": 2}
        with CaptureQueriesContext(connection) as queries:
            while url:
                response = api.get(url, params)
                assert response.status_code == 200, response.content
                data = response.json()
                pages.append([row["id"] for row in data["results"]])
                url, params = data["next"], None
        assert [pk for page in pages for pk in page] == expected and len(pages) == 6
        person_sql = [q["sql"].upper() for q in queries if 'FROM "WORKERS_PERSON"' in q["sql"].upper()]
        assert person_sql and all("OFFSET" not in sql for sql in person_sql)
        # Back from the last page by the previous links: the same pages, in reverse.
        back, url = [], data["previous"]
        while url:
            data = api.get(url).json()
            back.insert(0, [row["id"] for row in data["results"]])
            url = data["previous"]
        assert back == pages[:-1]

    def test_invalid_cursor_is_not_found(self, api):
        assert api.get(self.URL, {"cursor": "nonsense"}).status_code == 404
        assert api.get(self.URL, {"cursor": "nW10"}).status_code == 404  # "[]": not two values


# --- one pagination and one filter-form template -------------------------------------------------------
def templates():
    from django.conf import settings

    roots = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR, "shegong").glob("*/templates")]
    return {path: path.read_text() for root in roots for path in root.rglob("*.html")}


def test_one_pagination_template():
    holders = sorted(path.name for path, text in templates().items() if 'class="pagination' in text)
    assert holders == ["_pagination.html"]


# Single-field forms that are not a list's filters: a province picker, one account search box.
SEARCH_FORMS_OF_THEIR_OWN = {"public_providers.html", "security_two_factor.html"}


def test_one_filter_form_template():
    holders = sorted(
        path.name
        for path, text in templates().items()
        if 'role="search"' in text and path.name not in SEARCH_FORMS_OF_THEIR_OWN
    )
    assert holders == ["_filter_form.html"]

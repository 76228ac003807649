"""The API refuses bad input with a 400 that names the parameter, never a 500; its refusals are JSON in the
language of the request; its rate limits and the export quota answer 429 with Retry-After; the schema
documents each refusal. (The schemathesis run over every route is tests/test_api_fuzz.py; this file runs
on both databases.)"""

import json

import pytest
from django.urls import reverse

from shegong.core.models import TaskRun
from tests import factories

pytestmark = pytest.mark.django_db

CERTIFICATES = "/api/v1/certificates/"
RECORDS = "/api/v1/education/records/"


@pytest.fixture
def api(client):
    client.force_login(factories.official("440000"))
    factories.holder(1, "440106")
    return client


# --- bad input is a 400, never a server error -------------------------------------------------------------


@pytest.mark.parametrize(
    "url, params, field",
    [
        (RECORDS, {"year": "0.0"}, "year"),  # was a 500 (a decimal year for the year lookup)
        (RECORDS, {"year": "1e3"}, "year"),
        (RECORDS, {"year": "99999"}, "year"),
        (RECORDS, {"person": "2.7e+79"}, "person"),
        (CERTIFICATES, {"employer_organization": "2.7e+79"}, "employer_organization"),  # was a 500
        (CERTIFICATES, {"employer_organization": "9" * 30}, "employer_organization"),  # OverflowError on SQLite
        (CERTIFICATES, {"employer_organization": str(2**63)}, "employer_organization"),
        (CERTIFICATES, {"exam_year": "2020.5"}, "exam_year"),
        (CERTIFICATES, {"page_size": "abc"}, "page_size"),
        (CERTIFICATES, {"page_size": "0"}, "page_size"),
        (CERTIFICATES, {"page_size": "100000"}, "page_size"),
        (CERTIFICATES, {"statu": "registered"}, "statu"),  # a mistyped filter does not list everything
        ("/api/v1/workers/", {"checked": "null"}, "checked"),
        ("/api/v1/regions/", {"active": "-3"}, "active"),
        ("/api/v1/registrations/", {"person": "-1"}, "person"),
    ],
)
def test_a_bad_parameter_is_refused_with_400_naming_it(api, url, params, field):
    response = api.get(url, params)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert field in response.json()


def test_good_values_still_filter(api):
    assert api.get(CERTIFICATES, {"exam_year": "2000", "employer_organization": "7", "page_size": "10"}).json() == {
        "next": None,
        "previous": None,
        "results": [],
    }
    assert len(api.get(CERTIFICATES, {"status": "", "page_size": "500"}).json()["results"]) == 1
    assert api.get("/api/v1/workers/", {"checked": "false"}).status_code == 200
    assert api.get("/api/v1/workers/", {"checked": "unknown"}).status_code == 200  # the pages' select


def test_a_huge_id_in_the_path_is_not_found(api):
    for path in ("9" * 30, str(2**63), "2.7e+79", "abc"):
        response = api.get(f"{CERTIFICATES}{path}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。", "code": "not_found"}


# --- refusals are JSON in the language of the request -----------------------------------------------------


def test_errors_follow_accept_language(api):
    chinese = api.get(RECORDS, {"year": "abc"}).json()
    english = api.get(RECORDS, {"year": "abc"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert chinese == {"year": ["请输入整数。"]}
    assert english == {"year": ["Enter a whole number."]}
    assert api.get(CERTIFICATES, {"statu": "x"}).json() == {"statu": ["未知的参数。"]}
    assert api.get(CERTIFICATES, {"statu": "x"}, HTTP_ACCEPT_LANGUAGE="en").json() == {"statu": ["Unknown parameter."]}
    # Django's own 404 ("No Certificate matches the given query.") is the API's translated one.
    assert api.get(f"{CERTIFICATES}99999/").json()["detail"] == "未找到。"
    assert api.get(f"{CERTIFICATES}99999/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"] == "Not found."


def test_a_path_outside_the_routes_answers_json(api):
    response = api.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_not_signed_in_is_a_chinese_403(client):
    response = client.get(CERTIFICATES)
    assert response.status_code == 403
    assert response.json() == {"detail": "身份认证信息未提供。", "code": "not_authenticated"}
    assert client.get(CERTIFICATES, HTTP_ACCEPT_LANGUAGE="en").json()["detail"] == (
        "Authentication credentials were not provided."
    )


def test_export_refusals_are_translated(api):
    body = json.dumps({"table": "nope", "format": "csv"})
    response = api.post("/api/v1/exports/", data=body, content_type="application/json")
    assert response.status_code == 400 and response.json() == {"table": ["未知的表。"]}


# --- the schema documents the refusals --------------------------------------------------------------------


def test_the_schema_documents_every_refusal(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    listing = schema["paths"]["/api/v1/certificates/"]["get"]["responses"]
    assert {"200", "400", "403", "404", "429"} <= set(listing)
    assert "Retry-After" in listing["429"]["headers"]
    assert listing["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ValidationError"}
    detail = schema["paths"]["/api/v1/certificates/{id}/"]["get"]["responses"]
    assert {"200", "403", "404", "429"} <= set(detail)
    assert "Error" in schema["components"]["schemas"]
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/education/records/"]["get"]["parameters"]}
    assert parameters["year"] == {"type": "integer", "minimum": 1900, "maximum": 2200}
    assert parameters["person"]["maximum"] == 2**63 - 1
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 500}
    public = schema["paths"]["/api/v1/public/certificate-check/"]["post"]["responses"]
    assert {"200", "400", "429"} <= set(public)


# --- throttling per account, in the shared cache ----------------------------------------------------------


def test_an_account_over_its_rate_gets_429_with_retry_after(client, settings):
    settings.SHEGONG_API_RATE = "3/min"
    first, second = factories.official("440106"), factories.official("440106")
    client.force_login(first)
    assert [client.get(CERTIFICATES).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(CERTIFICATES)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "throttled"
    assert refused.json()["detail"].startswith("请求过于频繁，请在") and "秒后重试" in refused.json()["detail"]
    # Per account: a colleague behind the same address is not throttled.
    client.force_login(second)
    assert client.get(CERTIFICATES).status_code == 200


def test_anonymous_callers_are_throttled_by_address(client, settings):
    settings.SHEGONG_API_ANON_RATE = "2/min"
    url, body = "/api/v1/public/certificate-check/", {"number": "X1", "name": "某某"}
    assert [client.post(url, body).status_code for _ in range(2)] == [200, 200]
    refused = client.post(url, body)
    assert refused.status_code == 429 and "Retry-After" in refused
    assert refused.json()["detail"].startswith("请求过于频繁")


# --- the export quota -------------------------------------------------------------------------------------


@pytest.fixture
def exports(settings, monkeypatch):
    from django.db import transaction

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
    settings.SHEGONG_EXPORT_JOBS_PER_HOUR = 2


def _api_export(client):
    body = json.dumps({"table": "organizations", "format": "csv"})
    return client.post("/api/v1/exports/", data=body, content_type="application/json")


def test_the_export_quota_refuses_the_next_export(client, exports):
    admin = factories.official("440106")
    client.force_login(admin)
    assert [_api_export(client).status_code for _ in range(2)] == [202, 202]
    refused = _api_export(client)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 3000
    assert refused.json()["detail"].startswith("您在过去一小时内已发起 2 次导出，已达上限")
    assert TaskRun.objects.filter(user=admin).count() == 2
    # The list page's export button says so and starts nothing.
    response = client.post(reverse("tabular:export", args=["workers"]), {"format": "csv"}, follow=True)
    assert "已达上限" in response.content.decode()
    assert TaskRun.objects.filter(user=admin).count() == 2
    # Another account has its own quota.
    client.force_login(factories.official("440106"))
    assert _api_export(client).status_code == 202


def test_the_row_quota_refuses_once_the_rows_are_exported(client, exports, settings):
    from tests.factories import PersonFactory

    settings.SHEGONG_EXPORT_JOBS_PER_HOUR = 0  # no job limit: the rows decide
    settings.SHEGONG_EXPORT_ROWS_PER_HOUR = 3
    for n in range(3):
        PersonFactory(id_number=factories.id_number_for(n), region_id="440106")
    client.force_login(factories.official("440106"))
    body = json.dumps({"table": "workers", "format": "csv"})
    assert client.post("/api/v1/exports/", data=body, content_type="application/json").status_code == 202
    refused = client.post("/api/v1/exports/", data=body, content_type="application/json")
    assert refused.status_code == 429
    assert "您在过去一小时内已导出 3 行" in refused.json()["detail"]


def test_no_filter_set_uses_the_lax_number_or_boolean_filter():
    """NumberFilter takes "0.0" and "2.7e+79" (server errors); django-filter's BooleanFilter takes any word
    for "not chosen". Every filter set uses core.filters' IntegerFilter and BooleanFilter instead."""
    import importlib
    import pkgutil

    import django_filters

    import shegong
    from shegong.core import filters as core_filters

    lax = []
    for module_info in pkgutil.walk_packages(shegong.__path__, "shegong."):
        if not module_info.name.endswith("filters") or ".tests" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, django_filters.FilterSet):
                for name, field in value.base_filters.items():
                    if type(field) is django_filters.NumberFilter or type(field) is django_filters.BooleanFilter:
                        lax.append(f"{module_info.name}.{value.__name__}.{name}")
    assert lax == []
    assert issubclass(core_filters.IntegerFilter, django_filters.NumberFilter)

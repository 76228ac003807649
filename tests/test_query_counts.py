"""Query-count baselines of the list pages (like NetBox's query_counts.json).

Each list page is rendered with a few rows and with many rows (one page either way) and the number of
SQL queries is compared with tests/query_counts.json:

- more queries with more rows: something runs once per row (an N+1), which fails whatever the file says;
- more queries than the file: a regression, which fails;
- fewer queries than the file: good, but the file must follow, so that the gain is kept: run
  ``SHEGONG_UPDATE_QUERY_COUNTS=1 .venv/bin/python -m pytest tests/test_query_counts.py`` and commit
  the file (the update refuses counts that grow with rows).

A count may be given per database vendor (``{"sqlite": 9, "postgresql": 10}``) where they differ.
"""

import json
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shegong.accounts.roles import Role
from tests import factories as f

BASELINES = Path(__file__).with_name("query_counts.json")
UPDATE = os.environ.get("SHEGONG_UPDATE_QUERY_COUNTS") == "1"
FEW, MANY = 2, 15  # both fit on the first page of every list


def _seq():
    _seq.n += 1
    return _seq.n


_seq.n = 0


def officials():
    return f.official("440106", username="qc_county")


def viewer_account():
    """The signed-in viewer, as stored (the factory would set its password again and sign it out)."""
    from shegong.accounts.models import User

    return User.objects.filter(username="qc_county").first() or officials()


def person_rows(n):
    for _ in range(n):
        f.CertificateFactory(person=f.PersonFactory(region_id="440106"))


def certificate_rows(n):
    for _ in range(n):
        f.CertificateFactory(person=f.PersonFactory(region_id="440106"))


def organization_rows(n):
    for _ in range(n):
        f.OrganizationFactory(credit_code=f.credit_code_for(5000 + _seq()))


def provider_rows(n):
    for _ in range(n):
        f.ProviderFactory()


def activity_rows(n):
    for _ in range(n):
        f.ActivityFactory(provider=f.ProviderFactory())


def user_rows(n):
    for _ in range(n):
        f.official("440106", role=Role.STAFF, username=f"qc_staff{_seq()}")


def application_rows_for(user_fn):
    def make(n):
        from shegong.core.models import Application

        applicant = user_fn()
        for i in range(n):
            Application.objects.create(
                flow="qc", title=f"qc{i}", applicant=applicant, region_id="440106", due_on=timezone.localdate()
            )

    return make


def notification_rows(n):
    from shegong.core.models import Notification

    user = viewer_account()
    Notification.objects.bulk_create([Notification(user=user, text=f"notice {i}") for i in range(n)])


def task_rows(n):
    from shegong.core.models import TaskRun

    user = viewer_account()
    for i in range(n):
        TaskRun.objects.create(kind="qc", title=f"job {i}", user=user)


def import_rows(n):
    from shegong.core.models import ImportJob

    user = viewer_account()
    for i in range(n):
        ImportJob.objects.create(
            table="workers", user=user, region_id="440106", original_name=f"f{i}.xlsx", file_format="xlsx"
        )


def audit_rows(n):
    from shegong.core.models import AuditEvent

    for i in range(n):
        AuditEvent.objects.create(action="qc", region_code="440106", actor_name=f"a{i}", object_repr=f"o{i}")


def auditor():
    return f.official("440106", role=Role.AUDITOR, username="qc_auditor")


def feedback_rows(n):
    from shegong.workers.models import RegistryFeedback

    user = f.UserFactory(role=Role.WORKER, region_id=None, username=f"qc_worker{_seq()}")
    for _ in range(n):
        person = f.PersonFactory(region_id="440106")
        RegistryFeedback.objects.create(
            person=person, user=user, level="assistant", management_no=f"X{_seq()}", exam_year=2020
        )


def inbox_rows(n):
    """Applications waiting at the viewer's county on a step its role acts on (the organizations' sign-up)."""
    from shegong.core.models import Application

    applicant = f.UserFactory(username=f"qc_applicant{_seq()}", region_id="440106")
    for i in range(n):
        Application.objects.create(
            flow="organizations.signup",
            current_step="county_review",
            state="pending",
            acting_region_id="440106",
            title=f"qc{i}",
            applicant=applicant,
            region_id="440106",
            due_on=timezone.localdate(),
        )


def standing_rows(n):
    """Persons of the county with a certificate, their study standing refreshed as the ledger does it."""
    from shegong.education.services.ledger import refresh_standing

    for _ in range(n):
        refresh_standing(f.CertificateFactory(person=f.PersonFactory(region_id="440106")).person)


def signup_rows(n):
    from shegong.core import crypto
    from shegong.workers.models import WorkerSignup

    for _ in range(n):
        number = _seq()
        id_number = f.id_number_for(900 + number)
        WorkerSignup.objects.create(
            user=f.UserFactory(role=Role.WORKER, region_id=None, username=f"qc_signup{number}"),
            name=f"申请人{number}",
            id_blind_index=crypto.blind_index(id_number),
            id_encrypted=crypto.encrypt(id_number),
            phone=f"139{number:08d}",
            claimed_region_id="440106",
        )


def security_admin():
    return f.official("440106", role=Role.SECURITY, username="qc_security")


def second_factor_rows(n):
    for _ in range(n):
        f.enrol_totp(f.official("440106", role=Role.STAFF, username=f"qc_totp{_seq()}"))


def region_rows(n):
    """Regions are loaded: the rows are chosen by filter (a few or many of Tianhe's neighbours)."""


# (app, page) -> (url name, query for a few rows, query for many rows, viewer, make rows)
PAGES = {
    ("workers", "person-list"): ("workers:person-list", None, None, officials, person_rows),
    ("workers", "certificate-list"): ("workers:certificate-list", None, None, officials, certificate_rows),
    ("workers", "checking"): ("workers:checking", None, None, officials, person_rows),
    ("workers", "feedback-list"): ("workers:feedback-list", None, None, officials, feedback_rows),
    ("organizations", "list"): ("organizations:list", None, None, officials, organization_rows),
    ("education", "provider-list"): ("education:provider-list", None, None, officials, provider_rows),
    ("education", "public-providers"): ("education:public-providers", None, None, None, provider_rows),
    ("education", "activity-list"): ("education:activity-list", None, None, officials, activity_rows),
    ("regions", "list"): ("regions:list", {"code_prefix": "440106"}, {"code_prefix": "44"}, officials, region_rows),
    ("accounts", "user-list"): (
        "accounts:user-list",
        None,
        None,
        lambda: f.official("440100", username="qc_city"),
        user_rows,
    ),
    ("workflow", "mine"): ("workflow:mine", None, None, officials, application_rows_for(viewer_account)),
    ("workflow", "applications"): (
        "workflow:applications",
        None,
        None,
        officials,
        application_rows_for(lambda: f.UserFactory(username="qc_applicant", region_id="440106")),
    ),
    ("workflow", "inbox"): ("workflow:inbox", None, None, officials, inbox_rows),
    ("education", "compliance"): ("education:compliance", None, None, officials, standing_rows),
    ("workers", "signup-list"): ("workers:signup-list", None, None, officials, signup_rows),
    ("accounts", "security-2fa"): ("accounts:security-2fa", None, None, security_admin, second_factor_rows),
    ("workflow", "notifications"): ("workflow:notifications", None, None, officials, notification_rows),
    ("core", "task-list"): ("core:task-list", None, None, officials, task_rows),
    ("tabular", "list"): ("tabular:list", None, None, officials, import_rows),
    ("audit", "list"): ("audit:list", None, None, auditor, audit_rows),
}


def load():
    return json.loads(BASELINES.read_text()) if BASELINES.exists() else {}


def expected(baselines, app, page):
    value = baselines.get(app, {}).get(page)
    if isinstance(value, dict):
        value = value.get(connection.vendor)
    return value


def measure(client, url, params):
    client.get(url, params)  # warm the per-role caches (menu, shell) first
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    view = response.resolver_match.func.view_class
    rows = len(response.context[view.context_object_name])
    return len(queries), [q["sql"] for q in queries], rows


@pytest.mark.django_db
@pytest.mark.parametrize(("app", "page"), sorted(PAGES), ids=[f"{a}:{p}" for a, p in sorted(PAGES)])
def test_list_page_query_count(client, app, page):
    url_name, few_params, many_params, viewer, make = PAGES[(app, page)]
    url = reverse(url_name)
    if viewer is not None:
        client.force_login(viewer())
    make(FEW)
    few, few_sql, few_rows = measure(client, url, few_params)
    make(MANY - FEW)
    many, many_sql, many_rows = measure(client, url, many_params)
    assert 1 <= few_rows < many_rows, f"{app}:{page} shows {few_rows} and {many_rows} rows: the measure is void"
    assert many <= few, (
        f"{app}:{page} runs {few} queries with {FEW} rows and {many} with {MANY}: something runs once per row "
        f"(an N+1; add select_related/prefetch_related or label the page in one query).\n"
        + "\n".join(sql for sql in many_sql if sql not in few_sql)[:3000]
    )
    baselines = load()
    known = expected(baselines, app, page)
    if UPDATE:
        entry = baselines.setdefault(app, {})
        if isinstance(entry.get(page), dict):
            entry[page][connection.vendor] = many
        else:
            entry[page] = many
        BASELINES.write_text(json.dumps(baselines, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        return
    assert known is not None, (
        f"{app}:{page} has no baseline in {BASELINES.name}; run with SHEGONG_UPDATE_QUERY_COUNTS=1"
    )
    assert many <= known, (
        f"{app}:{page} now runs {many} queries, the baseline is {known}: a regression.\n" + "\n".join(many_sql)[:4000]
    )
    assert many == known, (
        f"{app}:{page} runs {many} queries, fewer than the baseline {known}: keep the gain by updating the file "
        f"(SHEGONG_UPDATE_QUERY_COUNTS=1 .venv/bin/python -m pytest tests/test_query_counts.py) and commit it."
    )


def test_every_keyset_list_page_has_a_baseline():
    """A new list page gets a baseline too: every KeysetListMixin view behind a URL is measured here."""
    from shegong.core.keyset import KeysetListMixin
    from shegong.core.tests.test_lists import list_views

    measured = {reverse_view(name) for name, *_rest in PAGES.values()}
    lists = {view for view in list_views() if issubclass(view, KeysetListMixin)}
    missing = sorted(view.__name__ for view in lists - measured - UNMEASURED)
    assert not missing, f"list pages without a query-count baseline: {missing}"


def reverse_view(url_name):
    from django.urls import resolve

    match = resolve(reverse(url_name))
    return getattr(match.func, "view_class", None)


UNMEASURED = set()  # every keyset list page is measured above

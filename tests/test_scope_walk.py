"""The scope walk (issue #3): every URL and API route, as every kind of user, with data placed in two
sibling counties, two provinces, two organizations and two persons. Nothing outside the user's scope
may be listed, shown, changed or exported.

Each object outside a user's scope carries a unique marker in its name or title; the walk requests
every route as that user (GET, and POST for routes with an object in their path) and fails if a
marker of an out-of-scope object appears in a page, an API answer or an exported file, or if an
out-of-scope object changed.
"""

import io
import re
import uuid

import pytest
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver
from python_calamine import CalamineWorkbook

from shegong.accounts.roles import Role
from shegong.core import workflow
from shegong.core.audit import record
from shegong.core.audit_actions import declare
from shegong.core.models import TaskRun
from tests.factories import (
    ActivityFactory,
    CertificateFactory,
    OrganizationFactory,
    PersonFactory,
    ProviderFactory,
    id_number_for,
    official,
    organization_user,
    worker_with_person,
)

pytestmark = pytest.mark.django_db

# An audit event of each place, so that the audit pages are walked with rows in them.
WALK_EVENT = declare("test.walk", "walk")

IN, SIBLING, OTHER = "440106", "440104", "510107"  # 天河区, its sibling 越秀区, 武侯区 in another province
SKIP_ROUTES = ("accounts/logout/", "i18n/setlang/", "captcha/", "api/schema/", "api/docs/", "api/redoc/", "healthz")
SLUG_VALUES = {"table": ["persons", "certificates", "organizations"], "kind": ["first", "renewal"], "name": ["persons"]}


def marker(tag):
    return f"越界{tag}{uuid.uuid4().hex[:6]}"


class World:
    """Objects in three places, each with a marker, and which users may see which."""

    def __init__(self):
        self.objects = {}  # place -> list of (object, marker)
        for place, code in (("in", IN), ("sibling", SIBLING), ("other", OTHER)):
            items = []
            person = PersonFactory(
                name=marker("人员"), region_id=code, id_number=id_number_for(900 + len(code) + int(code[-2:]), code)
            )
            items.append((person, person.name))
            cert = CertificateFactory(person=person)
            items.append((cert, person.name))
            org = OrganizationFactory(name=marker("机构"), region_id=code)
            items.append((org, org.name))
            applicant = official(code, role=Role.STAFF, username=f"applicant_{place}")
            application = workflow.create_application(
                "organizations.signup", applicant, code, subject=org, title=marker("申请")
            )
            items.append((application, application.title))
            event = record(None, WALK_EVENT, org, region_code=code, object_repr=marker("审计"))
            items.append((event, event.object_repr))
            # Published continuing-education providers and their activities are public information
            # (any social worker may enrol anywhere), so they carry no marker; they are here so that
            # routes with their ids are walked too.
            provider = ProviderFactory(province_id=code[:2] + "0000")
            ActivityFactory(provider=provider)
            self.objects[place] = items
        self.person_in = self.objects["in"][0][0]
        self.org_in = self.objects["in"][2][0]

    def markers(self, places):
        return {m for place in places for _obj, m in self.objects[place]}

    def forbidden_objects(self, places):
        return [obj for place in places for obj, _m in self.objects[place]]


def users(world):
    """(label, user, places it must not see)."""
    worker = worker_with_person(world.person_in, username="walk_worker")
    return [
        ("county admin", official(IN, username="walk_county"), ["sibling", "other"]),
        ("sibling county admin", official(SIBLING, username="walk_sibling"), ["in", "other"]),
        ("province staff", official("440000", role=Role.STAFF, username="walk_gd_staff"), ["other"]),
        ("other province admin", official("510000", username="walk_sc"), ["in", "sibling"]),
        ("county auditor", official(IN, role=Role.AUDITOR, username="walk_auditor"), ["sibling", "other"]),
        ("county security", official(IN, role=Role.SECURITY, username="walk_security"), ["sibling", "other"]),
        ("organization admin", organization_user(world.org_in, username="walk_org"), ["sibling", "other"]),
        ("social worker", worker, ["sibling", "other"]),
    ]


def routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    for route, callback in walk(get_resolver().url_patterns):
        if route.startswith(SKIP_ROUTES) or "(?P<format>" in route:
            continue
        yield route, callback


def fill(route, pk):
    """Concrete paths for a route pattern, the object id put where the pattern has one."""
    path = route.replace("^", "").replace("$", "")
    params = re.findall(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)", path)
    if not params:
        return [path]
    paths = [path]
    for _converter, name, regex_name in params:
        name = name or regex_name
        values = [str(pk)] if name in ("pk", "code", "username") else SLUG_VALUES.get(name)
        if not values:
            return []
        expanded = []
        for p in paths:
            for value in values:
                expanded.append(re.sub(rf"<(?:\w+:)?{name}>|\(\?P<{name}>[^)]*\)", value, p, count=1))
        paths = expanded
    return paths


def snapshot(objects):
    return [
        (type(o), o.pk, model_to_dict(type(o).objects.get(pk=o.pk)))
        for o in objects
        if type(o).objects.filter(pk=o.pk).exists()
    ]


def exported_text(run):
    if not run.result_file:
        return ""
    data = run.result_file.read()
    if run.result_name.endswith(".xlsx"):
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return "\n".join(
            str(cell) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python() for cell in row
        )
    return data.decode("utf-8", "replace")


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_nothing_outside_scope_is_listed_shown_changed_or_exported(
    client, immediate_tasks, django_capture_on_commit_callbacks
):
    world = World()
    leaks = []
    for label, user, hidden_places in users(world):
        client.force_login(user)
        hidden = world.markers(hidden_places)
        forbidden = world.forbidden_objects(hidden_places)
        before = snapshot(forbidden)
        for route, _callback in routes():
            targets = [None]
            if "<" in route or "(?P<" in route:
                targets = sorted({str(obj.pk) for obj in forbidden})
            for target in targets:
                for path in fill(route, target) if target is not None else fill(route, ""):
                    url = "/" + path
                    for method in ("get", "post") if target is not None or "export" in route else ("get",):
                        runs_before = set(TaskRun.objects.values_list("pk", flat=True))
                        with django_capture_on_commit_callbacks(execute=True):
                            response = getattr(client, method)(url, {"format": "csv"} if method == "post" else {})
                        body = b"".join(response.streaming_content) if response.streaming else response.content
                        text = body.decode("utf-8", "replace")
                        for run in TaskRun.objects.exclude(pk__in=runs_before):
                            text += exported_text(run)
                        found = sorted(m for m in hidden if m in text)
                        if found:
                            leaks.append(f"{label}: {method.upper()} {url} shows {found}")
                    if client.session.get("_auth_user_id") != str(user.pk):
                        client.force_login(user)  # a route signed us out; carry on as the same user
        after = snapshot(forbidden)
        if before != after:
            changed = [
                f"{t.__name__}#{pk}" for (t, pk, d1), (_t, _p, d2) in zip(before, after, strict=False) if d1 != d2
            ]
            leaks.append(f"{label}: changed out-of-scope objects {changed}")
    assert not leaks, "scope leaks:\n" + "\n".join(leaks)

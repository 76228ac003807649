"""The scope walk (issues #3, #10): every URL and API route, as every member of the cast, over one row
of every scoped model in every place. Nothing outside a member's scope may be listed, shown, changed
or exported.

* The models are found, not listed: a model is scoped iff its default manager's queryset subclasses
  core.scoping.ScopedQuerySet (``scoped_models`` below); each must have a builder in
  tests/walk_data.py, which makes its row in each place (tests/cast.py: two organizations with a
  person each in 天河区, the sibling county 越秀区, 武侯区 in another province). A row carries a unique
  marker in a field that pages, API answers and files show, or is recognised by its id.
* The cast (tests/cast.py) has one account per role and level; each member says which places it must
  not see. The walk requests every route as that member: GET, POST for routes with an object in their
  path (filled with the ids of the rows it must not see) and for exports, whose background job runs
  and whose file is read. It fails if a marker of a hidden row appears in a page, an API answer, a
  PDF or an exported file, if an API answer lists a hidden row's id, or if a hidden row changed.
* Every answer of the walk, signed in or not, is ``Cache-Control: no-store`` and carries the
  ``Permissions-Policy`` (issue #20: nothing personal is left in a cache).
"""

import io
import json
import re
import time
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from python_calamine import CalamineWorkbook

from shegong.core.models import TaskRun
from shegong.core.scoping import scoped_models
from tests.cast import CAST, PLACES
from tests.walk_data import BUILDERS, World

pytestmark = pytest.mark.django_db

SKIP_ROUTES = ("accounts/logout/", "i18n/setlang/", "captcha/", "api/schema/", "api/docs/", "api/redoc/", "healthz")


def slug_values():
    """Values for the non-id parts of paths (a route with a part not named here fails the walk)."""
    from shegong.core.tabular.spec import all_specs
    from shegong.registration.models import RegistrationKind

    tables = [spec.name for spec in all_specs()]
    return {
        "name": tables,
        "kind": [kind.value for kind in RegistrationKind],
        "action": {
            # shegong/education/views_activities.py ActivityActionView
            "education/activities/<int:pk>/<slug:action>/": [
                "enrol",
                "cancel",
                "sign-in",
                "close",
                "reopen",
                "cancel-activity",
                "code",
            ],
            # shegong/education/views_officials.py ProviderActionView
            "education/providers/<int:pk>/<slug:action>/": [
                "publish",
                "revoke",
                "account",
                "reset",
                "disable",
                "enable",
            ],
        },
        "token": ["walk-unknown-token"],
    }


def routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    for route, callback in walk(get_resolver().url_patterns):
        if route.startswith(SKIP_ROUTES) or "(?P<format>" in route or "<drf_format_suffix:" in route:
            continue
        yield route.replace("^", "").replace("$", ""), callback


# Models whose marker only shows on an object's own page (the walk opens those with the ids of rows
# the member must not see) or on the pages of the application's reviewers: drafts are not listed.
NOT_ON_LISTS = {
    "core.Application",
    "core.Decision",
    "core.ImportJob",
    "education.Evidence",
    "registration.RegistrationRequest",
}

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def route_model(callback):
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    model = getattr(view, "model", None)
    queryset = getattr(view, "queryset", None)
    return model if model is not None else getattr(queryset, "model", None)


def ids_in(data):
    if isinstance(data, dict):
        if isinstance(data.get("results"), list):
            yield from ids_in(data["results"])
        elif "id" in data:
            yield str(data["id"])
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, dict) and "id" in item:
                yield str(item["id"])


def body_text(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    if body.startswith(b"%PDF"):
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            text += "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
        except PdfReadError:
            pass  # not a whole PDF (an uploaded file); its bytes are searched as they are
    return text


def exported_text(run):
    if not run.result_file:
        return ""
    with run.result_file.open("rb") as handle:
        data = handle.read()
    if run.result_name.endswith(".xlsx"):
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return "\n".join(
            str(cell) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python() for cell in row
        )
    return data.decode("utf-8", "replace")


def snapshot(rows):
    """{(label, pk): field values} of ``rows`` as stored now (None once deleted)."""
    state = {}
    for label, row in rows:
        model = type(row)
        stored = model._base_manager.filter(pk=row.pk).values(*[f.attname for f in model._meta.concrete_fields])
        state[(label, str(row.pk))] = stored.first()
    return state


class Walk:
    """What one member must not see, and the paths to try."""

    def __init__(self, world, member):
        self.world = world
        self.member = member
        self.markers = {}  # marker -> "label@place"
        self.visible_markers = {}  # marker -> label: rows it may see
        self.hidden_ids = {}  # model -> {str(pk)}
        self.rows = []  # (label, row) whose changes count
        self.codes, self.usernames = set(), set()
        for entry in BUILDERS.values():
            hidden = world.hidden_places(member, entry)
            for key in hidden:
                row, mark = world.places[key].rows[entry.label]
                self.rows.append((entry.label, row))
                if entry.kind == "public":
                    continue
                if mark:
                    self.markers[mark] = f"{entry.label}@{key}"
                self.hidden_ids.setdefault(type(row), set()).add(str(row.pk))
            for key in set(PLACES) - hidden:
                mark = world.places[key].rows[entry.label][1]
                if mark:
                    self.visible_markers[mark] = entry.label
        for key in PLACES:
            place = world.places[key]
            self.codes.add(place.county)
            if key in member.hides:
                users = (place.official, place.org_user, place.provider_user, place.account)
                self.usernames.update(u.username for u in users if u != world.cast[member.key])
        self.all_ids = {pk for pks in self.hidden_ids.values() for pk in pks}
        self.slugs = slug_values()

    def values(self, route, callback, converter, name):
        if name == "pk":
            model = route_model(callback)
            if model is not None:
                return sorted(self.hidden_ids.get(model, ()))
            if converter == "uuid":
                return sorted(pk for pk in self.all_ids if "-" in pk)
            if converter == "int":
                return sorted(pk for pk in self.all_ids if pk.isdigit())
            return sorted(self.all_ids)
        if name == "code":
            return sorted(self.codes)
        if name == "username":
            return sorted(self.usernames)
        values = self.slugs.get(name)
        if isinstance(values, dict):
            values = values.get(route)
        if values is not None:
            return values
        raise AssertionError(f"the walk does not know what to put for <{name}> in {route}: add values to slug_values()")

    def paths(self, route, callback):
        paths = [route]
        for converter, name, regex_name in PARAM.findall(route):
            name = name or regex_name
            values = self.values(route, callback, converter, name)
            pattern = rf"<(?:\w+:)?{name}>|\(\?P<{name}>[^)]*\)"
            paths = [re.sub(pattern, value, path, count=1) for path in paths for value in values]
        return paths


def header_problems(response, where):
    """What is wrong with an answer's caching and browser-feature headers (issue #20, item 4)."""
    problems = []
    if "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"{where}: Cache-Control is {response.get('Cache-Control')!r}, not no-store")
    if "camera=()" not in response.get("Permissions-Policy", ""):
        problems.append(f"{where}: no Permissions-Policy turning the camera off")
    return problems


def answers(callback, method):
    """Whether the view has a handler for ``method`` (a 405 answer shows nothing, so it is not asked)."""
    actions = getattr(callback, "actions", None)  # a DRF viewset route: {"get": "list", ...}
    if actions is not None:
        return method in actions
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view is None:
        return True  # a function view: ask
    return hasattr(view, method) and method in view.http_method_names


def requests_for(route, callback, walk):
    """(method, path, data) to try on ``route``."""
    has_params = bool(PARAM.search(route))
    for path in walk.paths(route, callback):
        url = "/" + path
        if answers(callback, "get"):
            yield "get", url, {}
        if (has_params or "export" in route) and answers(callback, "post"):
            if route == "api/v1/exports/":
                for table in walk.slugs["name"]:
                    yield "post", url, {"table": table, "format": "csv"}
            else:
                yield "post", url, {"format": "csv"}


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_every_scoped_model_has_walk_data():
    labels = {model._meta.label for model in scoped_models()}
    missing = sorted(labels - set(BUILDERS))
    assert not missing, "\n".join(f"add walk data for {label} (tests/walk_data.py)" for label in missing)
    stale = sorted(set(BUILDERS) - labels)
    assert not stale, f"walk data for models that are not scoped (or gone): {stale}"
    assert len(labels) >= 20  # the scoped models are found (27 at issue #10), not an empty list


def test_walk_data_has_a_row_of_every_scoped_model_in_every_place():
    world = World()
    markers = []
    for model in scoped_models():
        entry = BUILDERS[model._meta.label]
        rows = world.rows(entry.label)
        assert set(rows) == set(PLACES), entry.label
        pks = set()
        for key, (row, mark) in rows.items():
            assert isinstance(row, model), (entry.label, key)
            stored = model._base_manager.filter(pk=row.pk).values()
            assert stored.exists(), f"{entry.label}@{key} is not stored"
            pks.add(row.pk)
            if entry.kind != "public":
                # the place's id, shared by all its rows: an id path tried with it reaches every model
                place = world.places[key]
                assert row.pk == (place.uuid if isinstance(row.pk, uuid.UUID) else place.pk), (entry.label, key)
            if mark is not None:
                markers.append(mark)
                assert any(mark in str(value) for value in stored.first().values()), f"{entry.label}@{key}: {mark}"
        if entry.kind != "public":
            # every place has its own row (public reference rows may be shared by a province)
            assert len(pks) == len(PLACES), f"{entry.label}: places share rows"
    assert len(markers) == len(set(markers))
    assert len(markers) >= 4 * 15  # most models carry a marker (19 of 27 at issue #10)
    # Each member must not see something, except the ministry's officials, who see everything.
    for member in CAST:
        hidden = {key for entry in BUILDERS.values() for key in world.hidden_places(member, entry)}
        assert hidden or member.key.startswith("ministry_"), member.key


@pytest.mark.parametrize("key", [member.key for member in CAST])
def test_nothing_outside_scope_is_listed_shown_changed_or_exported(
    key, client, immediate_tasks, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    world = World()
    member = next(m for m in CAST if m.key == key)
    user = world.cast[key]
    walk = Walk(world, member)
    before = snapshot(walk.rows)
    leaks = []
    seen = set()  # models whose markers of visible rows were shown
    count = 0
    client.force_login(user)
    for route, callback in routes():
        model = route_model(callback)
        for method, url, data in requests_for(route, callback, walk):
            runs_before = set(TaskRun.objects.values_list("pk", flat=True))
            with django_capture_on_commit_callbacks(execute=True):
                response = getattr(client, method)(url, data)
            count += 1
            text = body_text(response)
            for run in TaskRun.objects.exclude(pk__in=runs_before):
                text += exported_text(run)
            found = sorted(walk.markers[m] for m in walk.markers if m in text)
            seen.update(label for m, label in walk.visible_markers.items() if m in text)
            if found:
                leaks.append(f"{key}: {method.upper()} {url} {data or ''} shows {found}")
            leaks += header_problems(response, f"{key}: {method.upper()} {url} ({response.status_code})")
            if model is not None and "json" in response.get("Content-Type", "") and response.status_code < 300:
                listed = set(ids_in(json.loads(text))) & walk.hidden_ids.get(model, set())
                if listed:
                    leaks.append(f"{key}: {method.upper()} {url} lists hidden {model.__name__} ids {sorted(listed)}")
            if client.session.get("_auth_user_id") != str(user.pk):
                client.force_login(user)  # a route signed us out; carry on as the same member
    after = snapshot(walk.rows)
    changed = sorted(f"{label}#{pk}" for (label, pk), values in before.items() if after[(label, pk)] != values)
    if changed:
        leaks.append(f"{key}: changed rows outside its scope {changed}")
    assert count > 100
    if key == "ministry_admin":
        # The ministry sees every place: each marker it may see must show somewhere on the lists, API
        # answers and exports it was walked through, or the walk could not notice that marker leaking.
        unseen = set(walk.visible_markers.values()) - seen - NOT_ON_LISTS
        assert not unseen, f"markers of {sorted(unseen)} appear nowhere: put them in a field the pages show"
    print(f"{key}: {count} requests in {time.monotonic() - started:.1f} s")
    assert not leaks, "scope leaks:\n" + "\n".join(leaks)


def test_every_answer_to_an_anonymous_caller_is_no_store_with_a_permissions_policy(client):
    """The walk's routes, asked without signing in (sign-in pages, the public check and its API, the
    redirects of everything else, and the 404s of paths with ids)."""
    world = World()
    walk = Walk(world, next(m for m in CAST if m.key == "expert"))
    problems = []
    count = 0
    for route, callback in routes():
        for method, url, _data in requests_for(route, callback, walk):
            if method != "get":
                continue
            response = client.get(url)
            count += 1
            problems += header_problems(response, f"anonymous GET {url} ({response.status_code})")
    for url in ("/healthz", "/accounts/login/", "/no-such-page/"):
        problems += header_problems(client.get(url), f"anonymous GET {url}")
    assert count > 50
    assert not problems, "\n".join(problems)

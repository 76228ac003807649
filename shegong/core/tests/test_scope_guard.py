"""The access rule cannot be skipped (issue 10, item 1).

Statically: in the guarded layers (views, API, panels, dashboards, exports, tasks, forms, filters,
tables, template tags, menus: ``core.scoping.is_guarded_module``) no code reads a scoped model
through ``Model.objects`` or ``Model._default_manager`` except as ``visible_to(user)``,
``editable_by(user)``, ``unscoped("reason")`` or ``none()``. Allowed elsewhere: services, models,
rule modules, management commands, migrations, demo/seed data and tests, which sit below the views
and take their objects from scoped querysets. One more allowance: the ``queryset = Model.objects...``
attribute of a class body (DRF viewsets), which ``ScopedAPIMixin`` narrows, and the first argument of
``get_visible_or_404``, which applies ``visible_to``; the runtime guard refuses to evaluate either when
nobody narrowed it.

At run time: ``core.scoping`` raises ``ScopeError`` for an unscoped query inside a request or a
user's job, and nothing changes outside them.
"""

import ast
import importlib
import pathlib
from datetime import date

import pytest
from django.db.models import Prefetch
from django.test import RequestFactory

from shegong.core import scoping
from shegong.core.scoping import ScopeError, is_guarded_module, is_scoped_model, scope_guard, scoped_models

ROOT = pathlib.Path(__file__).resolve().parents[2]  # the shegong package
ALLOWED_AFTER_MANAGER = {"visible_to", "editable_by", "unscoped", "none"}
MANAGER_ATTRIBUTES = {"objects", "_default_manager"}
SKIPPED_PARTS = {"tests", "migrations", "management"}
# Helpers that apply visible_to(user) to the queryset they are given as first argument.
SCOPING_CALLS = {"get_visible_or_404"}


def guarded_modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT.parent).with_suffix("")
        parts = relative.parts
        if SKIPPED_PARTS & set(parts):
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if is_guarded_module(name):
            yield name, path


def _resolve(module_name, node):
    base = node.module or ""
    if node.level:
        package = module_name.rsplit(".", node.level)[0]
        base = f"{package}.{base}" if base else package
    return base


def scoped_names(module_name, tree):
    """Names bound in the module (at any depth) to a scoped model class by an import."""
    names = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        source = _resolve(module_name, node)
        for alias in node.names:
            try:
                value = getattr(importlib.import_module(source), alias.name)
            except (ImportError, AttributeError):
                try:
                    value = importlib.import_module(f"{source}.{alias.name}")
                except ImportError:
                    continue
            if isinstance(value, type) and is_scoped_model(value):
                names[alias.asname or alias.name] = value
    return names


def offences(module_name, source):
    tree = ast.parse(source)
    names = scoped_names(module_name, tree)
    allowed = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and any(
                    isinstance(target, ast.Name) and target.id == "queryset" for target in statement.targets
                ):
                    allowed.update(id(sub) for sub in ast.walk(statement.value))
        if isinstance(node, ast.Attribute) and node.attr in ALLOWED_AFTER_MANAGER:
            allowed.add(id(node.value))
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in SCOPING_CALLS:
            if node.args:
                allowed.update(id(sub) for sub in ast.walk(node.args[0]))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGER_ATTRIBUTES
            and isinstance(node.value, ast.Name)
            and node.value.id in names
            and id(node) not in allowed
        ):
            found.append(f"{module_name}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_guarded_layers_read_scoped_models_only_through_the_rule():
    found = []
    for name, path in guarded_modules():
        found += offences(name, path.read_text(encoding="utf-8"))
    assert not found, "Use visible_to(user), editable_by(user) or unscoped(reason):\n" + "\n".join(found)


def unscoped_without_a_literal_reason(module_name, source):
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "unscoped":
            reason = node.args[0] if len(node.args) == 1 and not node.keywords else None
            if not (isinstance(reason, ast.Constant) and isinstance(reason.value, str) and reason.value.strip()):
                found.append(f"{module_name}:{node.lineno}")
    return found


def test_every_exception_states_its_reason_where_it_is_made():
    """``unscoped()`` takes a string literal, so that ``grep -rn 'unscoped("' shegong`` lists every exception."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if SKIPPED_PARTS & set(parts) - {"management"}:
            continue
        found += unscoped_without_a_literal_reason(".".join(parts), path.read_text(encoding="utf-8"))
    assert not found, "unscoped() needs a literal reason:\n" + "\n".join(found)
    assert unscoped_without_a_literal_reason(
        "m", "REASON = 'x'\nqs.unscoped(REASON)\nqs.unscoped('')\nqs.unscoped()"
    ) == [
        "m:2",
        "m:3",
        "m:4",
    ]


def test_the_static_check_sees_what_it_must():
    """The check itself: it finds a bare read, accepts the rule's entry points and a viewset's base queryset."""
    source = (
        "from shegong.workers.models import Person\n"
        "from shegong.regions.models import Level\n"
        "def view(request):\n"
        "    from shegong.registration.models import Registration as R\n"
        "    a = Person.objects.filter(name='x')\n"
        "    b = R._default_manager.all()\n"
        "    c = Person.objects.visible_to(request.user).filter(name='x')\n"
        "    d = Person.objects.unscoped('public check').first()\n"
        "    e = Person.objects.none()\n"
        "    f = get_visible_or_404(Person.objects.select_related('region'), request.user, pk=1)\n"
        "class ViewSet:\n"
        "    queryset = Person.objects.select_related('work_region')\n"
    )
    assert offences("shegong.workers.views.signup", source) == [
        "shegong.workers.views.signup:5: Person.objects",
        "shegong.workers.views.signup:6: R._default_manager",
    ]


def test_the_guarded_layers_are_the_presentation_layers():
    assert is_guarded_module("shegong.workers.views.registry")
    assert is_guarded_module("shegong.registration.api.views")
    assert is_guarded_module("shegong.registration.panels")
    assert is_guarded_module("shegong.core.tabular.export")
    assert is_guarded_module("shegong.education.tasks")
    assert is_guarded_module("shegong.workers.dashboard")
    assert not is_guarded_module("shegong.workers.services")
    assert not is_guarded_module("shegong.workers.models")
    assert not is_guarded_module("shegong.education.services.ledger")
    assert is_guarded_module("shegong.core.tests.test_scope_guard")  # this module's reads below are untrusted
    names = {name for name, _ in guarded_modules()}
    assert {"shegong.workers.views.signup", "shegong.registration.api.views", "shegong.registration.panels"} <= names


def test_scoped_models_are_those_with_a_scoped_queryset():
    from shegong.accounts.models import User
    from shegong.core.models import TaskRun
    from shegong.organizations.models import Employment
    from shegong.registration.models import Registration
    from shegong.workers.models import Person

    models = scoped_models()
    assert {User, Person, Employment, Registration, TaskRun} <= set(models)
    assert all(issubclass(model._default_manager._queryset_class, scoping.ScopedQuerySet) for model in models)
    from django.contrib.contenttypes.models import ContentType

    assert ContentType not in models


# --- the runtime guard ----------------------------------------------------------------------------------


@pytest.fixture
def official(db):
    from shegong.accounts.models import User
    from shegong.accounts.roles import Role
    from shegong.regions.models import Region

    region, _ = Region.objects.get_or_create(code="440000", defaults={"name": "广东省", "level": 1, "prefix": "44"})
    return User.objects.create_user("guard_official", password="x", role=Role.ADMIN, region=region)


@pytest.mark.django_db
class TestRuntimeGuard:
    def test_outside_a_request_nothing_changes(self, official):
        from shegong.workers.models import Person

        assert not scoping.guard_active()
        assert list(Person.objects.all()) == []
        assert Person.objects.count() == 0

    def test_an_unscoped_query_inside_a_request_raises(self, official):
        from shegong.workers.models import Person

        with scope_guard():
            for evaluate in (list, lambda qs: qs.count(), lambda qs: qs.exists(), lambda qs: qs.first()):
                with pytest.raises(ScopeError, match="workers.Person"):
                    evaluate(Person.objects.filter(name="x"))

    def test_the_rule_and_explicit_exceptions_pass(self, official):
        from shegong.workers.models import Person

        with scope_guard():
            assert list(Person.objects.visible_to(official).filter(name="x")) == []
            assert Person.objects.editable_by(official).count() == 0
            assert Person.objects.unscoped("test: an explicit exception").filter(name="x").exists() is False
            assert list(Person.objects.none()) == []

    def test_unscoped_needs_a_reason(self, official):
        from shegong.workers.models import Person

        for reason in ("", "   ", None):
            with pytest.raises(ValueError):
                Person.objects.unscoped(reason)

    def test_the_domain_layer_is_trusted(self, official):
        from shegong.workers import services
        from shegong.workers.models import Person

        # A queryset obtained by a services module passes; the same read from a test module does not.
        code = compile("def read():\n    return list(Person.objects.all())\n", services.__file__, "exec")
        namespace = {"__name__": services.__name__, "Person": Person}
        exec(code, namespace)
        with scope_guard():
            assert namespace["read"]() == []
            with pytest.raises(ScopeError):
                list(Person.objects.all())

    def test_related_sets_and_prefetches_need_the_rule(self, official, settings):
        from shegong.organizations.models import Employment
        from shegong.workers.models import Person
        from tests.factories import OrganizationFactory, PersonFactory

        settings.FIELD_KEY = "guard-test-key"
        person = PersonFactory(region_id="440106")
        Employment.objects.create(
            person=person, organization=OrganizationFactory(region_id="440106"), started_on=date(2024, 1, 1)
        )
        with scope_guard():
            with pytest.raises(ScopeError, match="organizations.Employment"):
                list(person.employments.all())
            assert len(person.employments.visible_to(official)) == 1
            with pytest.raises(ScopeError, match="organizations.Employment"):
                list(Person.objects.visible_to(official).prefetch_related("employments"))
            prefetch = Prefetch("employments", queryset=Employment.objects.visible_to(official))
            (shown,) = Person.objects.visible_to(official).prefetch_related(prefetch)
            assert len(shown.employments.all()) == 1

    def test_the_middleware_guards_a_request(self, official):
        from shegong.core.middleware import ScopeGuardMiddleware
        from shegong.workers.models import Person

        def view(request):
            assert scoping.guard_active()
            return list(Person.objects.all())

        with pytest.raises(ScopeError):
            ScopeGuardMiddleware(view)(RequestFactory().get("/"))
        assert not scoping.guard_active()

    def test_a_job_runs_guarded(self, official):
        from shegong.core.models import TaskRun
        from shegong.core.tasks import job_task
        from shegong.workers.models import Person

        @job_task
        def body(job):
            list(Person.objects.all())

        run = TaskRun.objects.create(user=official, kind="test", title="t")
        body(str(run.pk))
        run.refresh_from_db()
        assert run.status == TaskRun.Status.FAILED and "ScopeError" in run.error

    def test_a_viewset_that_forgets_the_mixin_fails(self, official, client):
        from rest_framework import viewsets
        from rest_framework.test import APIRequestFactory, force_authenticate

        from shegong.registration.api.serializers import RegistrationSerializer
        from shegong.registration.models import Registration

        class Forgetful(viewsets.ReadOnlyModelViewSet):
            queryset = Registration.objects.all()
            serializer_class = RegistrationSerializer
            pagination_class = None

        request = APIRequestFactory().get("/")
        force_authenticate(request, user=official)
        with scope_guard(), pytest.raises(ScopeError, match="registration.Registration"):
            Forgetful.as_view({"get": "list"})(request)


def test_every_request_is_guarded(settings):
    assert "shegong.core.middleware.ScopeGuardMiddleware" in settings.MIDDLEWARE

"""Deny by default: every URL must declare how it is scoped (see core/scoping.py) and which capability it
needs (see core/capabilities.py)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.views import View

from shegong.core import capabilities
from shegong.core.capabilities import CapabilityRequiredMixin, declared_capability, requires
from shegong.core.scoping import OWN, PUBLIC, SCOPED

# Third-party URLs that cannot carry our attribute, with the policy they follow.
THIRD_PARTY = {
    "captcha.views": PUBLIC,  # captcha images and audio: no data
}


def iter_patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from iter_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def declared_policy(callback):
    for candidate in (callback, getattr(callback, "view_class", None), getattr(callback, "cls", None)):
        policy = getattr(candidate, "scope_policy", None)
        if policy:
            return policy
    return THIRD_PARTY.get(getattr(callback, "__module__", ""))


def all_routes():
    return list(iter_patterns(get_resolver().url_patterns))


def routes_without_policy():
    return [route for route, callback in all_routes() if not declared_policy(callback)]


def routes_without_capability():
    return [route for route, callback in all_routes() if declared_capability(callback) is None]


def test_every_url_declares_its_scope_policy():
    undeclared = routes_without_policy()
    assert not undeclared, f"views without a scope_policy (deny by default): {undeclared}"


def test_policies_are_known_values():
    for route, callback in all_routes():
        assert declared_policy(callback) in {PUBLIC, OWN, SCOPED}, route


def test_every_url_declares_its_capability():
    undeclared = routes_without_capability()
    assert not undeclared, f"views without a capability (deny by default): {undeclared}"


def test_capabilities_are_the_defined_ones():
    for route, callback in all_routes():
        assert declared_capability(callback) in capabilities.CAPABILITIES, route


def test_public_pages_and_public_capability_go_together():
    """A page open to anonymous visitors shows no personal data, and a page without personal data that declares
    PUBLIC needs no sign-in: the two declarations agree."""
    for route, callback in all_routes():
        is_public = declared_capability(callback) is capabilities.public
        assert is_public == (declared_policy(callback) == PUBLIC), route


def test_a_new_undeclared_view_would_be_caught():
    def plain_view(request):
        return None

    assert declared_policy(plain_view) is None
    assert declared_capability(plain_view) is None


@pytest.mark.parametrize(
    "module, name, route",
    [
        ("shegong.core.audit.views", "AuditListView", "audit/"),
        ("shegong.workers.views.registry", "RegistryListView", "workers/persons/"),
        ("shegong.accounts.views.users", "UserActionView", "accounts/users/<int:pk>/role/"),
        ("shegong.workers.api.views", "PersonViewSet", "api/v1/^workers/$"),
    ],
)
def test_removing_a_views_declaration_fails_the_walk(monkeypatch, module, name, route):
    """Take the declaration off a real view (a page, a base of several pages, an API viewset): the walk reports it."""
    import importlib

    view = getattr(importlib.import_module(module), name)
    assert route not in routes_without_capability()
    monkeypatch.setattr(view, "capability", None)
    assert route in routes_without_capability()


def test_a_view_that_declares_nothing_is_refused_at_run_time(rf, django_user_model):
    class Undeclared(CapabilityRequiredMixin, View):
        def get(self, request):
            raise AssertionError("must not run")

    request = rf.get("/")
    request.user = django_user_model(username="someone", role="admin")
    with pytest.raises(PermissionDenied):
        Undeclared.as_view()(request)


def _request(user=None):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/somewhere/?a=1")
    request.user = user or AnonymousUser()
    return request


def test_mixin_sends_anonymous_visitors_to_login_and_refuses_the_wrong_role(django_user_model):
    class AuditorsOnly(CapabilityRequiredMixin, View):
        capability = capabilities.reads_audit_log

        def get(self, request):
            from django.http import HttpResponse

            return HttpResponse("ok")

    response = AuditorsOnly.as_view()(_request())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "next=/somewhere/%3Fa%3D1" in response["Location"]
    with pytest.raises(PermissionDenied) as refused:
        AuditorsOnly.as_view()(_request(django_user_model(username="w", role="worker")))
    assert str(refused.value) == str(capabilities.reads_audit_log.denied)


def test_public_capability_needs_no_sign_in():
    class Open(CapabilityRequiredMixin, View):
        capability = capabilities.public

        def get(self, request):
            from django.http import HttpResponse

            return HttpResponse("ok")

    assert Open.as_view()(_request()).status_code == 200


def test_function_view_decorator_declares_and_enforces(django_user_model):
    from django.http import HttpResponse

    @requires(capabilities.administers_security)
    def view(request):
        return HttpResponse("ok")

    assert declared_capability(view) is capabilities.administers_security
    assert view(_request()).status_code == 302
    with pytest.raises(PermissionDenied):
        view(_request(django_user_model(username="a", role="admin")))

"""Deny by default: every URL must declare how it is scoped (see core/scoping.py)."""

from django.urls import URLPattern, URLResolver, get_resolver

from shegong.core.scoping import OWN, PUBLIC, SCOPED

# Third-party URLs that cannot carry our attribute, with the policy they follow.
THIRD_PARTY = {
    "captcha.views": PUBLIC,  # captcha images and audio: no data
    "rest_framework.routers": OWN,  # the API root lists route names only
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


def test_every_url_declares_its_scope_policy():
    undeclared = [
        route for route, callback in iter_patterns(get_resolver().url_patterns) if not declared_policy(callback)
    ]
    assert not undeclared, f"views without a scope_policy (deny by default): {undeclared}"


def test_policies_are_known_values():
    for route, callback in iter_patterns(get_resolver().url_patterns):
        assert declared_policy(callback) in {PUBLIC, OWN, SCOPED}, route


def test_a_new_undeclared_view_would_be_caught():
    def plain_view(request):
        return None

    assert declared_policy(plain_view) is None

"""THE access rule. Every view, API route, export and statistic selects data through here.

A scoped model's queryset subclasses ``ScopedQuerySet`` and answers ``scope_q(user, purpose)``
with a ``Q`` that selects the rows ``user`` may see (``VIEW``) or change (``EDIT``). Anything
that does not answer is denied: the base ``scope_q`` returns nothing.

Views declare how they are scoped with ``scope_policy`` (``PUBLIC``, ``OWN`` for pages about
the signed-in user only, ``SCOPED`` for pages listing scoped rows), and who may open them with
``capability`` (``core.capabilities``). A test walks every URL and fails on a view that declares
either not.

The guard makes the rule impossible to skip by accident. While a request is handled (see
``core.middleware.ScopeGuardMiddleware``) or a user's background job runs (``core.tasks.job_task``),
evaluating a queryset of a scoped model raises ``ScopeError`` unless it went through
``visible_to``, ``editable_by``, ``none()`` or an explicit ``unscoped(reason)``, or it was obtained
from the manager by code of a trusted layer (see ``_origin_trusted``). The presentation layers
(views, API, panels, dashboards, exports, tasks, forms, filters, tables, template tags) and
Django's generic machinery (generic views' default querysets, DRF's default querysets and related
fields, model-form choice fields, related managers and prefetches in templates) are not trusted;
the domain layer below them (services, models, rule modules, commands) is, because it enforces the
business rules and takes its objects from views that scoped them. Outside a request or job (shell,
management commands, migrations, test code) nothing is checked. ``tests/test_scope_guard.py``
forbids ``Model.objects`` of a scoped model in the guarded modules statically as well.

A model is scoped iff its default manager's queryset class subclasses ``ScopedQuerySet``
(``scoped_models()`` lists them).
"""

import contextvars
import sys
from contextlib import contextmanager
from functools import wraps

from django.db import models
from django.http import Http404

from .capabilities import CapabilityAPIMixin, CapabilityRequiredMixin
from .roles import (  # noqa: F401  (the role groups the scoping rule is written in; importable from here as before)
    BUSINESS_REGION_ROLES,
    ORGANIZATION_READ_ONLY_ROLES,
    ORGANIZATION_ROLES,
    PERSON_ROLES,
    READ_ONLY_ROLES,
)

VIEW = "view"
EDIT = "edit"

PUBLIC = "public"  # no login, no personal data (login page, public certificate check, health)
OWN = "own"  # the signed-in user's own things only (profile, own jobs)
SCOPED = "scoped"  # rows selected by visible_to()/editable_by()


class ScopeError(RuntimeError):
    """A queryset of a scoped model was evaluated in a request or job without passing the access rule."""


_guard = contextvars.ContextVar("shegong_scope_guard", default=False)


def guard_active():
    return _guard.get()


@contextmanager
def scope_guard(active=True):
    """Check (``active=True``) or stop checking (``False``) scoped querysets inside the block."""
    token = _guard.set(active)
    try:
        yield
    finally:
        _guard.reset(token)


def scopes_disabled():
    return scope_guard(False)


# Frames of these modules are skipped when looking for the code that asked a manager for a queryset.
_PLUMBING = (
    "django.db.models.manager",
    "django.db.models.query",
    "django.db.models.fields.related_descriptors",
    "shegong.core.scoping",
)
# Modules (a name component, or its start) of the layers that show or export data: not trusted.
GUARDED_MODULE_PARTS = (
    "views",
    "api",
    "panels",
    "dashboard",
    "export",
    "tasks",
    "forms",
    "filters",
    "tables",
    "holder_tables",
    "attendance_table",
    "templatetags",
    "ui",
    "navigation",
    "context_processors",
    "keyset",
    "urls",
    # Test code that runs under an active guard stands for a view (direct test code runs unguarded).
    "tests",
)
# Django internals allowed to query scoped models without a user, and why. Each only checks that
# a row exists or authenticates the account signing in; nothing is shown.
TRUSTED_FOREIGN_MODULES = {
    "django.db.models.base": "model validation: unique checks (exists only)",
    "django.db.models.constraints": "model validation: constraint checks (exists only)",
    "django.contrib.auth.backends": "authentication: the account of the session (get_user)",
    "rest_framework.validators": "API validation: unique checks (exists only)",
}


def is_guarded_module(name):
    """Whether a shegong module belongs to a guarded layer (views, API, panels, exports, tasks, ...)."""
    parts = name.split(".")[1:]
    return any(part.startswith(GUARDED_MODULE_PARTS) for part in parts)


def _origin_trusted():
    """Whether the code that asked the manager for a queryset belongs to a trusted layer."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if not name.startswith(_PLUMBING):
            break
        frame = frame.f_back
    else:
        return False
    if name.startswith("shegong."):
        return not is_guarded_module(name)
    return name in TRUSTED_FOREIGN_MODULES


class ScopedManagerMixin:
    """Marks the querysets that trusted code obtains while the guard is active."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if _guard.get() and _origin_trusted():
            queryset._scope = "trusted"
        return queryset


class ScopedManager(ScopedManagerMixin, models.Manager):
    pass


class ScopedQuerySet(models.QuerySet):
    """Deny by default: a subclass must say which rows a user may see."""

    _scope = None  # "view", "edit", "none", "trusted" or "unscoped: <reason>" once decided

    @classmethod
    def as_manager(cls):
        manager = ScopedManager.from_queryset(cls)()
        manager._built_with_as_manager = True
        return manager

    as_manager.queryset_only = True

    def _clone(self):
        clone = super()._clone()
        clone._scope = self._scope
        return clone

    def _mark(self, scope):
        self._scope = scope
        return self

    def _check_scope(self):
        if self._scope is None and _guard.get():
            model = self.model._meta.label
            raise ScopeError(
                f"{model}: a query in a request or job must go through visible_to(user), editable_by(user) "
                f'or unscoped("reason") (see shegong/core/scoping.py)'
            )

    def _fetch_all(self):
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._check_scope()
        return super().iterator(*args, **kwargs)

    def count(self):
        if self._result_cache is None:
            self._check_scope()
        return super().count()

    def exists(self):
        if self._result_cache is None:
            self._check_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        self._check_scope()
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        self._check_scope()
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def none(self):
        return super().none()._mark("none")

    def unscoped(self, reason):
        """All rows, on purpose: ``reason`` (required, non-empty) says why, so that a grep finds every exception."""
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError("unscoped() needs the reason why the access rule does not apply here")
        return self._chain()._mark(f"unscoped: {reason.strip()}")

    def scope_q(self, user, purpose):
        return None

    def _scoped(self, user, purpose):
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        q = self.scope_q(user, purpose)
        if q is None:
            return self.none()
        return self.filter(q)._mark(purpose)

    def visible_to(self, user):
        return self._scoped(user, VIEW)

    def editable_by(self, user):
        return self._scoped(user, EDIT)


def is_scoped_model(model):
    manager = getattr(model, "_default_manager", None)
    queryset_class = getattr(manager, "_queryset_class", None)
    return isinstance(queryset_class, type) and issubclass(queryset_class, ScopedQuerySet)


def scoped_models():
    """Every installed model whose default manager's queryset class subclasses ``ScopedQuerySet``."""
    from django.apps import apps

    return [model for model in apps.get_models() if is_scoped_model(model)]


def standard_scope_q(user, purpose, *, region_field=None, organization_field=None, person_field=None):
    """The one rule for rows that belong to a place, an organization or a person.

    Officials (administrators, read-only staff, provincial API clients) see the rows of their
    region's subtree; read-only staff never edit. Organization and association users see their
    organization's rows, a social worker their own person's rows. The security and audit
    administrators and the system operator see no business data at all (三员分立). A model
    passes the fields through which its rows belong; a role whose field is not given sees nothing.
    """
    role = getattr(user, "role", None)
    if role in BUSINESS_REGION_ROLES:
        if purpose == EDIT and role in READ_ONLY_ROLES:
            return None
        if region_field is None or user.region_id is None:
            return None
        return region_subtree_q(user.region, region_field)
    if role in ORGANIZATION_ROLES:
        if purpose == EDIT and role in ORGANIZATION_READ_ONLY_ROLES:
            return None
        organization_id = getattr(user, "organization_id", None)
        if organization_field is None or organization_id is None:
            return None
        return models.Q(**{organization_field: organization_id})
    if role in PERSON_ROLES:
        person_id = getattr(user, "person_id", None)
        if person_field is None or person_id is None:
            return None
        return models.Q(**{person_field: person_id})
    return None


def region_subtree_q(region, field):
    """Rows whose region code ``field`` lies in ``region``'s subtree (see regions.models.Region.subtree_q)."""
    if region is None:
        return models.Q(pk__in=[])
    return region.subtree_q(field)


def scope_policy(policy):
    """Declare a function view's scope policy."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            return view(*args, **kwargs)

        wrapped.scope_policy = policy
        return wrapped

    return decorator


def get_visible_or_404(queryset, user, **lookup):
    """Fetch one object the user may see; anything else (missing or out of scope) is a 404."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


class ScopedViewMixin(CapabilityRequiredMixin):
    """Base for list and detail pages: the queryset is always ``visible_to(request.user)``.

    Like every page base here it checks the ``capability`` the view declares (``core.capabilities``: login
    redirect for anonymous visitors, 403 without it, 403 when the view declares none)."""

    scope_policy = SCOPED
    model = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


class OwnViewMixin(CapabilityRequiredMixin):
    scope_policy = OWN


class PublicViewMixin(CapabilityRequiredMixin):
    scope_policy = PUBLIC


class ScopedAPIMixin(CapabilityAPIMixin):
    """Base for API viewsets: ``queryset`` is narrowed to ``visible_to(request.user)``; the viewset declares its
    ``capability`` too."""

    scope_policy = SCOPED

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

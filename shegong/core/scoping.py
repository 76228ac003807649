"""THE access rule. Every view, API route, export and statistic selects data through here.

A scoped model's queryset subclasses ``ScopedQuerySet`` and answers ``scope_q(user, purpose)``
with a ``Q`` that selects the rows ``user`` may see (``VIEW``) or change (``EDIT``). Anything
that does not answer is denied: the base ``scope_q`` returns nothing.

Views declare how they are scoped with ``scope_policy`` (``PUBLIC``, ``OWN`` for pages about
the signed-in user only, ``SCOPED`` for pages listing scoped rows), and who may open them with
``capability`` (``core.capabilities``). A test walks every URL and fails on a view that declares
either not.
"""

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


class ScopedQuerySet(models.QuerySet):
    """Deny by default: a subclass must say which rows a user may see."""

    def scope_q(self, user, purpose):
        return None

    def _scoped(self, user, purpose):
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        q = self.scope_q(user, purpose)
        if q is None:
            return self.none()
        return self.filter(q)

    def visible_to(self, user):
        return self._scoped(user, VIEW)

    def editable_by(self, user):
        return self._scoped(user, EDIT)


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

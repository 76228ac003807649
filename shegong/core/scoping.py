"""THE access rule. Every view, API route, export and statistic selects data through here.

A scoped model's queryset subclasses ``ScopedQuerySet`` and answers ``scope_q(user, purpose)``
with a ``Q`` that selects the rows ``user`` may see (``VIEW``) or change (``EDIT``). Anything
that does not answer is denied: the base ``scope_q`` returns nothing.

Views declare how they are scoped with ``scope_policy`` (``PUBLIC``, ``OWN`` for pages about
the signed-in user only, ``SCOPED`` for pages listing scoped rows). A test walks every URL and
fails on a view that declares nothing.
"""

from functools import wraps

from django.db import models
from django.http import Http404

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


class LoginRequiredMixin:
    """Like Django's LoginRequiredMixin; defined here so that models can import this module early."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)


def get_visible_or_404(queryset, user, **lookup):
    """Fetch one object the user may see; anything else (missing or out of scope) is a 404."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


class ScopedViewMixin(LoginRequiredMixin):
    """Base for list and detail pages: the queryset is always ``visible_to(request.user)``."""

    scope_policy = SCOPED
    model = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


class OwnViewMixin(LoginRequiredMixin):
    scope_policy = OWN


class PublicViewMixin:
    scope_policy = PUBLIC


class ScopedAPIMixin:
    """Base for API viewsets: ``queryset`` is narrowed to ``visible_to(request.user)``."""

    scope_policy = SCOPED

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

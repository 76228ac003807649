"""Who may do what: every capability is one function here, of the user (and, where the rule needs it, of an object).

A view declares the capability it needs (``capability = capabilities.reads_registry``, or
``@requires(capabilities.public)`` on a function view) through ``CapabilityRequiredMixin`` and its API
counterpart; the scope-policy test fails on a URL whose view declares none. Anonymous visitors of a
page that is not ``public`` are sent to the login page, as before; a signed-in user without the
capability gets a 403 with the capability's message. Which *rows* a user sees is not decided here
but by ``visible_to()`` (``core.scoping``): a capability opens a page, the scope fills it.

Services ask the same functions before they act; templates, menus and panels ask them to decide
what to offer. Nothing else compares role names (``shegong.core.roles`` has the roles and groups).

``CAPABILITIES`` lists them all, in the order of the documentation and of the role x capability test.
"""

from functools import update_wrapper, wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .roles import (
    ACCOUNT_VIEWER_ROLES,
    CIVIL_AFFAIRS_ROLES,
    MANAGER_ROLES,
    ORGANIZATION_ROLES,
    REGION_ROLES,
    Role,
)


class Capability:
    """A named rule (a function of the user, and perhaps of an object) with the message a refusal shows."""

    def __init__(self, rule, denied):
        update_wrapper(self, rule)
        self.rule = rule
        self.name = rule.__name__
        self.denied = denied

    def __call__(self, user, *args, **kwargs):
        return bool(self.rule(user, *args, **kwargs))

    def __repr__(self):
        return f"<capability {self.name}>"


def capability(denied=None):
    """Make a rule a capability; ``denied`` is the 403 message for a view that requires it."""

    def decorator(rule):
        return Capability(rule, denied)

    return decorator


def _role(user):
    return getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None


def _region_bound(user):
    return getattr(user, "region_id", None) is not None


# --- the two that every page without a narrower rule declares ------------------------------------------


@capability()
def public(user):
    """Anyone, signed in or not: pages without personal data (sign-in, sign-up, the public checks, health)."""
    return True


@capability()
def signed_in(user):
    """Any signed-in account: pages about one's own things, and pages whose rows ``visible_to()`` alone selects
    (an account whose role sees no rows of that kind gets an empty page or a 404, never someone else's rows)."""
    return bool(getattr(user, "is_authenticated", False))


# --- officials ------------------------------------------------------------------------------------------


@capability(denied=_("This page is for civil affairs officials."))
def is_official(user):
    """An account of a region of the management tree (operator, administrator, staff, security and audit
    administrators, provincial API client) that is bound to its region."""
    return _role(user) in REGION_ROLES and _region_bound(user)


@capability(denied=_("This page is for civil affairs officials."))
def is_civil_affairs(user):
    """A civil affairs official proper: an administrator or read-only staff member bound to a region (not the
    operator, nor the security and audit administrators, who see no business data; nor an API client)."""
    return _role(user) in CIVIL_AFFAIRS_ROLES and _region_bound(user)


@capability(denied=_("This list is for civil affairs officials and organizations."))
def reads_registry(user):
    """Opens the registry lists (persons, certificates): civil affairs officials (their subtree) and organization
    and association accounts (their own staff)."""
    return is_civil_affairs(user) or _role(user) in ORGANIZATION_ROLES


@capability(denied=_("Checking is done by civil affairs officials."))
def checks_records(user):
    """Confirms or corrects holder records (核对): administrators bound to a region (read-only staff only see
    the list of records still to check)."""
    return _role(user) == Role.ADMIN and _region_bound(user)


@capability(denied=_("Only administrators at province level or above file providers."))
def files_providers(user, province=None):
    """Files continuing-education providers: administrators at province level or above, for a province in their
    subtree (``province``, when given)."""
    from shegong.regions.models import Level

    if _role(user) != Role.ADMIN or not _region_bound(user):
        return False
    if user.region.level > Level.PROVINCE:
        return False
    return province is None or user.region.contains(province.code)


@capability(denied=_("Registrations are revoked by the provincial civil affairs department."))
def revokes_registrations(user, max_level=None):
    """Revokes registrations: administrators (of a region at ``max_level`` or above, when given: the
    registration settings' revoking level); the registration itself must be editable by them."""
    if _role(user) != Role.ADMIN:
        return False
    if max_level is None:
        return True
    return _region_bound(user) and user.region.level <= max_level


@capability(denied=_("Only civil affairs administrators do this."))
def administers_region(user):
    """Changes business data and settings of a region (the write side of an official's scope): administrators
    bound to a region. Read-only staff, the operator and the security and audit administrators do not."""
    return _role(user) == Role.ADMIN and _region_bound(user)


@capability(denied=_("You may not import data."))
def imports_data(user):
    """Imports tables: an account for which at least one registered import table is importable."""
    from .tabular.spec import importable_specs

    return bool(getattr(user, "is_authenticated", False) and importable_specs(user))


@capability(denied=_("Your role does not review applications."))
def may_review(user, step=None):
    """Acts as a reviewer: the role is assigned to some step of a registered flow (to ``step``, when given)."""
    from . import workflow as wf

    role = _role(user)
    if role is None:
        return False
    if step is not None:
        return role in step.roles
    return role in wf.reviewer_roles()


# --- one rule for full ID numbers --------------------------------------------------------------------------

# Roles that ever see a full ID number, one person at a time (a social worker only their own).
REVEAL_ROLES = frozenset({Role.ADMIN, Role.STAFF, Role.WORKER})
# Roles whose exports (many persons at once) carry full numbers, so that a corrected export can be imported again.
BULK_REVEAL_ROLES = frozenset({Role.ADMIN})


@capability(denied=_("You may not see this person's full ID number."))
def may_reveal_id(user, person=None, *, bulk=False):
    """Who sees a full ID number (everyone else sees it masked; every unmasked view is audited by the caller).

    One person at a time: civil affairs administrators and read-only staff, for a person in their scope, and a
    social worker for their own person (their scope is their own person). ``person=None`` asks whether the role
    may reveal at all (a page already about a person in scope offers the reveal).

    Many persons at once (``bulk=True``: an export): administrators only, so that a corrected file can be
    imported again; read-only staff and everyone else get masked numbers. The command line (``user=None``)
    is a trusted operator and decides for itself.
    """
    role = _role(user)
    if bulk:
        return role in BULK_REVEAL_ROLES
    if role not in REVEAL_ROLES:
        return False
    if person is None:
        return True
    return type(person).objects.visible_to(user).filter(pk=person.pk).exists()


# --- the three administrator duties (三员分立) ---------------------------------------------------------------


def _active(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _has_account_root(user):
    if _region_bound(user):
        return True
    if user.role != Role.OPERATOR:
        return False
    from shegong.regions.models import ROOT_CODE, Region

    return Region.objects.filter(code=ROOT_CODE).exists()


@capability(denied=_("Your role does not administer accounts."))
def sees_accounts(user):
    """Sees the accounts of a subtree: the operator (the whole country), system administrators and security
    administrators (for unlocks and two-factor resets) of a region. The rules about *which* accounts and what
    may be done to them are in ``accounts.permissions``."""
    return _active(user) and user.role in ACCOUNT_VIEWER_ROLES and _has_account_root(user)


@capability(denied=_("Your role does not administer accounts."))
def manages_accounts(user):
    """Creates and manages accounts below oneself: the operator and system administrators of a region."""
    return _active(user) and user.role in MANAGER_ROLES and _has_account_root(user)


@capability(denied=_("Your role does not administer accounts."))
def creates_accounts(user):
    """Creates accounts: the operator and system administrators (business and administration accounts), and
    security administrators of a region with levels below theirs (the security and audit administrators of those
    levels, whom nobody below may create: ``accounts.permissions.may_manage``)."""
    from shegong.regions.models import Level

    if manages_accounts(user):
        return True
    return administers_security(user) and _active(user) and user.region.level < Level.COUNTY


@capability(denied=_("Your role does not administer accounts."))
def issues_accounts(user):
    """Issues admin accounts for every region below in bulk: the operator and system administrators of the ministry
    or a province."""
    from shegong.regions.models import Level

    if not manages_accounts(user):
        return False
    return not _region_bound(user) or user.region.level <= Level.PROVINCE


@capability(denied=_("This page is for security administrators."))
def administers_security(user):
    """Lifts sign-in lockouts and resets second factors in a subtree: security administrators bound to a region."""
    return _role(user) == Role.SECURITY and _region_bound(user)


@capability(denied=_("Only audit administrators read the audit log."))
def reads_audit_log(user):
    """Reads the audit log of a subtree: active audit administrators bound to a region; nobody else."""
    return _active(user) and user.role == Role.AUDITOR and _region_bound(user)


@capability(denied=_("Only the system operator keeps the holiday calendar."))
def manages_calendar(user):
    """Loads the public-holiday calendar that deadlines count working days by: the system operator."""
    return _active(user) and user.role == Role.OPERATOR


# --- the other kinds of account -------------------------------------------------------------------------------


@capability(denied=_("This page is for social workers."))
def is_social_worker(user):
    """A social worker's personal account (what it may see of a person is its own record only)."""
    return _role(user) == Role.WORKER


@capability(denied=_("This page is for organizations."))
def acts_for_organization(user):
    """An organization's or association's account (administrator or staff)."""
    return _role(user) in ORGANIZATION_ROLES


@capability(denied=_("This page is for continuing-education providers."))
def acts_for_provider(user):
    """A continuing-education provider's account that is linked to its provider."""
    return _role(user) == Role.PROVIDER and getattr(user, "provider_membership", None) is not None


CAPABILITIES = (
    public,
    signed_in,
    is_official,
    is_civil_affairs,
    reads_registry,
    checks_records,
    files_providers,
    revokes_registrations,
    administers_region,
    imports_data,
    may_review,
    may_reveal_id,
    sees_accounts,
    manages_accounts,
    creates_accounts,
    issues_accounts,
    administers_security,
    reads_audit_log,
    manages_calendar,
    is_social_worker,
    acts_for_organization,
    acts_for_provider,
)


# --- declaring a view's capability ------------------------------------------------------------------------------


def declared_capability(view):
    """The capability a view (function, class or DRF callback) declares, or None."""
    for candidate in (view, getattr(view, "view_class", None), getattr(view, "cls", None)):
        declared = getattr(candidate, "capability", None)
        if isinstance(declared, Capability):
            return declared
    return None


def _login_redirect(request):
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(request.get_full_path())


class CapabilityRequiredMixin:
    """A page that needs ``capability``: anonymous visitors go to the login page (unless it is ``public``), a
    signed-in user without it gets a 403. A view that declares none is refused (deny by default)."""

    capability = None
    permission_denied_message = None  # a page's own wording for the 403, when the capability's is too general

    def dispatch(self, request, *args, **kwargs):
        required = self.capability
        if not isinstance(required, Capability):
            raise PermissionDenied(_("This page declares no capability."))
        if required is not public:
            if not request.user.is_authenticated:
                return _login_redirect(request)
            if not required(request.user):
                raise PermissionDenied(self.permission_denied_message or required.denied)
        return super().dispatch(request, *args, **kwargs)


def requires(required):
    """Declare a function view's capability (and enforce it as ``CapabilityRequiredMixin`` does)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if required is not public:
                if not request.user.is_authenticated:
                    return _login_redirect(request)
                if not required(request.user):
                    raise PermissionDenied(required.denied)
            return view(request, *args, **kwargs)

        wrapped.capability = required
        return wrapped

    return decorator


class CapabilityAPIMixin:
    """For DRF views: authentication as configured, then the declared capability (403 when missing)."""

    capability = None

    def check_permissions(self, request):
        super().check_permissions(request)
        required = self.capability
        if not isinstance(required, Capability):
            self.permission_denied(request, message=str(_("This endpoint declares no capability.")))
        if required is not public and not required(request.user):
            self.permission_denied(request, message=str(required.denied or ""))

"""Delegated administration: who may create, see and manage which accounts (pure rules).

Views, the API, commands and tasks ask these functions; the services in ``services.users`` enforce
them again before writing. The rules:

Duties (三员分立). System administration (accounts and settings) is the ``ADMIN`` role, security
administration (security policies, unlocking accounts, resetting two-factor devices) the ``SECURITY``
role, audit administration (reading the audit log, nothing else) the ``AUDITOR`` role. An account
has exactly one role, so no account holds two duties; and an account that holds one of the three
duties is never switched to another of them (create a separate account instead), so that the audit
trail of each account stays within one duty.

Who manages accounts. Only the system operator (``OPERATOR``, national) and system administrators
(``ADMIN``) create and manage accounts, and only inside their own region's subtree (their region
and every region below it; the operator's subtree is the whole country):

* grantable roles: ``ADMIN``, ``STAFF``, and ``API_CLIENT`` (an account for a provincial system) for
  managers at national or province level only (``SECURITY`` and ``AUDITOR``: see Guardians below). Nobody grants ``OPERATOR``
  through the application, nor the organization, worker, provider and expert roles, which their own
  sign-up and linking flows create;
* an account's region must be an active, administered region in the manager's subtree; an
  ``API_CLIENT`` account belongs to a province (or the ministry). As every region of the subtree is at
  or below the manager's level, no one creates an account (security and audit administrators
  included) at a level above their own;
* managing an existing account (reset its password, disable or enable it, change its role) requires
  that the account has one of the grantable roles and lies in the manager's subtree; a manager never
  manages their own account here (they use "My account"), and an administrator does not manage the
  other administrators of their own region, whom the level above manages: a peer could otherwise
  take over a colleague's account by resetting its password. An administrator may still create a
  colleague at their own region.

Who sees accounts (``User.objects.visible_to``, rule in ``user_scope_q``). Managers and security administrators see the region-bound
accounts of their subtree (security administrators need them to unlock accounts and reset devices);
everyone else sees only their own account.

Issuing admin accounts in bulk (``can_issue_accounts``) is for the operator and for administrators at
the ministry or a province. The audit log is for audit administrators only, each for their own
subtree (``core.capabilities.reads_audit_log`` and ``AuditEvent.objects.visible_to``). Who may open the
account pages at all is a capability (``core.capabilities.sees_accounts``, ``manages_accounts``,
``issues_accounts``); these functions decide about one account or one grant.

Guardians (审计员 and 安全员 that nobody below can undo). The security (``SECURITY``) and audit
(``AUDITOR``) administrators of a region secure and audit every account of its subtree, its system
administrators included. So none of those accounts may create, reset, unlock, disable or enable,
change the role or the region of, or reset the second factor of a guardian account, nor see its
initial password: a guardian account of a region is issued and managed only by a security
administrator of a region above it (the national ones by the operator on the command line,
``manage.py issue_guardian_account``), whose own actions the audit administrator of that region
above reads. A guardian account gets no initial password at all: the issuer is shown a one-time
activation code to hand over, with which the holder sets their own password and then enrols their
own second factor (``services.activation``). An account never moves into or out of a guardian
duty by a role change (issue a separate account).

The one rule for every operation on an account is ``refusal_to(actor, operation, ...)`` /
``may_manage(actor, target_or_role, operation, ...)`` below; the services call it before writing and
the pages call it to show only the buttons that will work.

A ``None`` actor stands for the command line (a trusted operator on the server): national authority.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from shegong.core import capabilities
from shegong.regions.models import ROOT_CODE, Level, Region

from .roles import (  # noqa: F401  (MANAGER_ROLES, ACCOUNT_VIEWER_ROLES: importable from here as before)
    ACCOUNT_VIEWER_ROLES,
    DUTY_ROLES,
    GUARDIAN_ROLES,
    MANAGER_ROLES,
    REGION_ROLES,
    Role,
)

MANAGED_ROLES = (Role.ADMIN, Role.STAFF, Role.SECURITY, Role.AUDITOR, Role.API_CLIENT)
# API client accounts stand for a provincial system: only national or provincial managers grant them.
API_CLIENT_MAX_LEVEL = Level.PROVINCE
# Issuing admin accounts for every region below: the ministry and the provinces.
ISSUER_MAX_LEVEL = Level.PROVINCE  # the rule is core.capabilities.issues_accounts


def _active(actor):
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def _national_root():
    return Region.objects.filter(code=ROOT_CODE).first()


def management_root(actor):
    """The region whose subtree ``actor`` administers accounts in, or None when they administer none."""
    if actor is None:
        return _national_root()
    if not capabilities.sees_accounts(actor):
        return None
    if actor.region_id is None:
        return _national_root()  # the operator's subtree is the whole country
    return actor.region


def role_label(role):
    return Role(role).label if role in Role.values else str(role)


def is_manager(actor):
    return actor is None or capabilities.manages_accounts(actor)


def issues_guardians(actor):
    """Whether ``actor`` issues guardian accounts at all: the command line, or a security administrator with
    regions below their own."""
    return actor is None or capabilities.creates_accounts(actor) and actor.role == Role.SECURITY


def grantable_roles(actor):
    """Roles ``actor`` may give to an account (in the order of ``Role``): system administrators the
    business and administration roles, security administrators (and the command line) the guardian roles."""
    roles = []
    if is_manager(actor):
        root = management_root(actor)
        roles = [Role.ADMIN, Role.STAFF]
        if root.level <= API_CLIENT_MAX_LEVEL:
            roles.append(Role.API_CLIENT)
    if issues_guardians(actor):
        roles += [Role.SECURITY, Role.AUDITOR]
    return sorted(roles, key=list(Role).index)


def assignable_regions(actor, role=None):
    """Regions ``actor`` may give an account (of ``role``, when given): active, administered, in their subtree
    (for a guardian role: strictly below the actor's own region)."""
    if not grantable_roles(actor):
        return Region.objects.none()
    root = management_root(actor) if actor is None or actor.role != Role.SECURITY else actor.region
    regions = Region.objects.administered().filter(root.subtree_q("code"))
    if role == Role.API_CLIENT:
        regions = regions.filter(level__lte=API_CLIENT_MAX_LEVEL)
    if role in GUARDIAN_ROLES and actor is not None:
        regions = regions.exclude(code=actor.region_id)
    return regions


def refusal_to_grant(actor, role, region):
    """Why ``actor`` may not give ``role`` at ``region`` to an account, or None when they may."""
    if role in GUARDIAN_ROLES:
        return _guardian_refusal(actor, region) or _region_refusal(region)
    if not is_manager(actor):
        return _("Only system administrators create and manage accounts.")
    if role not in grantable_roles(actor):
        return _("You cannot grant the role “%(role)s”.") % {"role": role_label(role)}
    if region is None:
        return _("Choose the region the account serves.")
    root = management_root(actor)
    if not root.contains(region.code):
        return _("You can only create accounts within %(root)s.") % {"root": root}
    if not region.active or not region.administered:
        return _("%(region)s is not a region administered by this system.") % {"region": region}
    if role == Role.API_CLIENT and region.level > API_CLIENT_MAX_LEVEL:
        return _("An API client account belongs to a province (or the ministry).")
    return None


def can_grant(actor, role, region):
    return refusal_to_grant(actor, role, region) is None


def refusal_to_manage(actor, target):
    """Why ``actor`` may not manage ``target``'s account (reset, disable, enable, change role), or None."""
    if target.role in GUARDIAN_ROLES:
        return refusal_to(actor, SET_ACTIVE, target)
    if not is_manager(actor):
        return _("Only system administrators create and manage accounts.")
    if actor is not None and actor.pk == target.pk:
        return _("You cannot manage your own account here; use “My account”.")
    if target.is_superuser or target.role not in MANAGED_ROLES:
        return _("Accounts with the role “%(role)s” are not managed here.") % {"role": target.get_role_display()}
    root = management_root(actor)
    if target.region_id is None or not root.contains(target.region_id):
        return _("%(user)s is outside your region.") % {"user": target.username}
    if (
        actor is not None
        and actor.role == Role.ADMIN
        and target.role == Role.ADMIN
        and target.region_id == actor.region_id
    ):
        return _("Administrators of your own region are managed by the level above.")
    return None


def can_manage(actor, target):
    return refusal_to_manage(actor, target) is None


def refusal_to_change_role(actor, target, role):
    """Why ``actor`` may not give ``target`` the role ``role``, or None."""
    return refusal_to(actor, CHANGE_ROLE, target, role=role)


def _system_refusal_to_change_role(actor, target, role):
    refusal = refusal_to_manage(actor, target)
    if refusal:
        return refusal
    refusal = refusal_to_grant(actor, role, target.region)
    if refusal:
        return refusal
    if target.role in DUTY_ROLES and role in DUTY_ROLES and role != target.role:
        return _(
            "System, security and audit administration are separate duties: an account that held one is not "
            "switched to another. Create a separate account instead."
        )
    return None


# --- the one rule: who may do what to an account ------------------------------------------------

CREATE = "create"
RESET_PASSWORD = "reset_password"
UNLOCK = "unlock"
CHANGE_ROLE = "change_role"
CHANGE_REGION = "change_region"
SET_ACTIVE = "set_active"  # disable or enable
RESET_TWO_FACTOR = "reset_two_factor"
OPERATIONS = (CREATE, RESET_PASSWORD, UNLOCK, CHANGE_ROLE, CHANGE_REGION, SET_ACTIVE, RESET_TWO_FACTOR)
# Sign-in security: the security administrators' operations (the others are system administration).
SECURITY_OPERATIONS = frozenset({UNLOCK, RESET_TWO_FACTOR})


def _guardian_refusal(actor, region):
    """Why ``actor`` may not act on a guardian account of ``region``: only a security administrator of a region
    strictly above it (or the command line) may."""
    if actor is None:
        if region is None:
            return _("Choose the region the account serves.")
        return None
    upstairs = _(
        "Security and audit administrator accounts are issued and managed only by the security administrator "
        "of the level above."
    )
    if not _active(actor) or actor.role != Role.SECURITY or actor.region_id is None:
        return upstairs
    if region is None:
        return _("Choose the region the account serves.")
    if region.code == actor.region_id or not actor.region.contains(region.code):
        return upstairs
    return None


def _security_refusal(actor, target, in_scope=False):
    """Unlocks and second-factor resets of the other accounts: a security administrator of the account's subtree.

    ``in_scope``: the caller took ``target`` from ``accounts_in_scope(actor)`` (a list page), so it is not asked
    again per row."""
    if actor is None:
        return None
    from .security import accounts_in_scope

    if not capabilities.administers_security(actor) or not actor.is_active:
        return _("This page is for security administrators.")
    if not in_scope and not accounts_in_scope(actor).filter(pk=target.pk).exists():
        return _("%(user)s is outside your region.") % {"user": target.username}
    return None


def refusal_to(actor, operation, target=None, *, role=None, region=None, in_scope=False):
    """Why ``actor`` may not do ``operation`` (one of ``OPERATIONS``) to ``target``, or None when they may.

    ``CREATE`` takes no target but the ``role`` and ``region`` of the new account; ``CHANGE_ROLE`` the new
    ``role``; ``CHANGE_REGION`` the new ``region`` (a ``Region`` or its code). The rule (module docstring):
    nobody acts on their own account here; guardian accounts only from a security administrator above (or the
    command line), and no role change leads into or out of a guardian duty; unlocks and second-factor resets
    of the other accounts are the security administrators' of their subtree; the rest is system administration
    (``refusal_to_grant``, ``refusal_to_manage``, ``refusal_to_change_role``)."""
    if operation not in OPERATIONS:
        raise ValueError(f"unknown operation {operation!r}")
    if isinstance(region, str):
        region = Region.objects.filter(code=region).first()
    if operation == CREATE:
        return refusal_to_grant(actor, role, region)
    if actor is not None and not _active(actor):
        return _("Only system administrators create and manage accounts.")
    if actor is not None and actor.pk == target.pk:
        return _("You cannot manage your own account here; use “My account”.")
    if target.is_superuser:
        return _("Accounts with the role “%(role)s” are not managed here.") % {"role": target.get_role_display()}
    if operation == CHANGE_ROLE and target.role in DUTY_ROLES and role in DUTY_ROLES and role != target.role:
        return _(
            "System, security and audit administration are separate duties: an account that held one is not "
            "switched to another. Create a separate account instead."
        )
    if operation == CHANGE_ROLE and (target.role in GUARDIAN_ROLES or role in GUARDIAN_ROLES) and role != target.role:
        return _(
            "An account does not enter or leave the security or audit duty by a role change: issue a separate "
            "account instead."
        )
    if target.role in GUARDIAN_ROLES:
        refusal = _guardian_refusal(actor, target.region)
        if refusal is None and operation == CHANGE_REGION:
            refusal = _guardian_refusal(actor, region) or _region_refusal(region)
        return refusal
    if operation in SECURITY_OPERATIONS:
        return _security_refusal(actor, target, in_scope)
    if operation == CHANGE_ROLE:
        return _system_refusal_to_change_role(actor, target, role)
    refusal = refusal_to_manage(actor, target)
    if refusal is None and operation == CHANGE_REGION:
        refusal = refusal_to_grant(actor, target.role, region)
        if refusal is None and actor is not None and actor.role == Role.ADMIN and target.role == Role.ADMIN:
            if region.code == actor.region_id:
                refusal = _("Administrators of your own region are managed by the level above.")
    return refusal


def _region_refusal(region):
    if region is None:
        return _("Choose the region the account serves.")
    if not region.active or not region.administered:
        return _("%(region)s is not a region administered by this system.") % {"region": region}
    return None


def may_manage(actor, target_or_role, operation, *, role=None, region=None, in_scope=False):
    """Whether ``actor`` may do ``operation`` to an account: ``target_or_role`` is the account, or for
    ``CREATE`` the role of the new account (with its ``region``). See ``refusal_to``."""
    if operation == CREATE:
        return refusal_to(actor, CREATE, role=target_or_role, region=region) is None
    return refusal_to(actor, operation, target_or_role, role=role, region=region, in_scope=in_scope) is None


def allowed_operations(actor, target):
    """The operations ``actor`` may do to ``target`` (for the pages' buttons; role and region changes are
    offered when at least one new role or region could be allowed)."""
    allowed = set()
    for operation in (RESET_PASSWORD, UNLOCK, SET_ACTIVE, RESET_TWO_FACTOR):
        if may_manage(actor, target, operation):
            allowed.add(operation)
    if any(may_manage(actor, target, CHANGE_ROLE, role=role) for role in grantable_roles(actor) if role != target.role):
        allowed.add(CHANGE_ROLE)
    if may_manage(actor, target, CHANGE_REGION, region=target.region):
        allowed.add(CHANGE_REGION)
    return allowed


def user_scope_q(actor, purpose):
    """The accounts ``actor`` may see (``VIEW``) or manage (``EDIT``), as a ``Q`` for
    ``User.objects.visible_to``/``editable_by`` (``accounts.models.UserQuerySet``).

    Seeing: their subtree's region-bound accounts for managers and security administrators, their
    own account for everyone else (anonymous and disabled users see nothing: ``ScopedQuerySet``).
    Managing: the accounts ``refusal_to_manage`` lets them manage."""
    from shegong.core.scoping import EDIT

    root = management_root(actor)
    if purpose == EDIT:
        if actor.role == Role.SECURITY and issues_guardians(actor):
            # The security and audit administrators of the regions strictly below (``refusal_to``).
            return (
                root.subtree_q("region__code")
                & ~Q(region_id=actor.region_id)
                & Q(region__isnull=False, role__in=sorted(GUARDIAN_ROLES), is_superuser=False)
            )
        if not is_manager(actor) or root is None:
            return None
        q = ~Q(role__in=sorted(GUARDIAN_ROLES)) & (
            root.subtree_q("region__code")
            & Q(region__isnull=False, role__in=[str(role) for role in MANAGED_ROLES], is_superuser=False)
            & ~Q(pk=actor.pk)
        )
        if actor.role == Role.ADMIN:
            q &= ~Q(role=Role.ADMIN, region_id=actor.region_id)
        return q
    own = Q(pk=actor.pk)
    if root is None:
        return own
    subtree = root.subtree_q("region__code") & Q(region__isnull=False, role__in=sorted(REGION_ROLES))
    if actor.role != Role.OPERATOR:
        subtree &= ~Q(role=Role.OPERATOR)
    return own | subtree


def can_list_users(actor):
    return capabilities.sees_accounts(actor)


def can_issue_accounts(actor):
    """The ministry's and provinces' administrators (and the operator) issue admin accounts for the regions below."""
    if actor is None:
        return _national_root() is not None
    return capabilities.issues_accounts(actor)

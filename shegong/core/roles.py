"""Roles and role groups: one primary role per account, defined once here, at the bottom of the house.

Every layer may import this module (``shegong.accounts.roles`` re-exports it for the account model
and the existing imports). Who may *do* what is not decided by comparing role names in views or
services: ask a capability in ``shegong.core.capabilities``; the groups below are the vocabulary those
rules and the scoping rule (``core.scoping.standard_scope_q``) are written in.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("System operator")
    ADMIN = "admin", _("Civil affairs administrator")
    STAFF = "staff", _("Civil affairs staff (read-only)")
    SECURITY = "security", _("Security administrator")
    AUDITOR = "auditor", _("Audit administrator")
    ORG_ADMIN = "org_admin", _("Organization administrator")
    ORG_STAFF = "org_staff", _("Organization staff")
    ASSOC_ADMIN = "assoc_admin", _("Association administrator")
    WORKER = "worker", _("Social worker")
    PROVIDER = "provider", _("Continuing-education provider")
    EXPERT = "expert", _("Expert reviewer")
    API_CLIENT = "api_client", _("API client (provincial system)")


# Roles bound to a region of the management tree (officials are bound to a region and their level follows from it).
REGION_ROLES = frozenset({Role.OPERATOR, Role.ADMIN, Role.STAFF, Role.SECURITY, Role.AUDITOR, Role.API_CLIENT})
# 三员分立: the three administrator duties, each held by a different account.
THREE_DUTIES = {Role.ADMIN: "system", Role.SECURITY: "security", Role.AUDITOR: "audit"}
DUTY_ROLES = frozenset(THREE_DUTIES)
# The duties that audit or secure the others: their accounts are issued and managed only from the level above
# (``accounts.permissions.may_manage``), never by an account they audit or secure.
GUARDIAN_ROLES = frozenset({Role.SECURITY, Role.AUDITOR})

# Civil affairs officials proper: the administrators and their read-only staff.
CIVIL_AFFAIRS_ROLES = frozenset({Role.ADMIN, Role.STAFF})
# Roles that see the business data of their region's subtree (the provincial API client included).
BUSINESS_REGION_ROLES = frozenset({Role.ADMIN, Role.STAFF, Role.API_CLIENT})
# Region roles that see but never change business data.
READ_ONLY_ROLES = frozenset({Role.STAFF})
# Organization and association accounts: their organization's rows.
ORGANIZATION_ROLES = frozenset({Role.ORG_ADMIN, Role.ORG_STAFF, Role.ASSOC_ADMIN})
ORGANIZATION_READ_ONLY_ROLES = frozenset({Role.ORG_STAFF})
# Personal accounts: their own person's rows.
PERSON_ROLES = frozenset({Role.WORKER})

# Account administration: who creates and manages accounts, and who may see the accounts of a subtree
# (security administrators: for unlocks and two-factor resets). The rules are in ``accounts.permissions``.
MANAGER_ROLES = frozenset({Role.OPERATOR, Role.ADMIN})
ACCOUNT_VIEWER_ROLES = MANAGER_ROLES | {Role.SECURITY}
# Region roles that change business data (imports included): the business region roles less the read-only ones.
REGION_WRITER_ROLES = BUSINESS_REGION_ROLES - READ_ONLY_ROLES

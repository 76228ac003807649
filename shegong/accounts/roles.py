"""Roles: one primary role per account. Officials are bound to a region and their level follows from it."""

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


# Roles bound to a region of the management tree.
REGION_ROLES = {Role.OPERATOR, Role.ADMIN, Role.STAFF, Role.SECURITY, Role.AUDITOR, Role.API_CLIENT}
# 三员分立: the three administrator duties, each held by a different account.
THREE_DUTIES = {Role.ADMIN: "system", Role.SECURITY: "security", Role.AUDITOR: "audit"}

"""Audit action codes recorded by the organizations app (see core.audit_actions for the scheme)."""

from django.utils.translation import gettext_lazy as _

from shegong.core.audit.actions import declare

SIGNUP = declare("organizations.signup", _("An organization signed up"))
EDIT = declare("organizations.edit", _("Changed an organization’s details"))
ACTIVATE = declare("organizations.activate", _("Approved an organization’s account"))
REJECT = declare("organizations.reject", _("Did not approve an organization’s account"))
WITHDRAW = declare("organizations.withdraw", _("An organization withdrew its sign-up"))

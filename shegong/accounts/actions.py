"""Audit action codes recorded by the accounts app (see core.audit_actions for the scheme)."""

from django.utils.translation import gettext_lazy as _

from shegong.core.audit.actions import declare

LOGIN = declare("accounts.login", _("Signed in"), legacy=["login"])
LOGIN_SECOND_FACTOR = declare("accounts.login_2fa", _("Passed the second sign-in step"), legacy=["login_2fa"])
LOGIN_FAILED = declare("accounts.login_failed", _("Failed to sign in"), legacy=["login_failed"])
LOGOUT = declare("accounts.logout", _("Signed out"), legacy=["logout"])
LOCKOUT = declare("accounts.lockout", _("Locked after repeated failed sign-ins"), legacy=["lockout"])
UNLOCK = declare("accounts.unlock", _("Lifted a sign-in lock"), legacy=["unlock"])
PASSWORD_CHANGE = declare("accounts.password_change", _("Changed own password"), legacy=["password_change"])
USER_CREATE = declare("accounts.user_create", _("Created an account"), legacy=["user_create"])
USER_ENABLE = declare("accounts.user_enable", _("Enabled an account"), legacy=["user_enable"])
USER_DISABLE = declare("accounts.user_disable", _("Disabled an account"), legacy=["user_disable"])
USER_PASSWORD_RESET = declare(
    "accounts.user_password_reset", _("Reset an account’s password"), legacy=["user_password_reset"]
)
USER_ROLE_CHANGE = declare("accounts.user_role_change", _("Changed an account’s role"), legacy=["user_role_change"])
USER_REGION_CHANGE = declare("accounts.user_region_change", _("Moved an account to another region"))
USER_ACTIVATION_ISSUE = declare("accounts.activation_issue", _("Issued an account’s activation code"))
USER_ACTIVATE = declare("accounts.activate", _("Activated own account with its activation code"))
PASSWORD_BELOW_RULE = declare(
    "accounts.password_below_rule", _("Asked to change a password that no longer meets the rules")
)
ACCOUNTS_ISSUE = declare("accounts.issue", _("Issued administrator accounts in bulk"), legacy=["accounts_issue"])
TWO_FACTOR_ENROL = declare("accounts.2fa_enrol", _("Set up two-factor authentication"), legacy=["2fa_enrol"])
TWO_FACTOR_RECOVERY_CODES = declare(
    "accounts.2fa_recovery_codes", _("Generated new recovery codes"), legacy=["2fa_recovery_codes"]
)
TWO_FACTOR_RESET = declare(
    "accounts.2fa_reset", _("Reset an account’s two-factor authentication"), legacy=["2fa_reset"]
)
TWO_FACTOR_DISABLE = declare(
    "accounts.2fa_disable", _("Turned off own two-factor authentication"), legacy=["2fa_disable"]
)
PASSWORD_RESET_REQUEST = declare("accounts.password_reset_request", _("Asked for a password-reset code"))
PASSWORD_RESET_COMPLETE = declare("accounts.password_reset_complete", _("Reset own password with a one-time code"))
PASSWORD_RESET_FAILED = declare("accounts.password_reset_failed", _("Entered a wrong or expired password-reset code"))

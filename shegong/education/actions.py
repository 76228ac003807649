"""Audit action codes recorded by continuing education (see core.audit_actions for the scheme)."""

from django.utils.translation import gettext_lazy as _

from shegong.core.audit.actions import declare

CREDIT = declare("education.credit", _("Credited study hours"))
DECLARE = declare("education.declare", _("Declared study hours"))
DECLARATION_EDIT = declare("education.declaration_edit", _("Changed a declaration of study hours"))
EVIDENCE_VIEW = declare("education.evidence_view", _("Opened the evidence of a declaration"))
STATEMENT = declare("education.statement", _("Downloaded a statement of study hours"))
POLICY_CHANGE = declare("education.policy_change", _("Changed the province’s study-hour rules"))
ACTIVITY_CREATE = declare("education.activity_create", _("Created an activity"))
ACTIVITY_EDIT = declare("education.activity_edit", _("Changed an activity"))
ACTIVITY_STATUS = declare("education.activity_status", _("Changed an activity’s status"))
ACTIVITY_CODE = declare("education.activity_code", _("Replaced an activity’s sign-in code"))
ENROL = declare("education.enrol", _("Enrolled in an activity"))
ENROL_CANCEL = declare("education.enrol_cancel", _("Cancelled an enrolment"))
SIGN_IN_REFUSED = declare("education.sign_in_refused", _("Refused a sign-in at an activity"))
# No longer recorded: attendance lists go through the import engine (its import.* events, with the
# activity in the job's options). Kept so that the events already stored still read as words.
IMPORT_STAGE = declare("education.import_stage", _("Uploaded an attendance list"))
IMPORT_COMMIT = declare("education.import_commit", _("Credited an attendance list"))
PROVIDER_FILE = declare("education.provider_file", _("Filed a continuing-education provider"))
PROVIDER_EDIT = declare("education.provider_edit", _("Changed a provider’s details"))
PROVIDER_PUBLISH = declare("education.provider_publish", _("Published a provider"))
PROVIDER_REVOKE = declare("education.provider_revoke", _("Revoked a provider’s filing"))
PROVIDER_ACCOUNT_CREATE = declare("education.provider_account_create", _("Created a provider account"))
PROVIDER_ACCOUNT_RESET = declare("education.provider_account_reset", _("Reset a provider account’s password"))
PROVIDER_ACCOUNT_ENABLE = declare("education.provider_account_enable", _("Enabled a provider account"))
PROVIDER_ACCOUNT_DISABLE = declare("education.provider_account_disable", _("Disabled a provider account"))

"""Audit action codes recorded by the registry app (see core.audit_actions for the scheme)."""

from django.utils.translation import gettext_lazy as _

from shegong.core.audit.actions import declare

PERSON_CREATE = declare("workers.person_create", _("Added a person to the registry"))
CERTIFICATE_CREATE = declare("workers.certificate_create", _("Added a certificate"))
CERTIFICATE_CORRECT = declare("workers.certificate_correct", _("Corrected a certificate"))
PERSON_UPDATE = declare("workers.person_update", _("Changed a person’s record"), legacy=["update"])
PERSON_CORRECT = declare("workers.person_correct", _("Corrected a person’s record on checking"), legacy=["correct"])
PERSON_CHECK = declare("workers.person_check", _("Checked a person’s record"), legacy=["check"])
ID_REVEAL = declare("workers.id_reveal", _("Viewed a full ID number"), legacy=["reveal"])
FEEDBACK = declare("workers.feedback", _("Reported an error in own record"), legacy=["feedback"])
FEEDBACK_DECIDE = declare("workers.feedback_decide", _("Decided on a reported error"), legacy=["feedback_decide"])
SIGNUP = declare("workers.signup", _("Signed up as a social worker"), legacy=["worker_signup"])
SIGNUP_CONFIRM = declare(
    "workers.signup_confirm", _("Confirmed a social worker’s sign-up"), legacy=["worker_signup_confirm"]
)
SIGNUP_REJECT = declare(
    "workers.signup_reject", _("Did not approve a social worker’s sign-up"), legacy=["worker_signup_reject"]
)
TRANSFER_REQUEST = declare("workers.transfer_request", _("Asked for a social worker’s transfer to another region"))
TRANSFER = declare("workers.transfer", _("Transferred a social worker to another region"))
SIGNUP_REFUSED = declare("workers.signup_refused", _("A social worker’s sign-up was not taken (told by SMS)"))

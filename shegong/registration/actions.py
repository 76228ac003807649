"""Audit action codes recorded by certificate registration (see core.audit_actions for the scheme)."""

from django.utils.translation import gettext_lazy as _

from shegong.core.audit.actions import declare

APPLY = declare("registration.apply", _("Applied for registration"))
EDIT = declare("registration.edit", _("Changed a registration request"))
IMPORT = declare("registration.import", _("Recorded a historical registration"))
LAPSE = declare("registration.lapse", _("A registration lapsed"))
REVOKE = declare("registration.revoke", _("Revoked a registration"))
CERTIFICATE_DOWNLOAD = declare("registration.certificate_download", _("Downloaded own registration certificate"))
CERTIFICATE_REPRINT = declare("registration.certificate_reprint", _("Printed a registration certificate"))
PERSON_CHANGE = declare(
    "registration.person_change", _("Changed a person’s record on an approved change"), legacy=["change_registration"]
)
# One code per approved request, keyed by its kind (models.RegistrationKind).
APPROVED = {
    "first": declare("registration.first", _("Approved a first registration")),
    "renewal": declare("registration.renewal", _("Approved a re-registration")),
    "change": declare("registration.change", _("Approved a change of registration")),
    "cancellation": declare("registration.cancellation", _("Approved a cancellation of registration")),
    "revocation": declare("registration.revocation", _("Revoked a registration on review")),
}

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least three of the four character classes: lowercase, uppercase, digits, symbols."""

    def validate(self, password, user=None):
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                _(
                    "The password must contain at least three of: lowercase letters, uppercase letters, digits, symbols."
                ),
                code="password_too_simple",
            )
        if user is not None and user.username and user.username.lower() in password.lower():
            raise ValidationError(_("The password must not contain the user name."), code="password_contains_username")

    def get_help_text(self):
        return _("Use at least three of: lowercase letters, uppercase letters, digits, symbols; not your user name.")

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


class PasswordHistoryValidator:
    """Not one of the account's last ``count`` passwords (the current one included)."""

    def __init__(self, count=5):
        self.count = count

    def validate(self, password, user=None):
        if user is None or getattr(user, "pk", None) is None:
            return
        from django.contrib.auth.hashers import check_password

        from .models import PasswordHistory

        for encoded in PasswordHistory.recent_hashes(user, self.count):
            if check_password(password, encoded):
                raise ValidationError(
                    _("You used this password recently. Choose one that differs from your last %(count)d passwords.")
                    % {"count": self.count},
                    code="password_reused",
                )

    def get_help_text(self):
        return _("Not one of your last %(count)d passwords.") % {"count": self.count}

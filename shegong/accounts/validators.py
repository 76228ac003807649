from django.conf import settings
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


# Look-alike digits and symbols read back as the letters they stand for (Passw0rd, P@ssword, $ecret...).
LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i"}
)
LEET_L = str.maketrans({"1": "l", "!": "l", "|": "l"})


def _stripped(text):
    """Without the digits and symbols around the word (Password2024!, !!password)."""
    start, end = 0, len(text)
    while start < end and not text[start].isalpha():
        start += 1
    while end > start and not text[end - 1].isalpha():
        end -= 1
    return text[start:end]


def common_variants(password):
    """The forms of ``password`` checked against the common-password list: as typed (lowercase), with look-alike
    characters read back as letters, and each of those without the digits and symbols before and after it."""
    lowered = password.lower()
    forms = {lowered, lowered.translate(LEET), lowered.translate(LEET_L).translate(LEET)}
    forms |= {_stripped(form) for form in list(forms)}
    forms |= {_stripped(lowered).translate(LEET), _stripped(lowered).translate(LEET_L).translate(LEET)}
    return {form for form in forms if len(form) >= 4}


def is_official_account(user):
    """Officials (the region-bound roles) have the stricter rule; self-registered accounts (social workers,
    organizations, associations) and the other accounts keep the general one."""
    from .roles import REGION_ROLES

    return user is not None and getattr(user, "role", None) in REGION_ROLES


class OfficialPasswordValidator:
    """Officials' passwords: at least ``min_length`` characters, and neither a common password nor one dressed up
    as one (Passw0rd!, P@ssword2024: Django's list of 20,000 common passwords, after reading look-alike characters
    back and taking off the digits and symbols around the word)."""

    def __init__(self, min_length=12):
        self.min_length = min_length

    @staticmethod
    def common_passwords():
        from django.contrib.auth.password_validation import CommonPasswordValidator

        if not hasattr(OfficialPasswordValidator, "_common"):
            OfficialPasswordValidator._common = CommonPasswordValidator().passwords
        return OfficialPasswordValidator._common

    def validate(self, password, user=None):
        if not is_official_account(user):
            return
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(
                    _("An official’s password has at least %(min_length)d characters.")
                    % {"min_length": self.min_length},
                    code="official_password_too_short",
                )
            )
        if common_variants(password) & self.common_passwords():
            errors.append(
                ValidationError(
                    _("This password is a common one with a few characters changed; choose one that is hard to guess."),
                    code="official_password_common",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return _(
            "Officials: at least %(min_length)d characters, and not a common password with a few characters changed."
        ) % {"min_length": self.min_length}


def official_password_problems(user, password):
    """The messages of the official rule that ``password`` of ``user`` fails today (empty when it passes)."""
    try:
        OfficialPasswordValidator(getattr(settings, "OFFICIAL_PASSWORD_MIN_LENGTH", 12)).validate(password, user)
    except ValidationError as exc:
        return exc.messages
    return []

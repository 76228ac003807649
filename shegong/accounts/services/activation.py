"""Activation codes of security and audit administrator accounts (三员分立 that the issuer cannot undo).

The issuer of such an account never sees a password: the account is created without a usable one and the
issuer is shown a one-time activation code to hand over. The holder opens the activation page (signed out),
enters the user name, the code and a password of their own; the code is then spent, and the holder, now signed
in, must enrol their own second factor before anything else (the guardian roles always need one:
``security.SECOND_FACTOR_ROLES`` and ``TwoFactorEnrolmentMiddleware``). A reset issues a new code and removes the
account's password and second factor, so whoever held the account before has nothing left that works.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.accounts import actions
from shegong.accounts.models import ActivationCode, User
from shegong.core.audit import record

# 16 characters of a 32-symbol alphabet without look-alikes: 80 bits, in four groups for reading aloud.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16
VALID_FOR = timedelta(days=7)


def _hash(code):
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def normalise(code):
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def format_code(code):
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def issue_activation_code(user, *, actor):
    """Give ``user`` a new activation code (returned, formatted, shown once) in place of any password and second
    factor it had. Call inside the transaction of the verb that decided it (create or reset)."""
    from shegong.accounts.services.security import delete_devices

    code = new_code()
    user.set_unusable_password()
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    delete_devices(user)
    ActivationCode.objects.update_or_create(
        user=user,
        defaults={
            "code_hash": _hash(code),
            "issued_by": actor,
            "expires_at": timezone.now() + VALID_FOR,
        },
    )
    record(actor, actions.USER_ACTIVATION_ISSUE, user, changes={"valid_days": VALID_FOR.days})
    return format_code(code)


def activation_pending(user):
    return ActivationCode.objects.filter(user=user).exists()


def _refused():
    return ValidationError(
        _("The user name and activation code do not match, or the code has expired. Ask your issuer for a new one."),
        code="invalid_activation",
    )


@transaction.atomic
def activate(username, code, new_password):
    """The holder sets their own password with their activation code; returns the account.

    Raises ``ValidationError`` (one answer for a wrong name, a wrong code and an expired one) or the password
    validators' errors."""
    user = User.objects.unscoped("activation: the account being activated").filter(username=username).first()
    pending = ActivationCode.objects.select_for_update().filter(user=user).first() if user is not None else None
    valid = (
        pending is not None
        and hmac.compare_digest(pending.code_hash, _hash(code))
        and pending.expires_at > timezone.now()
        and user.is_active
    )
    if not valid:
        raise _refused()
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    pending.delete()
    record(user, actions.USER_ACTIVATE, user)
    return user

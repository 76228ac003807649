"""Forgotten passwords: a one-time code to the account's phone or e-mail (self-service accounts only).

Social workers and organization/association accounts ask for a code (``request_reset``); it goes by SMS to
the account's phone number (for social workers, the number they signed in with) or else by e-mail, through
``shegong.core.messaging``. Officials (civil affairs, security, audit, operators, API clients, providers,
experts) get no code: their security administrator resets them. The answer is the same in every case, so
the page never says whether an account exists or what kind it is.

Codes are six digits, kept only as an HMAC bound to the account's current password hash (a changed
password voids them) in the shared store (``core.limits.shared_cache``), valid for ``CODE_TTL`` seconds,
single use, with ``MAX_ATTEMPTS`` tries. Requests are limited per account, per destination and per client
address; every request and completion is audited.
"""

import secrets
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from shegong.accounts import actions
from shegong.accounts.roles import ORGANIZATION_ROLES, PERSON_ROLES
from shegong.core import limits, messaging
from shegong.core.audit import record
from shegong.core.identifiers import mask_phone

SELF_SERVICE_ROLES = PERSON_ROLES | ORGANIZATION_ROLES
CODE_TTL = 10 * 60
MAX_ATTEMPTS = 5
WINDOW = 3600
DEFAULTS = {"per_account": 3, "per_destination": 3, "per_address": 10, "complete_per_address": 20}


def _limit(name):
    return int(getattr(settings, "SHEGONG_PASSWORD_RESET_LIMITS", {}).get(name, DEFAULTS[name]))


def _too_many():
    return ValidationError(_("Too many attempts from your network address. Try again in an hour."), code="rate_limited")


def _key(user):
    return f"password-reset:{limits.digest(user.pk)}"


def _digest(user, code):
    return salted_hmac("shegong.password-reset", f"{user.pk}:{code}:{user.password}").hexdigest()


def find_account(identifier):
    identifier = "".join(str(identifier or "").split())
    if not identifier:
        return None
    return get_user_model().objects.filter(username=identifier, is_active=True).first()


def can_self_reset(user):
    return user is not None and user.role in SELF_SERVICE_ROLES and bool(user.phone or user.email)


def _masked_email(email):
    local, _sep, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def request_reset(identifier, *, address=""):
    """Send a one-time code when the account may reset itself; the caller shows the same answer regardless."""
    if address and not limits.hit("password-reset-address", address, _limit("per_address"), WINDOW).allowed:
        raise _too_many()
    user = find_account(identifier)
    if user is None:
        record(None, actions.PASSWORD_RESET_REQUEST, changes={"outcome": "no_such_account"})
        return
    if not can_self_reset(user):
        outcome = "security_administrator" if user.role not in SELF_SERVICE_ROLES else "no_phone_or_email"
        record(None, actions.PASSWORD_RESET_REQUEST, user, changes={"outcome": outcome})
        return
    destination = user.phone or user.email
    if not (
        limits.hit("password-reset-account", user.pk, _limit("per_account"), WINDOW).allowed
        and limits.hit("password-reset-destination", destination, _limit("per_destination"), WINDOW).allowed
    ):
        record(None, actions.PASSWORD_RESET_REQUEST, user, changes={"outcome": "limited"})
        return
    code = f"{secrets.randbelow(10**6):06d}"
    limits.shared_cache().set(
        _key(user), {"digest": _digest(user, code), "attempts": 0, "expires": time.time() + CODE_TTL}, CODE_TTL
    )
    minutes = CODE_TTL // 60
    if user.phone:
        text = _(
            "Your password-reset code is %(code)s, valid for %(minutes)s minutes. Do not tell it to anyone, staff "
            "included. If you did not ask for it, ignore this message."
        ) % {"code": code, "minutes": minutes}
        messaging.send_sms(user.phone, text)
        channel = {"outcome": "sent", "channel": "sms", "to": mask_phone(user.phone)}
    else:
        text = _(
            "Your password-reset code is %(code)s, valid for %(minutes)s minutes. Do not tell it to anyone, staff "
            "included. If you did not ask for it, ignore this message."
        ) % {"code": code, "minutes": minutes}
        messaging.send_email(user.email, _("Your password-reset code"), text)
        channel = {"outcome": "sent", "channel": "email", "to": _masked_email(user.email)}
    record(None, actions.PASSWORD_RESET_REQUEST, user, changes=channel)


def _wrong_code():
    return ValidationError({"code": _("The code is wrong or has expired. Ask for a new code.")}, code="bad_code")


def check_code(user, code):
    """True when ``code`` is the account's current code; counts a wrong try and drops the code after the last."""
    cache = limits.shared_cache()
    stored = cache.get(_key(user)) if user is not None else None
    if not stored or stored["expires"] < time.time():
        return False
    if constant_time_compare(stored["digest"], _digest(user, "".join(str(code or "").split()))):
        return True
    stored["attempts"] += 1
    if stored["attempts"] >= MAX_ATTEMPTS:
        cache.delete(_key(user))
    else:
        cache.set(_key(user), stored, max(1, int(stored["expires"] - time.time())))
    return False


@transaction.atomic
def complete_reset(identifier, code, new_password, *, address=""):
    """Set a new password with a valid one-time code (used up here); ValidationError keyed code / new_password."""
    if address and not limits.hit("password-reset-complete", address, _limit("complete_per_address"), WINDOW).allowed:
        raise _too_many()
    user = find_account(identifier)
    if user is None or not can_self_reset(user) or not check_code(user, code):
        record(None, actions.PASSWORD_RESET_FAILED, user if can_self_reset(user) else None)
        raise _wrong_code()
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from exc
    limits.shared_cache().delete(_key(user))  # single use
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    record(user, actions.PASSWORD_RESET_COMPLETE, user)
    return user

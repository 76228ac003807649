"""The verbs of sign-in security: lifting locks and the second factor's set-up, use and reset; each writes the audit log."""

from django.conf import settings
from django.db import transaction

from shegong.accounts import actions
from shegong.accounts.models import User
from shegong.accounts.security import (
    RECOVERY_CODE_COUNT,
    format_recovery_code,
    normalise_code,
    throttle_wait,
    two_factor_required,
)
from shegong.core.audit import record


def reset_sign_in_failures(username):
    """A complete sign-in (password and, where asked, the second factor) clears the user name's failures."""
    from axes.utils import reset

    if username and settings.AXES_ENABLED:
        reset(username=username)


@transaction.atomic
def unlock_account(username, *, actor):
    """Lift the lock on a user name (only within the administrator's reach; the caller checks)."""
    from axes.utils import reset

    count = reset(username=username)
    user = User.objects.filter(username=username).first()
    record(
        actor,
        actions.UNLOCK,
        user,
        changes={"username": username, "attempts_cleared": count},
        object_repr=None if user else username,
        region_code=user.region_id if user and user.region_id else None,
    )
    return count


@transaction.atomic
def unlock_address(ip_address, *, actor):
    from axes.utils import reset

    count = reset(ip=ip_address)
    record(
        actor,
        actions.UNLOCK,
        None,
        changes={"ip_address": ip_address, "attempts_cleared": count},
        object_repr=ip_address,
    )
    return count


def _new_recovery_codes(user):
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    tokens = set()
    while len(tokens) < RECOVERY_CODE_COUNT:
        tokens.add(StaticToken.random_token())
    StaticToken.objects.bulk_create([StaticToken(device=device, token=t) for t in tokens])
    return [format_recovery_code(t) for t in sorted(tokens)]


@transaction.atomic
def confirm_totp(user, device, code):
    """Finish enrolment: the first code from the app confirms the device.

    Returns ``(device, recovery_codes)``, or None when the code is wrong. Any earlier authenticator
    and recovery codes are replaced."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(normalise_code(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _new_recovery_codes(user)
    record(user, actions.TWO_FACTOR_ENROL, user, changes={"recovery_codes": len(codes)})
    return device, codes


@transaction.atomic
def regenerate_recovery_codes(user):
    codes = _new_recovery_codes(user)
    record(user, actions.TWO_FACTOR_RECOVERY_CODES, user, changes={"recovery_codes": len(codes)})
    return codes


def verify_second_factor(user, code):
    """Check a code against the account's authenticator, or (if it looks like one) a recovery code.

    Returns ``(device, method, wait)``: the device that accepted the code and "totp" or
    "recovery_code", or ``(None, None, seconds)`` with the back-off still to wait (0 if none).
    A recovery code is deleted when it is used.
    """
    from django_otp import verify_token
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    code = normalise_code(code)
    if code.isdigit():
        devices, method = TOTPDevice.objects.filter(user=user, confirmed=True), "totp"
    else:
        devices, method = StaticDevice.objects.filter(user=user, confirmed=True), "recovery_code"
    wait = 0
    for device in devices:
        waiting = throttle_wait(device)
        if waiting:
            wait = max(wait, waiting)
            continue
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified, method, 0
    return None, None, wait


def _delete_devices(user):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    count = TOTPDevice.objects.filter(user=user).delete()[0]
    count += StaticDevice.objects.filter(user=user).delete()[0]
    return count


@transaction.atomic
def reset_two_factor(user, *, actor):
    """A security administrator removes an account's authenticator and recovery codes (lost phone);
    the account enrols again at its next sign-in. The caller checks that ``user`` is in scope."""
    count = _delete_devices(user)
    record(actor, actions.TWO_FACTOR_RESET, user, changes={"devices_removed": count})
    return count


@transaction.atomic
def disable_own_two_factor(user):
    """An account for which the second factor is optional may turn it off again."""
    if two_factor_required(user):
        raise PermissionError("The second factor is mandatory for this account.")
    count = _delete_devices(user)
    record(user, actions.TWO_FACTOR_DISABLE, user, changes={"devices_removed": count})
    return count


# --- Second factor ----------------------------------------------------------------------------
def pending_totp_device(user):
    """The authenticator being set up: kept across reloads so the QR code does not change."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device

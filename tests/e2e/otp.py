"""The second factor in browser tests: behave like a person with an authenticator app.

After the password the site may show one of two pages:
- enrolment (administrators without a device): read the key printed under the QR code, compute the
  current code from it, confirm, then continue past the recovery codes;
- verification (an enrolled account): compute the current code from the account's device.

The codes are computed with django-otp's own TOTP implementation, as an app would from the key.
"""

import re
import time
from base64 import b32decode

from playwright.sync_api import expect

SETUP_FORM = "[data-testid=totp-confirm-form]"
VERIFY_FORM = "[data-testid=second-factor-form]"


def code_for(key: bytes, *, step=30, t0=0, digits=6, not_before_t=None):
    """The 6-digit code an authenticator app shows now, moved one step on if ``now`` was already used.

    django-otp refuses a code of a time step it has already accepted (replay protection) and accepts
    the next step's code within its tolerance, so a second sign-in in the same 30 seconds still works.
    """
    from django_otp.oath import TOTP

    totp = TOTP(key, step=step, t0=t0, digits=digits)
    totp.time = time.time()
    if not_before_t is not None and totp.t() < not_before_t:
        totp.time = t0 + not_before_t * step
    return f"{totp.token():0{digits}d}"


def device_code(device):
    device.refresh_from_db()
    return code_for(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, not_before_t=device.last_t + 1
    )


def confirmed_device(username):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user__username=username, confirmed=True).order_by("-pk").first()


def enrol(user):
    """Give ``user`` a confirmed authenticator device (for tests that start from an enrolled account)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def answer_if_asked(page, username):
    """Complete enrolment or verification if the page asks for it; returns which one it did (or None)."""
    if page.locator(SETUP_FORM).count():
        answer_enrolment(page)
        return "enrolment"
    if page.locator(VERIFY_FORM).count():
        answer_verification(page, username)
        return "verification"
    return None


def answer_enrolment(page):
    secret = page.get_by_test_id("totp-secret").inner_text()
    key = b32decode(re.sub(r"\s+", "", secret).upper())
    form = page.locator(SETUP_FORM)
    form.locator("input[name=code]").fill(code_for(key))
    form.locator("[type=submit]").click()
    expect(page.get_by_test_id("recovery-codes")).to_be_visible()
    page.get_by_test_id("continue").click()
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url)


def answer_verification(page, username):
    device = confirmed_device(username)
    assert device is not None, f"{username} is asked for a code but has no authenticator device"
    form = page.locator(VERIFY_FORM)
    form.locator("input[name=code]").fill(device_code(device))
    form.locator("[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/2fa/verify/" not in url)

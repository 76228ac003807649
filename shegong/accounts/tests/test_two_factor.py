"""Two-factor authentication: enrolment, sign-in with a code or a recovery code, mandatory roles, resets."""

import re

import pytest
from axes.models import AccessAttempt
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from shegong.accounts import security
from shegong.accounts.roles import Role
from shegong.accounts.services import security as security_services
from shegong.core.models import AuditEvent
from tests.factories import (
    PASSWORD,
    UserFactory,
    enrol_totp,
    login_unverified,
    official,
    totp_code,
    totp_code_for_secret,
)

from .helpers import SETUP, VERIFY, actions, fast_hashing, section, sign_in, url  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hashing")]

SECRET = re.compile(r'data-testid="totp-secret">([A-Z2-7 ]+)<')


@pytest.fixture
def no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def verify(client, code, next_url=""):
    return client.post(VERIFY, {"code": code, "next": next_url})


# --- Who must use it -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "code", "required"),
    [
        (Role.ADMIN, "440106", True),  # every administrator
        (Role.SECURITY, "440000", True),
        (Role.AUDITOR, "440000", True),
        (Role.OPERATOR, "000000", True),
        (Role.STAFF, "000000", True),  # ministry official
        (Role.STAFF, "440000", True),  # province official
        (Role.STAFF, "440100", False),  # prefecture staff: optional
        (Role.STAFF, "440106", False),
    ],
)
def test_who_must_use_a_second_factor(role, code, required):
    assert security.two_factor_required(official(code, role)) is required


@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.ASSOC_ADMIN])
def test_organization_and_association_administrators_must(role):
    assert security.two_factor_required(UserFactory(role=role, region_id=None))


@pytest.mark.parametrize("role", [Role.WORKER, Role.ORG_STAFF, Role.PROVIDER, Role.EXPERT])
def test_others_may(role):
    assert not security.two_factor_required(UserFactory(role=role, region_id=None))


# --- Enrolment -----------------------------------------------------------------------------------
def test_an_administrator_without_a_device_is_sent_to_enrolment_and_can_do_nothing_else(client):
    admin = official("440106")
    assert sign_in(client, admin.username, PASSWORD, next_url="/accounts/profile/").status_code == 302
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    assert client.get(url("regions:list")).status_code == 302
    assert client.get("/api/v1/regions/").status_code == 403
    # Signing out still works.
    assert client.post(url("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_enrolment_shows_a_qr_code_and_the_key_and_confirms_with_a_code(client, no_throttle):
    admin = official("440106")
    sign_in(client, admin.username, PASSWORD)
    page = client.get(SETUP)
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert 'src="data:image/svg+xml;base64,' in html
    secret = SECRET.search(html).group(1)
    # The key stays the same on reload (the app may have scanned it already).
    assert SECRET.search(client.get(SETUP).content.decode()).group(1) == secret

    response = client.post(SETUP, {"code": "000000" if totp_code_for_secret(secret) != "000000" else "111111"})
    assert response.status_code == 200 and not TOTPDevice.objects.filter(user=admin, confirmed=True).exists()

    response = client.post(SETUP, {"code": totp_code_for_secret(secret)})
    assert response.status_code == 302 and response["Location"] == url("accounts:2fa-recovery-codes")
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).count() == 1
    codes_page = client.get(url("accounts:2fa-recovery-codes"))
    codes = re.findall(r'<li class="col mb-1">([a-z2-7]{4}-[a-z2-7]{4})</li>', codes_page.content.decode())
    assert len(codes) == 10 and codes_page["Cache-Control"] == "no-store"
    # Shown once only.
    assert not re.findall(
        r"[a-z2-7]{4}-[a-z2-7]{4}</li>", client.get(url("accounts:2fa-recovery-codes")).content.decode()
    )
    # Now the administrator can work.
    assert client.get("/accounts/profile/").status_code == 200
    assert actions(action="accounts.2fa_enrol", actor=admin) == ["accounts.2fa_enrol"]


def test_a_forced_password_change_comes_before_enrolment(client):
    admin = official("440106", must_change_password=True)
    sign_in(client, admin.username, PASSWORD)
    assert client.get("/").url == url("accounts:password-change")
    assert client.get(SETUP).url == url("accounts:password-change")
    response = client.post(
        url("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": "Fresh#Start2026", "new_password2": "Fresh#Start2026"},
    )
    assert response.status_code == 302
    assert client.get("/accounts/profile/").url.startswith(SETUP)


def test_the_second_factor_comes_before_a_forced_password_change(client):
    admin = official("440106", must_change_password=True)
    enrol_totp(admin)
    sign_in(client, admin.username, PASSWORD)
    assert client.get(url("accounts:password-change")).url.startswith(VERIFY)


def test_optional_for_a_county_official_who_may_enrol_from_the_profile(client):
    staff = official("440106", Role.STAFF)
    sign_in(client, staff.username, PASSWORD)
    profile = client.get("/accounts/profile/")
    assert profile.status_code == 200 and url("accounts:2fa") in profile.content.decode()
    assert client.get(url("accounts:2fa")).status_code == 200
    page = client.get(SETUP).content.decode()
    client.post(SETUP, {"code": totp_code_for_secret(SECRET.search(page).group(1))})
    assert security.has_totp(staff)
    # ... and may turn it off again.
    assert client.post(url("accounts:2fa-disable")).status_code == 302
    assert not security.has_second_factor(staff)
    assert "accounts.2fa_disable" in actions(actor=staff)


def test_a_mandatory_user_cannot_turn_it_off(client):
    admin = official("440106")
    client.force_login(admin)
    client.post(url("accounts:2fa-disable"))
    assert security.has_totp(admin)


# --- Signing in with a code -----------------------------------------------------------------------
def test_sign_in_with_the_authenticator_code(client):
    admin = official("440106")
    device = enrol_totp(admin)
    response = sign_in(client, admin.username, PASSWORD, next_url="/accounts/profile/")
    assert response.status_code == 302
    # Password alone is not enough: everything leads to the code page.
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.get("/api/v1/regions/").status_code == 403

    response = verify(client, totp_code(device), next_url="/accounts/profile/")
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert client.get("/accounts/profile/").status_code == 200
    assert actions(object_id=str(admin.pk)) == ["accounts.login", "accounts.login_2fa"]
    assert AuditEvent.objects.get(action="accounts.login").changes["second_factor"] == "pending"
    assert AuditEvent.objects.get(action="accounts.login_2fa").changes["method"] == "totp"


def test_a_wrong_code_is_refused_counted_and_throttled(client):
    """After a wrong code even the right one waits a moment (django-otp's exponential back-off)."""
    admin = official("440106")
    device = enrol_totp(admin)
    sign_in(client, admin.username, PASSWORD)
    good = totp_code(device)
    response = verify(client, "123456" if good != "123456" else "654321")
    assert response.status_code == 200 and "id_code_error_1" in response.content.decode()
    assert AuditEvent.objects.filter(action="accounts.login_failed", changes__reason="second_factor").count() == 1
    assert AccessAttempt.objects.get(username=admin.username).failures_since_start == 1
    # Right after a failure the device makes one wait (django-otp's back-off).
    response = verify(client, good)
    assert response.status_code == 200 and client.get("/accounts/profile/").status_code == 302


def test_five_wrong_codes_lock_the_account(client, no_throttle):
    admin = official("440106")
    device = enrol_totp(admin)
    sign_in(client, admin.username, PASSWORD)
    for _ in range(4):
        assert verify(client, "000001").status_code == 200
    response = verify(client, "000001")
    assert response.status_code == 429 and 'data-testid="lockout"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Signing in again, even with the password and a right code, is refused now.
    assert sign_in(client, admin.username, PASSWORD).status_code == 429
    assert AuditEvent.objects.filter(action="accounts.lockout", object_id=str(admin.pk)).exists()
    assert device.throttling_failure_count == 0  # throttling was off for this test


def test_a_known_password_does_not_reset_the_count_of_wrong_codes(client, no_throttle):
    admin = official("440106")
    enrol_totp(admin)
    for _ in range(2):
        sign_in(client, admin.username, PASSWORD)
        verify(client, "000001")
        verify(client, "000001")
        client.post(url("logout"))
    assert AccessAttempt.objects.get(username=admin.username).failures_since_start == 4


def test_sign_in_with_recovery_codes_each_working_once(client, no_throttle):
    admin = official("440106")
    device = enrol_totp(admin, with_recovery_codes=True)
    first, second = device.recovery_codes[:2]

    sign_in(client, admin.username, PASSWORD)
    response = verify(client, first.upper().replace("-", " "))  # typed loosely
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200
    assert AuditEvent.objects.get(action="accounts.login_2fa").changes["method"] == "recovery_code"
    assert security.remaining_recovery_codes(admin) == 9
    client.post(url("logout"))

    sign_in(client, admin.username, PASSWORD)
    assert verify(client, first).status_code == 200  # used up
    assert verify(client, second).status_code == 302
    assert security.remaining_recovery_codes(admin) == 8


def test_recovery_codes_can_be_made_anew(client):
    admin = official("440106")
    device = enrol_totp(admin, with_recovery_codes=True)
    client.force_login(admin)
    response = client.post(url("accounts:2fa-recovery-codes-new"))
    assert response.status_code == 302
    page = client.get(url("accounts:2fa-recovery-codes")).content.decode()
    fresh = re.findall(r"([a-z2-7]{4}-[a-z2-7]{4})</li>", page)
    assert len(fresh) == 10 and not set(fresh) & set(device.recovery_codes)
    tokens = set(StaticToken.objects.filter(device__user=admin).values_list("token", flat=True))
    assert tokens == {code.replace("-", "") for code in fresh}
    assert "accounts.2fa_recovery_codes" in actions(actor=admin)


def test_login_helpers_for_tests(client):
    """force_login signs in fully; login_unverified stops at the second factor."""
    admin = official("440106")
    client.force_login(admin)
    assert client.get("/accounts/profile/").status_code == 200
    client.logout()
    login_unverified(client, admin)
    assert client.get("/accounts/profile/").url.startswith(VERIFY)
    assert client.login(username=admin.username, password=PASSWORD)
    assert client.get("/accounts/profile/").status_code == 200


# --- Reset by a security administrator ---------------------------------------------------------------
@pytest.fixture
def enrolled():
    admin = official("440106")
    enrol_totp(admin, with_recovery_codes=True)
    return admin


def test_security_admin_of_the_region_resets_the_second_factor(client, enrolled):
    security_admin = official("440000", Role.SECURITY)
    client.force_login(security_admin)
    listing = client.get(url("accounts:security-2fa"))
    assert enrolled.username in section(listing, "two-factor-accounts")
    response = client.post(url("accounts:security-2fa-reset", enrolled.pk))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=enrolled).exists()
    assert not StaticDevice.objects.filter(user=enrolled).exists()
    event = AuditEvent.objects.get(action="accounts.2fa_reset")
    assert event.actor == security_admin and event.object_id == str(enrolled.pk)
    # The account sets it up again at its next sign-in.
    client.post(url("logout"))
    sign_in(client, enrolled.username, PASSWORD)
    assert client.get("/accounts/profile/").url.startswith(SETUP)


def test_security_admin_of_another_region_cannot_reset(client, enrolled):
    client.force_login(official("510000", Role.SECURITY))
    assert enrolled.username not in section(client.get(url("accounts:security-2fa")), "two-factor-accounts")
    assert client.post(url("accounts:security-2fa-reset", enrolled.pk)).status_code == 404
    assert TOTPDevice.objects.filter(user=enrolled).exists()
    assert not AuditEvent.objects.filter(action="accounts.2fa_reset").exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR, Role.OPERATOR])
def test_other_roles_cannot_reset(client, enrolled, role):
    client.force_login(official("000000", role))
    assert client.get(url("accounts:security-2fa")).status_code == 403
    assert client.post(url("accounts:security-2fa-reset", enrolled.pk)).status_code == 403
    assert TOTPDevice.objects.filter(user=enrolled).exists()


def test_a_security_admin_does_not_reset_their_own(client):
    security_admin = official("440000", Role.SECURITY)
    client.force_login(security_admin)
    assert client.post(url("accounts:security-2fa-reset", security_admin.pk)).status_code == 403
    assert security.has_totp(security_admin)


def test_resetting_ends_the_verified_state_of_open_sessions(client, enrolled):
    client.force_login(enrolled)
    assert client.get("/accounts/profile/").status_code == 200
    security_services.reset_two_factor(enrolled, actor=official("440000", Role.SECURITY))
    assert client.get("/accounts/profile/").url.startswith(SETUP)

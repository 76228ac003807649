"""Lockout (django-axes) after repeated failures, the CAPTCHA, and unlocking by a security administrator."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt

from shegong.accounts.roles import Role
from shegong.core.models import AuditEvent
from tests.factories import PASSWORD, UserFactory, official

from .helpers import LOGIN, actions, captcha_answer, fast_hashing, section, sign_in, url  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hashing")]


def fail(client, username, times, ip="127.0.0.1"):
    for _ in range(times):
        response = sign_in(client, username, "Wrong#Passw0rd", ip=ip)
    return response


def test_correct_password_signs_in_and_is_audited(client):
    user = official("440106", Role.STAFF)
    response = sign_in(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert client.get(url("accounts:profile")).status_code == 200
    assert actions(object_id=str(user.pk)) == ["accounts.login"]


def test_five_wrong_passwords_lock_the_account_for_15_minutes(client):
    user = official("440106", Role.STAFF)
    for attempt in range(1, 5):
        response = sign_in(client, user.username, "Wrong#Passw0rd")
        assert response.status_code == 200, attempt  # the form again, with its error
    response = sign_in(client, user.username, "Wrong#Passw0rd")
    assert response.status_code == 429
    assert 'data-testid="lockout"' in response.content.decode()
    assert "<form" not in response.content.decode().split('data-testid="lockout"')[1].split("</main>")[0]

    # Even the right password is refused now, from any address, with the friendly page.
    response = sign_in(client, user.username, PASSWORD, ip="10.1.1.1")
    assert response.status_code == 429 and 'data-testid="lockout"' in response.content.decode()
    assert "_auth_user_id" not in client.session

    # The lock ends 15 minutes after the last counted failure.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))
    assert sign_in(client, user.username, PASSWORD, ip="10.1.1.1").status_code == 302

    events = actions(object_id=str(user.pk))
    assert (
        events.count("accounts.login_failed") == 6
        and events.count("accounts.lockout") == 1
        and events[-1] == "accounts.login"
    )
    refused = AuditEvent.objects.filter(action="accounts.login_failed", changes__reason="locked_out")
    assert refused.count() == 1 and refused.get().region_code == "440106"


def test_the_address_is_throttled_separately_from_the_accounts_at_its_own_limit(client, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 6
    target = official("440106", Role.STAFF)
    # One failure each for five different user names (some not even existing) from one address: below the limit.
    for name in ["alpha", "beta", "gamma", "delta", "epsilon"]:
        sign_in(client, name, "Wrong#Passw0rd", ip="10.0.0.9")
    assert sign_in(client, target.username, PASSWORD, ip="10.0.0.9").status_code == 302
    client.logout()
    sign_in(client, "zeta", "Wrong#Passw0rd", ip="10.0.0.9")  # the sixth
    response = sign_in(client, target.username, PASSWORD, ip="10.0.0.9")
    assert response.status_code == 429 and 'data-testid="address-throttled"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The account itself is not locked: from another address it signs in.
    assert sign_in(client, target.username, PASSWORD, ip="10.0.0.10").status_code == 302
    refused = AuditEvent.objects.filter(action="accounts.login_failed", changes__reason="address_throttled")
    assert refused.count() == 1


def test_one_persons_mistakes_do_not_lock_out_colleagues_behind_the_same_address(client):
    clumsy, colleague = official("440106", Role.STAFF), official("440106", Role.STAFF)
    fail(client, clumsy.username, 5, ip="10.3.3.3")  # the office's shared address
    assert sign_in(client, clumsy.username, PASSWORD, ip="10.3.3.3").status_code == 429
    assert sign_in(client, clumsy.username, PASSWORD, ip="10.3.3.4").status_code == 429  # the account, anywhere
    assert sign_in(client, colleague.username, PASSWORD, ip="10.3.3.3").status_code == 302


def test_the_default_address_limit_is_much_higher_than_the_accounts(settings):
    assert settings.SIGN_IN_ADDRESS_FAILURE_LIMIT >= 10 * settings.AXES_FAILURE_LIMIT


def test_unlocking_an_address_does_not_unlock_the_accounts_locked_from_it(client, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 8
    locked_user, colleague = official("440106", Role.STAFF), official("440106", Role.STAFF)
    fail(client, locked_user.username, 5, ip="10.4.4.4")
    fail(client, official("440106", Role.STAFF).username, 3, ip="10.4.4.4")  # another colleague's typos
    assert sign_in(client, colleague.username, PASSWORD, ip="10.4.4.4").status_code == 429  # address throttled
    client.force_login(official("440000", Role.SECURITY))
    page = client.get(url("accounts:security-lockouts"))
    assert "10.4.4.4" in section(page, "locked-addresses")
    assert client.post(url("accounts:security-unlock"), {"kind": "ip_address", "value": "10.4.4.4"}).status_code == 302
    assert locked_user.username in section(client.get(url("accounts:security-lockouts")), "locked-accounts")
    client.logout()
    assert sign_in(client, colleague.username, PASSWORD, ip="10.4.4.4").status_code == 302
    client.logout()
    assert sign_in(client, locked_user.username, PASSWORD, ip="10.4.4.4").status_code == 429
    assert sign_in(client, locked_user.username, PASSWORD, ip="10.4.4.5").status_code == 429


def test_a_captcha_is_asked_after_the_first_failure_and_is_checked(client):
    user = official("440106", Role.STAFF)
    assert 'name="captcha_0"' not in client.get(LOGIN).content.decode()
    sign_in(client, user.username, "Wrong#Passw0rd")
    page = client.get(LOGIN)
    assert 'name="captcha_0"' in page.content.decode()

    # Without the CAPTCHA (or with a wrong answer) the password is not even tried or counted.
    before = AccessAttempt.objects.get().failures_since_start
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    answer = captcha_answer(response)
    response = client.post(
        LOGIN, {"username": user.username, "password": PASSWORD, "captcha_0": answer["captcha_0"], "captcha_1": "zzzz"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get().failures_since_start == before

    # A CAPTCHA answer works once.
    answer = captcha_answer(response)
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD, **answer})
    assert response.status_code == 302


def test_a_captcha_is_asked_for_a_user_name_with_failures_from_another_address(client):
    user = official("440106", Role.STAFF)
    sign_in(client, user.username, "Wrong#Passw0rd", ip="10.2.0.1")
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.2.0.2")
    assert response.status_code == 200 and 'name="captcha_0"' in response.content.decode()
    # The helper answers it like a person would.
    assert sign_in(client, user.username, PASSWORD, ip="10.2.0.2").status_code == 302


def test_a_successful_sign_in_clears_the_user_names_failures(client):
    user = official("440106", Role.STAFF)
    fail(client, user.username, 4)
    assert sign_in(client, user.username, PASSWORD).status_code == 302
    client.logout()
    assert not AccessAttempt.objects.filter(username=user.username).exists()


# --- Unlocking ------------------------------------------------------------------------------------
@pytest.fixture
def locked(client):
    """A county official of 天河区 (广东) locked out after five failures from 10.9.9.9."""
    user = official("440106", Role.STAFF)
    fail(client, user.username, 5, ip="10.9.9.9")
    client.logout()
    return user


def test_security_admin_of_the_region_sees_and_unlocks_the_account(client, locked):
    admin = official("440000", Role.SECURITY)
    client.force_login(admin)
    page = client.get(url("accounts:security-lockouts"))
    assert page.status_code == 200 and locked.username in page.content.decode()
    assert 'data-confirm="' in page.content.decode()

    response = client.post(url("accounts:security-unlock"), {"kind": "username", "value": locked.username})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=locked.username).exists()
    event = AuditEvent.objects.get(action="accounts.unlock")
    assert event.actor == admin and event.object_id == str(locked.pk) and event.region_code == "440106"
    client.logout()
    assert sign_in(client, locked.username, PASSWORD, ip="10.9.9.9").status_code == 302


def test_security_admin_of_another_region_can_neither_see_nor_unlock(client, locked):
    client.force_login(official("510000", Role.SECURITY))  # 四川
    page = client.get(url("accounts:security-lockouts"))
    assert page.status_code == 200 and locked.username not in page.content.decode()
    response = client.post(url("accounts:security-unlock"), {"kind": "username", "value": locked.username})
    assert response.status_code == 404
    assert AccessAttempt.objects.filter(username=locked.username).exists()
    assert not AuditEvent.objects.filter(action="accounts.unlock").exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR, Role.STAFF, Role.OPERATOR])
def test_other_roles_may_not_unlock(client, locked, role):
    client.force_login(official("440000", role))
    assert client.get(url("accounts:security-lockouts")).status_code == 403
    response = client.post(url("accounts:security-unlock"), {"kind": "username", "value": locked.username})
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username=locked.username).exists()


def test_a_social_worker_may_not_unlock(client, locked):
    client.force_login(UserFactory(role=Role.WORKER, region_id=None))
    assert client.get(url("accounts:security-lockouts")).status_code == 403


def test_addresses_national_security_admin_unlocks_any(client, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 5
    for name in ["ghost-1", "ghost-2", "ghost-3", "ghost-4", "ghost-5"]:
        sign_in(client, name, "Wrong#Passw0rd", ip="10.7.7.7")
    # A province security administrator does not see an address that tried unknown accounts.
    client.force_login(official("440000", Role.SECURITY))
    assert "10.7.7.7" not in client.get(url("accounts:security-lockouts")).content.decode()
    assert client.post(url("accounts:security-unlock"), {"kind": "ip_address", "value": "10.7.7.7"}).status_code == 404
    client.force_login(official("000000", Role.SECURITY))
    page = client.get(url("accounts:security-lockouts")).content.decode()
    assert "10.7.7.7" in page
    assert client.post(url("accounts:security-unlock"), {"kind": "ip_address", "value": "10.7.7.7"}).status_code == 302
    assert "10.7.7.7" not in section(client.get(url("accounts:security-lockouts")), "locked-addresses")
    assert AuditEvent.objects.get(action="accounts.unlock").changes["ip_address"] == "10.7.7.7"


def test_province_security_admin_unlocks_an_address_that_only_tried_their_accounts(client, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 5
    locked = official("440106", Role.STAFF)
    fail(client, locked.username, 5, ip="10.9.9.9")
    client.logout()
    client.force_login(official("440000", Role.SECURITY))
    assert "10.9.9.9" in client.get(url("accounts:security-lockouts")).content.decode()
    assert client.post(url("accounts:security-unlock"), {"kind": "ip_address", "value": "10.9.9.9"}).status_code == 302
    assert "10.9.9.9" not in section(client.get(url("accounts:security-lockouts")), "locked-addresses")


def test_province_security_admin_does_not_see_an_address_that_tried_other_regions_accounts(client, settings):
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 5
    locked = official("440106", Role.STAFF)
    fail(client, locked.username, 5, ip="10.9.9.9")
    client.logout()
    client.force_login(official("510000", Role.SECURITY))
    assert "10.9.9.9" not in section(client.get(url("accounts:security-lockouts")), "locked-addresses")
    response = client.post(url("accounts:security-unlock"), {"kind": "ip_address", "value": "10.9.9.9"})
    assert response.status_code == 404


def test_locked_unknown_user_names_are_for_the_ministry(client):
    fail(client, "nobody-here", 5, ip="10.6.6.6")
    client.force_login(official("440000", Role.SECURITY))
    assert "nobody-here" not in section(client.get(url("accounts:security-lockouts")), "locked-accounts")
    client.force_login(official("000000", Role.SECURITY))
    assert "nobody-here" in section(client.get(url("accounts:security-lockouts")), "locked-accounts")
    assert client.post(url("accounts:security-unlock"), {"kind": "username", "value": "nobody-here"}).status_code == 302
    assert not AccessAttempt.objects.filter(username="nobody-here").exists()

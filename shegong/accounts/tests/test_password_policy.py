"""Password policy: complexity, no reuse of the last five, expiry for officials."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from shegong.accounts.models import PasswordHistory
from shegong.accounts.roles import Role
from shegong.accounts.services import password as services
from tests.factories import PASSWORD, UserFactory, official

from .helpers import actions, fast_hashing, url  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hashing")]

CHANGE = "/accounts/password/"


def change(client, old, new):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Sh0rt#", "too short"),
        ("alllowercase", "one class"),
        ("lowercase123", "two classes"),
        ("Has{username}#1", "contains the user name"),
    ],
)
def test_complexity_rules(password, reason):
    user = UserFactory(username="zhangsan")
    with pytest.raises(ValidationError):
        validate_password(password.format(username=user.username), user)


def test_a_good_password_passes():
    validate_password("Good#Passw0rd2026", UserFactory())


def test_changing_the_own_password_records_the_old_hash():
    user = UserFactory()
    old_hash = user.password
    services.change_own_password(user, "Next#Passw0rd1")
    assert list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)) == [old_hash]
    assert user.password_changed_at is not None and not user.must_change_password
    assert actions(action="accounts.password_change", actor=user) == ["accounts.password_change"]


def test_the_last_five_passwords_are_refused_the_sixth_is_allowed():
    user = UserFactory()
    passwords = [PASSWORD] + [f"Rotate#Passw0rd{i}" for i in range(1, 6)]
    for new in passwords[1:]:
        services.change_own_password(user, new)
    # Current password: passwords[5]; the last five are passwords[1..5].
    for recent in passwords[1:]:
        with pytest.raises(ValidationError) as refused:
            validate_password(recent, user)
        assert [error.code for error in refused.value.error_list] == ["password_reused"]
    validate_password(passwords[0], user)  # the sixth back may be used again


def test_reuse_is_refused_on_the_change_page(client):
    user = official("440106", Role.STAFF)
    client.force_login(user)
    assert change(client, PASSWORD, "Second#Passw0rd").status_code == 302
    response = change(client, "Second#Passw0rd", PASSWORD)
    assert response.status_code == 200 and "id_new_password2_error_1" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("Second#Passw0rd")


def test_an_administrators_reset_also_goes_into_the_history():
    user = UserFactory()
    old_hash = user.password
    user.set_password("Temporary#Passw0rd9")
    user.save()
    assert PasswordHistory.objects.filter(user=user, password=old_hash).exists()


def test_history_is_kept_short():
    user = UserFactory()
    for i in range(PasswordHistory.KEEP + 3):
        user.set_password(f"Rotate#Passw0rd{i}")
        user.save(update_fields=["password"])
    assert PasswordHistory.objects.filter(user=user).count() == PasswordHistory.KEEP


# --- Expiry --------------------------------------------------------------------------------------
def aged(user, days):
    user.password_changed_at = timezone.now() - timedelta(days=days)
    user.save(update_fields=["password_changed_at"])
    return user


def test_an_official_with_an_expired_password_must_change_it(client):
    user = aged(official("440106", Role.STAFF), 91)
    client.force_login(user)
    response = client.get(url("accounts:profile"))
    assert response.status_code == 302 and response["Location"] == CHANGE
    assert client.get("/api/v1/regions/").status_code == 403
    page = client.get(CHANGE)
    assert 'data-testid="password-expired"' in page.content.decode()
    assert change(client, PASSWORD, "Renewed#Passw0rd1").status_code == 302
    assert client.get(url("accounts:profile")).status_code == 200


def test_a_password_younger_than_the_limit_is_fine(client):
    client.force_login(aged(official("440106", Role.STAFF), 89))
    assert client.get(url("accounts:profile")).status_code == 200


def test_without_a_change_date_the_account_creation_counts(client):
    user = official("440106", Role.STAFF)
    user.date_joined = timezone.now() - timedelta(days=120)
    user.save(update_fields=["date_joined"])
    client.force_login(user)
    assert client.get(url("accounts:profile")).status_code == 302


def test_the_limit_is_configurable(client, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 30
    client.force_login(aged(official("440106", Role.STAFF), 31))
    assert client.get(url("accounts:profile")).status_code == 302
    settings.PASSWORD_MAX_AGE_DAYS = 0  # off
    assert client.get(url("accounts:profile")).status_code == 200


def test_passwords_of_non_officials_do_not_expire(client):
    worker = aged(UserFactory(role=Role.WORKER, region_id=None), 400)
    client.force_login(worker)
    assert client.get(url("accounts:profile")).status_code == 200


# --- officials: 12 characters and no common password in disguise (issue 20, item 8) ------------------------------


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Passw0rd!", "the tester's example: short and common"),
        ("P@ssw0rd2024!", "leetspeak and a suffix"),
        ("!!Qwerty123456", "symbols before, digits after"),
        ("Welcome1!2026", "a common word with a year"),
        ("Sh0rt#Tian1", "11 characters"),
    ],
)
def test_officials_need_twelve_characters_and_no_disguised_common_password(password, reason):
    official_account = official("440106", Role.STAFF, username="th_jbr")
    with pytest.raises(ValidationError):
        validate_password(password, official_account)


@pytest.mark.parametrize("role", [Role.WORKER, Role.ORG_ADMIN, Role.ASSOC_ADMIN])
def test_self_registered_accounts_keep_the_general_rule(role):
    validate_password("Passw0rd!", UserFactory(username="self_registered", role=role, region_id=None))


def test_a_strong_official_password_passes():
    validate_password("Sh3g0ng#Tianhe2026", official("440106", Role.ADMIN, username="th_adm"))


def _sign_in_with(client, user, password):
    from .helpers import sign_in

    user.set_password(password)  # set before the rule, as an existing account's password was
    user.must_change_password = False
    user.save()
    return sign_in(client, user.username, password)


def test_an_official_with_a_password_below_the_rule_changes_it_at_sign_in(client, settings):
    settings.LANGUAGE_CODE = "en"
    user = official("440106", Role.STAFF, username="th_old")
    response = _sign_in_with(client, user, "P@ssw0rd2024!")
    user.refresh_from_db()
    assert user.must_change_password
    assert actions(action="accounts.password_below_rule", actor=user) == ["accounts.password_below_rule"]
    page = client.get("/", follow=True)
    assert page.redirect_chain[-1][0] == CHANGE and "no longer meets the rules" in page.content.decode()
    assert response.status_code == 302
    # The new password must meet the rule; then the flag is gone.
    assert change(client, "P@ssw0rd2024!", "Welcome1!2026").status_code == 200
    assert change(client, "P@ssw0rd2024!", "Sh3g0ng#Tianhe2026").status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password


@pytest.mark.parametrize(
    ("role", "region", "password"),
    [(Role.STAFF, "440106", "Sh3g0ng#Tianhe2026"), (Role.WORKER, None, "Passw0rd!")],
)
def test_others_are_not_asked(client, role, region, password):
    user = UserFactory(username="fine", role=role, region_id=region)
    _sign_in_with(client, user, password)
    user.refresh_from_db()
    assert not user.must_change_password
    assert not actions(action="accounts.password_below_rule")

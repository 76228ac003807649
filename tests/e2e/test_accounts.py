"""Account security in the browser: the forced change of an initial password, and a lockout with its unlock."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import _new_context

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Tianhe#2026new"


def new_county_staff(username):
    """An account issued by the 天河区 admin: county read-only staff (no second factor needed)."""
    from shegong.accounts.models import User
    from shegong.accounts.roles import Role
    from shegong.accounts.services.users import create_user
    from shegong.regions.models import Region

    actor = User.objects.get(username="th_admin")
    user, password = create_user(username, "天河区经办人", Role.STAFF, Region.objects.get(code="440106"), actor=actor)
    return user, password


def sign_in(site, page, username, password):
    page.goto(f"{site.url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    captcha = page.locator("input[name=captcha_1]")
    if captcha.count():  # after a failure the form asks for the captcha (test mode accepts "passed")
        captcha.fill("passed")
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture
def captcha_test_mode(monkeypatch):
    from captcha.conf import settings as captcha_settings

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


def test_first_sign_in_is_forced_to_change_the_initial_password(site, page, check_a11y):
    _user, initial = new_county_staff("th_clerk")
    sign_in(site, page, "th_clerk", initial)

    expect(page).to_have_url(re.compile(r"/accounts/password/"))
    expect(page.get_by_role("alert")).to_contain_text("初始密码")
    check_a11y(page)

    # Nothing else opens until the password is changed.
    page.goto(f"{site.url}/regions/")
    expect(page).to_have_url(re.compile(r"/accounts/password/"))

    page.locator("input[name=old_password]").fill(initial)
    page.locator("input[name=new_password1]").fill(initial)  # the initial password cannot be kept
    page.locator("input[name=new_password2]").fill(initial)
    page.get_by_role("main").get_by_role("button", name="修改密码").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/"))
    expect(page.locator("main .invalid-feedback").first).to_be_visible()

    page.locator("input[name=old_password]").fill(initial)
    page.locator("input[name=new_password1]").fill(NEW_PASSWORD)
    page.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="修改密码").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("欢迎")

    page.goto(f"{site.url}/regions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("行政区划")


def test_five_wrong_passwords_lock_the_account_until_a_security_admin_unlocks_it(
    site, page, browser, login, check_a11y, captcha_test_mode
):
    user, initial = new_county_staff("th_locked")
    # The province's security administrator is already signed in elsewhere (the lock also covers
    # this test's network address, so signing in afterwards from it would be refused too).
    admin_context = _new_context(browser, viewport={"width": 1280, "height": 800})
    admin_page = admin_context.new_page()
    login(admin_page, "gd_security")

    for _attempt in range(5):
        sign_in(site, page, "th_locked", "Wrong#password1")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录已暂时锁定")
    check_a11y(page)

    # While locked, even the right password is refused.
    sign_in(site, page, "th_locked", initial)
    expect(page.get_by_role("heading", level=1)).to_have_text("登录已暂时锁定")

    admin_page.goto(f"{site.url}/accounts/security/lockouts/")
    expect(admin_page.get_by_role("main")).to_contain_text("th_locked")
    check_a11y(admin_page)
    admin_page.on("dialog", lambda dialog: dialog.accept())  # "Unlock ...?" confirmations
    admin_page.get_by_role("button", name=re.compile(r"解除锁定.*th_locked")).click()
    admin_page.wait_for_load_state()
    for button in admin_page.get_by_role("button", name=re.compile(r"解除锁定")).all():
        button.click()  # the network address, locked by the same failures
        admin_page.wait_for_load_state()
    expect(admin_page.get_by_role("status")).to_contain_text("已解除锁定")
    for table in admin_page.locator("main table tbody").all():
        expect(table).not_to_contain_text("th_locked")
    admin_context.close()

    sign_in(site, page, "th_locked", initial)
    expect(page).to_have_url(re.compile(r"/accounts/password/"))  # signed in; the initial password must go

    from shegong.core.models import AuditEvent

    trail = list(
        AuditEvent.objects.filter(object_id=str(user.pk)).order_by("at", "id").values_list("action", "actor_name")
    )
    actions = [action for action, _actor in trail]
    assert actions.count("accounts.login_failed") >= 5
    assert "accounts.lockout" in actions and ("accounts.unlock", "gd_security") in trail
    assert (
        actions.index("accounts.lockout") < actions.index("accounts.unlock") < len(actions) - 1
        and actions[-1] == "accounts.login"
    )

"""Administrators sign in with a second factor: enrolment on the first sign-in, then a code each time."""

import re
from base64 import b32decode

import pytest
from playwright.sync_api import expect

from . import otp

pytestmark = pytest.mark.e2e

# After a wrong code django-otp accepts the next one only a second later (doubling with each failure).
THROTTLE_MS = 1200


def sign_in_with_password(site, page, username, password=None):
    from shegong.accounts.management.commands.seed_demo import DEMO_PASSWORD

    page.goto(f"{site.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password or DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="登录").click()


def test_administrator_enrols_an_authenticator_on_first_sign_in(site, page, check_a11y):
    sign_in_with_password(site, page, "gd_admin")

    expect(page).to_have_url(re.compile(r"/accounts/2fa/setup/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("设置双因素认证")
    expect(page.get_by_role("alert")).to_contain_text("您的角色必须使用双因素认证")
    expect(page.get_by_alt_text("将本账号添加到身份验证器应用的二维码")).to_be_visible()
    check_a11y(page)

    # Nothing else opens before enrolment; the page asked for opens after it.
    page.goto(f"{site.url}/regions/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/setup/\?next=/regions/"))

    secret = page.get_by_test_id("totp-secret").inner_text()
    key = b32decode(re.sub(r"\s+", "", secret).upper())
    code_field = page.get_by_label("应用中的验证码")
    code_field.fill("000000" if otp.code_for(key) != "000000" else "111111")
    page.get_by_role("button", name="确认并完成").click()
    expect(page.locator("main")).to_contain_text("验证码不正确")
    page.wait_for_timeout(THROTTLE_MS)

    page.get_by_label("应用中的验证码").fill(otp.code_for(key))
    page.get_by_role("button", name="确认并完成").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("备用码")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    check_a11y(page)
    page.get_by_test_id("continue").click()
    expect(page).to_have_url(f"{site.url}/regions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("行政区划")


def test_enrolled_administrator_types_the_code_from_the_app(site, page, check_a11y):
    from shegong.accounts.models import User

    device = otp.enrol(User.objects.get(username="gd_admin"))
    sign_in_with_password(site, page, "gd_admin")

    expect(page).to_have_url(re.compile(r"/accounts/2fa/verify/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("双因素认证")
    check_a11y(page)

    page.get_by_label("动态验证码").fill("12345")
    page.get_by_role("button", name="验证").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/verify/"))
    expect(page.locator("main .invalid-feedback")).to_be_visible()
    page.wait_for_timeout(THROTTLE_MS)

    page.get_by_label("动态验证码").fill(otp.device_code(device))
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("欢迎，广东省民政厅管理员")


def test_county_official_signs_in_with_the_password_alone(site, page):
    """Read-only staff below the province level are not asked for a second factor."""
    from shegong.accounts.roles import Role
    from tests.factories import PASSWORD, UserFactory

    UserFactory(username="th_staff", full_name="天河区民政局工作人员", role=Role.STAFF, region_id="440106")
    sign_in_with_password(site, page, "th_staff", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("欢迎，天河区民政局工作人员")

"""The front door in the browser, at desktop and phone size: the landing page, signing up from it, and a
forgotten password reset with the code the SMS sender delivered (the locmem backend of the tests)."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import htmx_settled

pytestmark = pytest.mark.e2e

SIZES = ["page", "phone_page"]
NEW_PASSWORD = "Reset#2026Worker"


@pytest.fixture(autouse=True)
def _captcha_test_mode(monkeypatch):
    from captcha.conf import settings as captcha_settings

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


def assert_links_fit(page):
    width = page.viewport_size["width"]
    boxes = page.locator("main a:visible").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [e.textContent.trim(), r.left, r.right]; })"
    )
    outside = [text for text, left, right in boxes if left < 0 or right > width + 1]
    assert not outside, f"links outside the {width}px viewport: {outside}"


@pytest.mark.parametrize("size", SIZES)
def test_landing_page_shows_every_way_in(site, request, check_a11y, size):
    page = request.getfixturevalue(size)
    page.goto(f"{site.url}/")
    expect(page.get_by_test_id("landing")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("社会工作")
    for name in ("社会工作者注册", "机构注册", "协会注册", "登记证书查询", "忘记密码"):
        expect(page.get_by_role("main").get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_test_id("landing-sign-in")).to_be_visible()
    check_a11y(page)
    assert_links_fit(page)
    page.get_by_test_id("landing-sign-in").click()
    expect(page).to_have_url(re.compile("/accounts/login/"))
    links = page.get_by_test_id("login-links")
    for name in ("忘记密码", "社会工作者注册", "机构或协会注册", "登记证书查询"):
        expect(links.get_by_role("link", name=name)).to_be_visible()
    check_a11y(page)


@pytest.mark.parametrize("size", SIZES)
def test_worker_signs_up_from_the_landing_page(site, request, check_a11y, sms_outbox, size):
    from tests.factories import id_number_for

    page = request.getfixturevalue(size)
    phone = "13800138011" if size == "page" else "13800138012"
    page.goto(f"{site.url}/")
    page.get_by_test_id("landing-signup-worker").click()
    expect(page).to_have_url(re.compile("/workers/signup/"))
    check_a11y(page)
    page.locator("input[name=name]").fill("浏览器测试")
    page.locator("input[name=id_number]").fill(id_number_for(901 if size == "page" else 902))
    page.locator("input[name=phone]").fill(phone)
    page.locator("input[name=password1]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_PASSWORD)
    page.get_by_label("省级", exact=True).select_option(label="广东省")
    htmx_settled(page)
    page.get_by_label("地市级", exact=True).select_option(label="广州市")
    htmx_settled(page)
    page.get_by_label("区县级", exact=True).select_option(label="天河区")
    page.locator("input[name=captcha_1]").fill("PASSED")
    page.get_by_role("main").get_by_role("button", name="注册").click()
    expect(page).to_have_url(re.compile("/workers/signup/done/"))
    expect(page.get_by_test_id("signup-received")).to_have_text("已收到您的申请；结果将通过短信告知您。")
    check_a11y(page)
    assert [m.to for m in sms_outbox] == [phone] and "等待民政局核实" in sms_outbox[0].text

    # The applicant signs in and finds the pending sign-up in 我的申请.
    page.goto(f"{site.url}/accounts/login/")
    page.locator("input[name=username]").fill(phone)
    page.locator("input[name=password]").fill(NEW_PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{site.url}/workflow/mine/")
    expect(page.get_by_test_id("own-request")).to_contain_text("社会工作者注册申请")
    check_a11y(page)


@pytest.mark.parametrize("size", SIZES)
def test_forgotten_password_is_reset_with_the_sms_code(site, request, check_a11y, sms_outbox, size):
    from shegong.accounts.models import User
    from shegong.accounts.roles import Role

    page = request.getfixturevalue(size)
    phone = "13900139021" if size == "page" else "13900139022"
    with site.lock:
        user = User.objects.create_user(username=phone, phone=phone, role=Role.WORKER, password="Old#2026Password")
    page.goto(f"{site.url}/accounts/login/")
    page.get_by_test_id("login-links").get_by_role("link", name="忘记密码").click()
    expect(page).to_have_url(re.compile("/accounts/password/forgot/"))
    expect(page.get_by_test_id("officials-note")).to_contain_text("安全管理员")
    check_a11y(page)
    page.locator("input[name=username]").fill(phone)
    page.locator("input[name=captcha_1]").fill("PASSED")
    page.get_by_role("main").get_by_role("button", name="发送验证码").click()
    expect(page).to_have_url(re.compile("/accounts/password/forgot/code/"))
    expect(page.get_by_test_id("reset-sent")).to_be_visible()
    check_a11y(page)
    assert [m.to for m in sms_outbox] == [phone]
    code = re.search(r"\d{6}", sms_outbox[0].text).group(0)

    page.locator("input[name=code]").fill("000000" if code != "000000" else "111111")
    page.locator("input[name=new_password1]").fill(NEW_PASSWORD)
    page.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="确认设置新密码").click()
    expect(page.get_by_role("main")).to_contain_text("验证码错误或已过期")

    page.locator("input[name=code]").fill(code)
    page.locator("input[name=new_password1]").fill(NEW_PASSWORD)
    page.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="确认设置新密码").click()
    expect(page).to_have_url(re.compile("/accounts/login/"))
    expect(page.get_by_role("main")).to_contain_text("密码已重置")
    page.locator("input[name=username]").fill(phone)
    page.locator("input[name=password]").fill(NEW_PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    with site.lock:
        user.refresh_from_db()
        assert user.check_password(NEW_PASSWORD)

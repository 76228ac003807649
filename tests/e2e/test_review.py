"""The review engine in the browser: an organization signs up, the county administrator decides in 待办."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import htmx_settled

pytestmark = pytest.mark.e2e


def test_organization_signup_then_county_approval(site, page, login, check_a11y, monkeypatch):
    from captcha.conf import settings as captcha_settings

    from shegong.organizations.seed import make_credit_code

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    page.goto(f"{site.url}/organizations/signup/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_a11y(page)
    page.get_by_label("类型").select_option("service_organization")
    page.get_by_label("统一社会信用代码").fill(make_credit_code("52440106", "MJE00001"))
    page.get_by_label("名称").fill("天河区浏览器测试社工服务中心")
    page.get_by_label("省级", exact=True).select_option(label="广东省")
    htmx_settled(page)
    page.get_by_label("地市级", exact=True).select_option(label="广州市")
    htmx_settled(page)
    page.get_by_label("区县级", exact=True).select_option(label="天河区")
    page.get_by_label("联系人").fill("测试联系人")
    page.get_by_label("联系电话").fill("13800000001")
    page.locator("input[name=username]").fill("e2e_org")
    page.locator("input[name=password1]").fill("Xq7#mPlw2vTz")
    page.locator("input[name=password2]").fill("Xq7#mPlw2vTz")
    page.locator("input[name=captcha_1]").fill("PASSED")
    page.get_by_role("button", name=re.compile("申请|Apply")).click()
    expect(page).to_have_url(re.compile("/organizations/signup/done/"))
    check_a11y(page)

    login(page, "th_admin", next_url="/workflow/inbox/")
    expect(page.get_by_role("link", name="天河区浏览器测试社工服务中心")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="天河区浏览器测试社工服务中心").click()
    check_a11y(page)
    page.get_by_role("button", name=re.compile("退回")).click()  # no reason: refused, nothing changes
    expect(page.locator(".invalid-feedback")).to_be_visible()
    page.locator("textarea[name=opinion]").fill("材料齐全，同意。")
    page.get_by_role("button", name="通过", exact=True).click()
    expect(page).to_have_url(re.compile("/workflow/inbox/"))
    expect(page.get_by_role("link", name="天河区浏览器测试社工服务中心")).to_have_count(0)

    # The applicant sees the outcome in the notices and on the organization page.
    page.context.clear_cookies()
    login(page, "e2e_org", password="Xq7#mPlw2vTz", next_url="/workflow/notifications/")
    expect(page.locator("main li.list-group-item").first).to_contain_text("天河区浏览器测试社工服务中心")
    check_a11y(page)
    page.goto(f"{site.url}/organizations/mine/")
    expect(page.get_by_test_id("organization-status")).to_have_text("有效")
    check_a11y(page)
    page.goto(f"{site.url}/workflow/mine/")
    expect(page.get_by_role("link", name="天河区浏览器测试社工服务中心")).to_be_visible()
    check_a11y(page)

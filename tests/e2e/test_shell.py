"""The shell every user meets: sign-in, the dashboard, the menu, language, keyboard use and error pages."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_home_redirects_to_chinese_sign_in_then_dashboard(site, page, login, check_a11y):
    response = page.goto(f"{site.url}/")
    # The strict policy is in force (axe-core is injected through the DevTools protocol, which it does not block).
    assert "script-src 'self'" in response.headers["content-security-policy"]

    # Visitors get the landing page at / (issue 11: the front door); its sign-in button opens the sign-in page.
    expect(page.get_by_test_id("landing")).to_be_visible()
    page.get_by_test_id("landing-sign-in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_title(re.compile("登录 · 全国社会工作信息系统"))
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    expect(page.get_by_label("用户名")).to_be_focused()
    expect(page.get_by_label("密码")).to_be_visible()
    check_a11y(page)

    login(page, "gd_admin")

    expect(page).to_have_url(f"{site.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("欢迎，广东省民政厅管理员")
    main = page.locator("main")
    expect(main).to_contain_text("民政管理员 · 广东省 (省级)")
    expect(page.get_by_role("heading", name="本级行政区划")).to_be_visible()
    expect(main).to_contain_text("广东省")
    nav = page.get_by_role("navigation", name="主导航")
    # Grouped entries open from their dropdown; one dropdown at a time.
    expect(nav.get_by_role("link", name="行政区划")).to_be_hidden()
    nav.get_by_role("button", name="系统管理").click()
    expect(nav.get_by_role("button", name="系统管理")).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="行政区划")).to_be_visible()
    check_a11y(page)
    nav.get_by_role("button", name="我的账号").click()
    expect(nav.get_by_role("link", name="我的后台任务")).to_be_visible()
    expect(nav.get_by_role("link", name="通知")).to_be_visible()
    expect(nav.get_by_role("link", name="行政区划")).to_be_hidden()
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="我的后台任务")).to_be_hidden()
    expect(page.get_by_test_id("current-user")).to_contain_text("广东省民政厅管理员")
    expect(page.get_by_test_id("current-user")).to_contain_text("民政管理员")
    expect(nav.get_by_role("button", name="退出登录")).to_be_visible()
    check_a11y(page)


def test_sign_in_refused_with_wrong_password_in_chinese(site, page):
    page.goto(f"{site.url}/accounts/login/")
    page.get_by_label("用户名").fill("gd_admin")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("main").get_by_role("button", name="登录").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    # Django's own message, from its zh_Hans catalogue.
    expect(page.locator("main")).to_contain_text("请输入一个正确的")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")


def test_phone_menu_collapses_into_toggler(site, phone_page, login, check_a11y):
    page = phone_page
    page.goto(f"{site.url}/")
    expect(page.get_by_test_id("landing")).to_be_visible()  # visitors: the landing page (the front door)
    check_a11y(page)

    login(page, "gd_admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("欢迎，广东省民政厅管理员")
    check_a11y(page)

    toggler = page.get_by_role("button", name="展开或收起菜单")
    menu = page.locator("#main-nav")
    administration = menu.get_by_role("button", name="系统管理")
    divisions_link = menu.get_by_role("link", name="行政区划")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(administration).to_be_hidden()

    toggler.tap()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(administration).to_be_visible()
    expect(menu).to_have_class(re.compile(r"\bshow\b"))  # the collapse animation has finished
    administration.tap()
    expect(divisions_link).to_be_visible()
    check_a11y(page)

    toggler.tap()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(divisions_link).to_be_hidden()
    expect(administration).to_be_hidden()  # the collapse animation has finished

    # The same with the keyboard.
    toggler.focus()
    page.keyboard.press("Enter")
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(administration).to_be_visible()
    administration.focus()
    page.keyboard.press("Enter")
    expect(divisions_link).to_be_visible()
    divisions_link.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("行政区划")


def test_desktop_menu_needs_no_toggler(site, page, login):
    login(page, "gd_admin")
    expect(page.get_by_role("button", name="展开或收起菜单")).to_be_hidden()
    menu = page.locator("#main-nav")
    menu.get_by_role("button", name="系统管理").click()
    expect(menu.get_by_role("link", name="行政区划")).to_be_visible()
    # The whole menu stays on one line at a common laptop width.
    page.set_viewport_size({"width": 1280, "height": 800})
    heights = menu.locator(":scope > ul.navbar-nav > li").evaluate_all(
        "items => [...new Set(items.map(item => Math.round(item.getBoundingClientRect().top)))]"
    )
    assert len(heights) == 1, f"the menu wraps onto {len(heights)} lines at 1280 px"


def test_language_switch_to_english_and_back(site, page, login):
    login(page, "gd_admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("欢迎，广东省民政厅管理员")

    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()

    expect(page).to_have_url(f"{site.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, 广东省民政厅管理员")
    expect(page.get_by_test_id("current-user")).to_contain_text("Civil affairs administrator")
    english_nav = page.get_by_role("navigation", name="Main navigation")
    english_nav.get_by_role("button", name="Administration").click()
    expect(english_nav.get_by_role("link", name="Divisions")).to_be_visible()

    # The choice sticks on the next page.
    english_nav.get_by_role("link", name="Divisions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Divisions")

    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("行政区划")
    expect(page).to_have_url(re.compile(r"/regions/$"))


def test_skip_link_is_first_and_moves_focus_to_main(site, page, login):
    login(page, "gd_admin")
    skip = page.get_by_role("link", name="跳转到主要内容")
    assert skip.bounding_box()["width"] <= 1  # visually hidden until it has focus

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["width"] > 20

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_skip_link_on_the_sign_in_page(site, page):
    page.goto(f"{site.url}/accounts/login/")
    # The user name field takes the focus on arrival; in document order the skip link still comes first.
    first = page.evaluate(
        """() => [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
                .find(el => el.tabIndex >= 0 && el.type !== 'hidden' && !el.disabled).textContent.trim()"""
    )
    assert first == "跳转到主要内容"
    expect(page.get_by_label("用户名")).to_be_focused()


def test_not_found_page_is_friendly_and_chinese(site, page, login, check_a11y):
    response = page.goto(f"{site.url}/no-such-page/")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    expect(page.locator("main")).to_contain_text("超出了您的账号可查看的范围")
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()
    check_a11y(page)

    login(page, "gd_admin")
    response = page.goto(f"{site.url}/jobs/00000000-0000-4000-8000-000000000000/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    # Signed in, the page keeps the menu.
    expect(page.get_by_test_id("current-user")).to_contain_text("广东省民政厅管理员")
    page.get_by_role("link", name="返回首页").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("欢迎，广东省民政厅管理员")


def test_forbidden_page_is_friendly_and_chinese(site, page, login, check_a11y):
    # Three separate duties: the system administrator does not read the audit log.
    login(page, "gd_admin")
    response = page.goto(f"{site.url}/audit/")
    assert response.status == 403
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("您无权访问此页面")
    expect(page.locator("main")).to_contain_text("请联系本级管理员")
    expect(page.get_by_test_id("current-user")).to_contain_text("广东省民政厅管理员")
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()
    check_a11y(page)

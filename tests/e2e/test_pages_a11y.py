"""Every page of the menu, for each kind of official, opens in Chinese and passes axe-core (WCAG 2.1 AA)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# Every page the menus lead to: main entries, the entries of its dropdowns, and the personal menu.
MENU = "#main-nav a.nav-link, #main-nav a.dropdown-item"


@pytest.mark.parametrize("username", ["gd_admin", "mca_security", "mca_auditor", "th_admin"])
def test_every_menu_page_is_accessible(site, page, login, check_a11y, username):
    login(page, username)
    expect(page.get_by_role("heading", level=1)).to_contain_text("欢迎")
    check_a11y(page)
    links = page.locator(MENU)
    entries = [(links.nth(i).text_content(), links.nth(i).get_attribute("href")) for i in range(links.count())]
    assert entries, "the menu is empty"
    for label, href in entries:
        response = page.goto(f"{site.url}{href}")
        assert response.status == 200, f"{label} ({href}) answered {response.status}"
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        check_a11y(page)


def test_menu_pages_fit_a_phone_screen(site, phone_page, login, check_a11y):
    """At 390 px nothing but tables (which scroll in their own box) is wider than the screen."""
    page = phone_page
    login(page, "gd_admin")
    hrefs = page.locator(MENU).evaluate_all("links => links.map(link => link.getAttribute('href'))")
    for href in ["/", *hrefs]:
        page.goto(f"{site.url}{href}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{href} is {overflow}px wider than the phone screen"
        check_a11y(page)

"""Certificate registration in the browser: sign-up, first registration through county and province, the
e-certificate, the public check; and an application returned for revision, corrected and resubmitted."""

import io
import re

import pytest
from playwright.sync_api import expect

from .conftest import htmx_settled

pytestmark = pytest.mark.e2e

HOLDER_NAME = "欧阳𠮷明"
PASSWORD = "Xq7#mPlw2vTz"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def registry_holder(site, n, name, username=None):
    """A holder in the registry (天河区, passed this year); with ``username`` also an account with a complete profile."""
    from tests import factories

    with site.lock:
        if username is None:
            person = factories.PersonFactory(id_number=factories.id_number_for(7000 + n), region_id="440106", name=name)
            from django.utils import timezone

            factories.CertificateFactory(
                person=person,
                exam_year=timezone.localdate().year,
                issued_on=timezone.localdate().replace(day=1),
                management_no=f"E2E{n:014d}",
            )
            return person, None
        user, person, _certificate = factories.holder(7000 + n, username=username, name=name)
        return person, user


def approve_as(page, login, site, username, holder_name, opinion="同意"):
    page.context.clear_cookies()
    login(page, username, next_url="/workflow/inbox/")
    page.get_by_role("link", name=re.compile(re.escape(holder_name))).first.click()
    page.locator("textarea[name=opinion]").fill(opinion)
    page.locator("button[name=action][value=approve]").click()
    expect(page).to_have_url(re.compile("/workflow/inbox/"))


def test_holder_signs_up_applies_is_approved_downloads_and_is_found_by_the_public_check(
    site, page, login, check_a11y, monkeypatch
):
    from captcha.conf import settings as captcha_settings
    from pypdf import PdfReader

    from shegong.core import crypto
    from shegong.registration.models import Registration
    from tests.factories import jpeg_bytes

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    person, _ = registry_holder(site, 1, HOLDER_NAME)
    id_number = crypto.decrypt(person.id_encrypted)

    # Sign-up: name and ID number match the registry, so the account is linked at once.
    page.goto(f"{site.url}/workers/signup/")
    page.locator("input[name=name]").fill(HOLDER_NAME)
    page.locator("input[name=id_number]").fill(id_number)
    page.locator("input[name=phone]").fill("13712345678")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    # The county is asked of everyone (asking it only of unknown people would reveal the registry).
    page.locator("select[name=region_0]").select_option("440000")
    htmx_settled(page)
    page.locator("select[name=region_1]").select_option("440100")
    htmx_settled(page)
    page.locator("select[name=region_2]").select_option("440106")
    page.locator("input[name=captcha_1]").fill("PASSED")
    page.locator("form:has(input[name=captcha_1]) [type=submit]").click()
    expect(page).to_have_url(re.compile("/workers/signup/done/"))

    # The personal information table: every field is needed before applying.
    login(page, "13712345678", password=PASSWORD, next_url="/workers/me/edit/")
    check_a11y(page)
    page.locator("select[name=education]").select_option("bachelor")
    page.locator("select[name=employer_type]").select_option("public_institution")
    page.locator("input[name=employer_name]").fill("天河区社会工作服务站")
    page.locator("select[name=household_region_0]").select_option("440000")
    htmx_settled(page)
    page.locator("select[name=household_region_1]").select_option("440100")
    htmx_settled(page)
    page.locator("select[name=household_region_2]").select_option("440106")
    page.locator("input[name=photo]").set_input_files(
        files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    page.locator("main form [type=submit]").click()
    expect(page).to_have_url(re.compile("/workers/me/$"))

    # Apply for first registration: the checks pass, the declaration is accepted.
    page.goto(f"{site.url}/registration/")
    check_a11y(page)
    page.locator("a[href*='/registration/apply/first/']").first.click()
    expect(page.get_by_test_id("eligibility")).to_be_visible()
    check_a11y(page)
    page.locator("input[name=declaration]").check()
    page.locator("main form [type=submit]").click()
    expect(page).to_have_url(re.compile("/workflow/"))
    expect(page.get_by_test_id("application-state")).to_be_visible()
    check_a11y(page)

    # County initial review, then provincial final review.
    approve_as(page, login, site, "th_admin", HOLDER_NAME)
    approve_as(page, login, site, "gd_admin", HOLDER_NAME)

    # The holder downloads the e-certificate.
    page.context.clear_cookies()
    login(page, "13712345678", password=PASSWORD, next_url="/registration/")
    number = page.get_by_test_id("registration-number").first.inner_text().strip()
    with site.lock:
        registration = Registration.objects.get(number=number)
    assert registration.person_id == person.pk
    check_a11y(page)
    with page.expect_download() as download_info:
        page.get_by_test_id("download-certificate").first.click()
    content = open(download_info.value.path(), "rb").read()
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text().replace(" ", "").replace("\n", "")
    assert number in text and HOLDER_NAME in text and "中华人民共和国助理社会工作师登记证书" in text
    assert id_number not in text

    # Anyone checks it publicly, without signing in.
    page.context.clear_cookies()
    page.goto(f"{site.url}/registration/check/")
    check_a11y(page)
    page.locator("input[name=number]").fill(number)
    page.locator("input[name=name]").fill(HOLDER_NAME)
    page.locator("main form [type=submit]").click()
    expect(page.get_by_test_id("check-answer")).to_be_visible()
    expect(page.get_by_test_id("answer-name")).to_have_text("欧**明")
    check_a11y(page)
    page.locator("input[name=name]").fill("别人")
    page.locator("main form [type=submit]").click()
    expect(page.get_by_test_id("check-none")).to_be_visible()


def test_returned_application_is_corrected_and_resubmitted(site, page, login, check_a11y):
    from shegong.core.models import Application
    from tests.factories import PASSWORD as HOLDER_PASSWORD

    _person, user = registry_holder(site, 2, "返工测试", username="e2e_holder")
    login(page, "e2e_holder", password=HOLDER_PASSWORD, next_url="/registration/")
    page.locator("a[href*='/registration/apply/first/']").first.click()
    page.locator("input[name=declaration]").check()
    page.locator("main form [type=submit]").click()
    expect(page).to_have_url(re.compile("/workflow/"))

    # The county returns it with a reason.
    page.context.clear_cookies()
    login(page, "th_admin", next_url="/workflow/inbox/")
    page.get_by_role("link", name=re.compile("返工测试")).first.click()
    page.locator("textarea[name=opinion]").fill("请将工作单位填写完整")
    page.locator("button[name=action][value=return]").click()
    expect(page).to_have_url(re.compile("/workflow/inbox/"))

    # The holder reads why, corrects the information and resubmits.
    page.context.clear_cookies()
    login(page, "e2e_holder", password=HOLDER_PASSWORD, next_url="/workflow/notifications/")
    expect(page.locator("main")).to_contain_text("请将工作单位填写完整")
    page.goto(f"{site.url}/workers/me/edit/")
    page.locator("input[name=employer_name]").fill("广州市天河区社会工作服务站")
    page.locator("main form [type=submit]").click()
    expect(page).to_have_url(re.compile("/workers/me/$"))
    page.goto(f"{site.url}/workflow/mine/")
    page.get_by_role("link", name=re.compile("返工测试")).first.click()
    expect(page.get_by_test_id("registration-progress")).to_be_visible()
    page.locator("a[href*='/registration/requests/']").first.click()
    check_a11y(page)
    page.locator("input[name=declaration]").check()
    page.locator("button[name=resubmit]").click()
    expect(page).to_have_url(re.compile("/workflow/"))
    with site.lock:
        application = Application.objects.get(applicant=user)
        assert application.state == "pending" and application.current_step == "initial"
        assert application.data["employer"] == "广州市天河区社会工作服务站"
        assert [d.action for d in application.decisions.order_by("at", "id")] == ["submit", "return", "resubmit"]

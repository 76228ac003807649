"""Continuing education in the browser: a provider records attendance and the worker's hours go up; a
declaration is returned, corrected, resubmitted and approved.

Labels are matched in Chinese or English (the Chinese catalogue of this module may lag behind)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def credited_hours(username):
    from shegong.education import queries as S
    from shegong.workers.models import Person

    return S.progress(Person.objects.get(account__username=username)).credited


def test_provider_records_attendance_and_the_workers_progress_updates(site, page, login, check_a11y):
    from django.utils import timezone

    from shegong.education.models import Activity, Enrolment, Provider
    from shegong.workers.models import Person

    with site.lock:
        provider = Provider.objects.get(memberships__user__username="provider_demo")
        now = timezone.now()
        activity = Activity.objects.create(
            provider=provider,
            title="浏览器测试：社区社会工作实务",
            kind="course",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=3),
            place="广州市天河区",
            hours=Decimal("6"),
            capacity=30,
            sign_in_code="808080",
        )
        before = credited_hours("worker_demo")

    # The worker finds the course and enrols.
    login(page, "worker_demo", next_url="/education/activities/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="浏览器测试：社区社会工作实务").click()
    page.get_by_role("button", name=re.compile("^(Enrol|报名)$")).click()
    expect(page.get_by_test_id("enrolment-status")).to_be_visible()
    check_a11y(page)
    with site.lock:
        assert Enrolment.objects.filter(activity=activity, person__account__username="worker_demo").exists()

    # The provider ticks the worker as attended (5.5 of the 6 hours) on the attendance page.
    page.context.clear_cookies()
    login(page, "provider_demo", next_url=f"/education/activities/{activity.pk}/attendance/")
    expect(page.get_by_test_id("sign-in-code")).to_have_text("808080")
    check_a11y(page)
    with site.lock:
        person = Person.objects.get(account__username="worker_demo")
        enrolment = Enrolment.objects.get(activity=activity, person=person)
    page.locator(f"input[name=attended][value='{enrolment.pk}']").check()
    page.locator(f"input[name=hours_{enrolment.pk}]").fill("5.5")
    page.get_by_role("button", name=re.compile("Record attendance|记录出勤|记录签到")).click()
    expect(page.get_by_test_id("attendance-table")).to_contain_text("5.5")
    check_a11y(page)

    # The worker's progress shows the new hours at once.
    page.context.clear_cookies()
    login(page, "worker_demo", next_url="/education/me/")
    expected = before + Decimal("5.5")
    text = f"{expected.normalize():f}" if expected != expected.to_integral_value() else str(int(expected))
    expect(page.get_by_test_id("progress-text")).to_contain_text(text)
    expect(page.get_by_test_id("ledger")).to_contain_text("浏览器测试：社区社会工作实务")
    check_a11y(page)
    page.goto(f"{site.url}/")
    expect(page.get_by_test_id("panel-credited")).to_have_text(text)
    with site.lock:
        assert credited_hours("worker_demo") == expected


def test_declaration_is_returned_corrected_and_approved(site, page, login, check_a11y, settings, tmp_path):
    from shegong.education.models import Declaration, StudyRecord

    settings.MEDIA_ROOT = tmp_path / "media"
    with site.lock:
        before = credited_hours("worker_demo")

    # The worker declares 8 hours of training elsewhere, with a certificate.
    login(page, "worker_demo", next_url="/education/declarations/new/")
    check_a11y(page)
    page.locator("select[name=form]").select_option("authority_training")
    page.locator("input[name=title]").fill("省民政厅社会工作督导培训班")
    page.locator("input[name=organizer]").fill("广东省民政厅")
    from django.utils import timezone

    page.locator("input[name=occurred_on]").fill(f"{timezone.localdate() - timedelta(days=3):%Y-%m-%d}")
    page.locator("input[name=hours_claimed]").fill("8")
    page.locator("input[name=files]").set_input_files(
        [{"name": "结业证书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% certificate\n"}]
    )
    page.get_by_role("button", name=re.compile("Submit for review|提交审核|提交")).click()
    expect(page).to_have_url(re.compile(r"/workflow/applications/"))
    expect(page.get_by_test_id("declaration-title")).to_have_text("省民政厅社会工作督导培训班")
    check_a11y(page)
    with site.lock:
        declaration = Declaration.objects.get(title="省民政厅社会工作督导培训班")
    application_url = f"/workflow/applications/{declaration.application_id}/"

    # The county returns it: the certificate shows 6 hours, not 8.
    page.context.clear_cookies()
    login(page, "th_admin", next_url="/workflow/inbox/")
    page.get_by_role("link", name=re.compile("省民政厅社会工作督导培训班")).click()
    expect(page.get_by_test_id("expected-credit")).to_be_visible()
    check_a11y(page)
    page.locator("textarea[name=opinion]").fill("结业证书载明学时为6学时，请更正。")
    page.get_by_role("button", name=re.compile("退回")).click()
    expect(page).to_have_url(re.compile("/workflow/inbox/"))

    # The worker corrects the hours and resubmits.
    page.context.clear_cookies()
    login(page, "worker_demo", next_url=f"/education/declarations/{declaration.pk}/edit/")
    expect(page.get_by_test_id("returned-reason")).to_contain_text("结业证书载明学时为6学时")
    check_a11y(page)
    page.locator("input[name=hours_claimed]").fill("6")
    page.get_by_role("button", name=re.compile("Save and resubmit|保存并重新提交")).click()
    expect(page).to_have_url(re.compile(application_url))
    expect(page.get_by_test_id("hours-claimed")).to_have_text("6")

    # The county approves; the ledger has the 6 hours.
    page.context.clear_cookies()
    login(page, "th_admin", next_url=application_url)
    page.locator("textarea[name=opinion]").fill("同意。")
    page.get_by_role("button", name="通过", exact=True).click()
    expect(page).to_have_url(re.compile("/workflow/inbox/"))
    with site.lock:
        record = StudyRecord.objects.get(declaration=declaration)
        assert record.hours_credited == Decimal("6") and credited_hours("worker_demo") == before + 6

    page.context.clear_cookies()
    login(page, "worker_demo", next_url="/education/me/")
    expect(page.get_by_test_id("ledger")).to_contain_text("省民政厅社会工作督导培训班")
    check_a11y(page)

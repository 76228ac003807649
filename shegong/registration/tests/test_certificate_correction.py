"""Correcting a certificate (issue 11 item 6): an audited change, a confirm step when the new date makes the
holder ineligible, and the 12-month message that says what it counts from."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.accounts.roles import Role
from shegong.core.models import AuditEvent
from shegong.registration import eligibility
from shegong.workers.models import Certificate
from tests.factories import holder, official

from .helpers import registered

pytestmark = pytest.mark.django_db


def url(certificate):
    return reverse("workers:certificate-correct", args=[certificate.pk])


@pytest.fixture
def admin():
    return official("440106", username="th_admin")


@pytest.fixture
def fresh():
    """A holder who passed recently and has not registered: still within the first-registration limit."""
    today = timezone.localdate()
    exam_year = (today - timedelta(days=600)).year
    _user, _person, certificate = holder(1, exam_year=exam_year, issued_on=today - timedelta(days=30))
    return certificate


def test_person_page_links_to_the_correction_for_administrators_only(client, admin, fresh):
    person_page = reverse("workers:person-detail", args=[fresh.person_id])
    client.force_login(admin)
    assert url(fresh) in client.get(person_page).content.decode()
    client.force_login(official("440106", Role.STAFF, username="th_staff"))
    assert url(fresh) not in client.get(person_page).content.decode()


def test_level_correction_is_saved_and_audited_with_words_in_the_history(client, admin, fresh):
    client.force_login(admin)
    response = client.post(
        url(fresh), {"level": "intermediate", "issued_on": f"{fresh.issued_on:%Y-%m-%d}", "reason": "核对证书原件"}
    )
    assert response.status_code == 302
    fresh.refresh_from_db()
    assert fresh.level == "intermediate"
    event = AuditEvent.objects.get(action="workers.certificate_correct")
    assert event.actor == admin and event.changes["level"] == ["assistant", "intermediate"]
    assert event.changes["reason"] == "核对证书原件"
    page = client.get(reverse("workers:person-detail", args=[fresh.person_id])).content.decode()
    assert "Assistant social worker → Social worker" in page or "助理社会工作师 → 社会工作师" in page
    assert "assistant → intermediate" not in page


def test_a_date_that_makes_the_holder_ineligible_asks_to_confirm_before_saving(client, admin, fresh):
    client.force_login(admin)
    old_date = fresh.issued_on
    late = timezone.localdate() - timedelta(days=500)
    values = {"level": fresh.level, "issued_on": f"{late:%Y-%m-%d}", "reason": "原录入日期有误"}
    first = client.post(url(fresh), values)
    html = first.content.decode()
    assert first.status_code == 200 and 'data-testid="correction-warnings"' in html
    assert "can no longer apply for first registration" in html
    assert f"counted from {late:%Y-%m-%d}, the certificate&#x27;s date of issue" in html
    assert Certificate.objects.get(pk=fresh.pk).issued_on == old_date  # nothing saved yet
    assert not AuditEvent.objects.filter(action="workers.certificate_correct").exists()
    assert 'name="confirmed" value="True"' in html  # the confirm step carries the same values
    confirmed = client.post(url(fresh), {**values, "confirmed": "True"})
    assert confirmed.status_code == 302
    assert Certificate.objects.get(pk=fresh.pk).issued_on == late
    assert AuditEvent.objects.get(action="workers.certificate_correct").changes["issued_on"] == [
        f"{old_date:%Y-%m-%d}",
        f"{late:%Y-%m-%d}",
    ]


def test_a_harmless_date_saves_without_a_confirm_step(client, admin, fresh):
    client.force_login(admin)
    day = fresh.issued_on - timedelta(days=3)
    response = client.post(url(fresh), {"level": fresh.level, "issued_on": f"{day:%Y-%m-%d}", "reason": "核对"})
    assert response.status_code == 302 and Certificate.objects.get(pk=fresh.pk).issued_on == day


def test_a_date_after_the_first_registration_is_warned(admin):
    _user, _person, certificate = holder(2, issued_on=date(2019, 6, 1), exam_year=2019)
    registration = registered(certificate)
    warnings = eligibility.correction_warnings(
        certificate, level=certificate.level, issued_on=registration.valid_from + timedelta(days=10)
    )
    assert any("after its first registration" in text for text in warnings)


def test_refusals(client, admin, fresh):
    values = {"level": fresh.level, "issued_on": f"{fresh.issued_on:%Y-%m-%d}", "reason": "x"}
    client.force_login(official("440106", Role.STAFF, username="th_staff"))  # read-only staff
    assert client.post(url(fresh), values).status_code == 403
    client.force_login(official("440105", username="hz_admin"))  # another county
    assert client.get(url(fresh)).status_code == 404
    client.force_login(admin)
    missing_reason = client.post(url(fresh), {**values, "level": "senior", "reason": ""})
    assert missing_reason.status_code == 400
    future = timezone.localdate() + timedelta(days=5)
    assert client.post(url(fresh), {**values, "issued_on": f"{future:%Y-%m-%d}"}).status_code == 400
    unchanged = client.post(url(fresh), values)
    assert unchanged.status_code == 400 and "Nothing to correct" in unchanged.content.decode()
    assert not AuditEvent.objects.filter(action="workers.certificate_correct").exists()


def test_the_holder_cannot_correct_own_certificate(client):
    user, _person, certificate = holder(3)
    client.force_login(user)
    assert client.get(url(certificate)).status_code == 403


def test_twelve_month_message_says_what_it_counts_from():
    today = timezone.localdate()
    _u, _p, issued = holder(4, exam_year=today.year - 3, issued_on=date(today.year - 3, 5, 20))
    _u, _p, unknown = holder(5, exam_year=today.year - 3)
    Certificate.objects.filter(pk=unknown.pk).update(issued_on=None)
    unknown.refresh_from_db()
    issued_text = eligibility.first_deadline_message(issued, date(today.year - 2, 5, 20))
    assert f"counted from {today.year - 3}-05-20, the certificate's date of issue" in issued_text
    unknown_text = eligibility.first_deadline_message(unknown, date(today.year - 2, 12, 31))
    assert f"counted from {today.year - 3}-12-31, 31 December of the exam year" in unknown_text
    assert "date of issue is not recorded" in unknown_text

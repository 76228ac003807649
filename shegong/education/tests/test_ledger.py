"""The ledger, periods, province rules, standings and the re-registration hours check."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from shegong.core.models import AuditEvent
from shegong.education import queries as S
from shegong.education.models import Conversion, FormRule, Source, StudyForm, StudyRecord, StudyStanding
from shegong.education.rules import Rule
from shegong.education.services import ledger
from shegong.education.services import policy as services_policy
from tests.factories import CertificateFactory, PersonFactory, official

pytestmark = pytest.mark.django_db


def D(value):
    return Decimal(str(value))


def person_with(level="intermediate", issued_on=date(2024, 12, 1), region="440106", **kwargs):
    person = PersonFactory(region_id=region, **kwargs)
    CertificateFactory(person=person, level=level, exam_year=issued_on.year, issued_on=issued_on)
    return person


def credit(person, form=StudyForm.TRAINING, hours=10, on=date(2025, 6, 1), **kwargs):
    return ledger.credit(
        person, form=form, source=Source.DECLARATION, hours_claimed=hours, occurred_on=on, title="测试", **kwargs
    )


# --- periods -----------------------------------------------------------------------------------------
def test_period_from_the_certificate_until_a_registration_exists():
    person = person_with(issued_on=date(2018, 12, 1))
    period = S.period_for(person, date(2026, 11, 26))
    assert (period.start, period.end, period.source) == (date(2024, 12, 1), date(2027, 11, 30), "certificate")
    # The boundaries: the first and last days belong to the period, the day after to the next one.
    assert S.period_for(person, date(2024, 12, 1)).start == date(2024, 12, 1)
    assert S.period_for(person, date(2027, 11, 30)).end == date(2027, 11, 30)
    assert S.period_for(person, date(2027, 12, 1)).start == date(2027, 12, 1)
    assert S.period_for(person, date(2024, 11, 30)).end == date(2024, 11, 30)


def test_latest_certificate_and_unknown_issue_date():
    person = person_with(level="assistant", issued_on=date(2016, 12, 1))
    CertificateFactory(person=person, level="intermediate", exam_year=2022, issued_on=None)
    # Issue date unknown: 1 January after the exam year.
    assert S.period_for(person, date(2023, 5, 1)).start == date(2023, 1, 1)
    assert S.level_of(person) == "intermediate"


def test_no_certificate_no_period():
    person = PersonFactory()
    assert S.current_period(person) is None
    check = S.reregistration_hours_check(person)
    assert not check.ok and "No qualification certificate" in check.reason


def test_registration_periods_take_precedence_and_continue(monkeypatch):
    person = person_with(issued_on=date(2018, 12, 1))
    registrations = [(date(2019, 3, 1), date(2022, 2, 28), 7)]
    in_registration = S.period_for(person, date(2020, 1, 1), registrations=registrations)
    assert (in_registration.start, in_registration.end, in_registration.source) == (
        date(2019, 3, 1),
        date(2022, 2, 28),
        "registration",
    )
    assert in_registration.registration_id == 7
    after = S.period_for(person, date(2023, 1, 1), registrations=registrations)
    assert (after.start, after.end, after.source) == (date(2022, 3, 1), date(2025, 2, 28), "after_registration")
    before = S.period_for(person, date(2018, 6, 1), registrations=registrations)
    assert (before.start, before.end) == (date(2016, 3, 1), date(2019, 2, 28))
    # A gap between two registrations ends where the next one starts.
    two = registrations + [(date(2024, 1, 1), date(2026, 12, 31), 8)]
    gap = S.period_for(person, date(2023, 6, 1), registrations=two)
    assert (gap.start, gap.end) == (date(2022, 3, 1), date(2023, 12, 31))
    # current_period asks the registration app through registrations_of.
    monkeypatch.setattr(S, "registrations_of", lambda p: [(date(2025, 1, 1), date(2027, 12, 31), 9)])
    assert S.current_period(person, date(2026, 1, 1)).start == date(2025, 1, 1)


# --- crediting -----------------------------------------------------------------------------------------
def test_credit_writes_one_row_and_audits():
    person = person_with()
    row = credit(person, hours=12)
    assert row.hours_claimed == D(12) and row.hours_credited == D(12) and row.source == Source.DECLARATION
    assert "12 of 12 hours credited" in row.decision
    event = AuditEvent.objects.get(action="education.credit")
    assert event.region_code == "440106" and event.changes["credited"] == "12.0"


def test_hours_out_of_range_refused():
    person = person_with()
    with pytest.raises(ValidationError):
        credit(person, hours=-1)
    with pytest.raises(ValidationError):
        credit(person, hours=1000)


def test_degree_once_across_periods():
    person = person_with(issued_on=date(2018, 12, 1))
    first = credit(person, form=StudyForm.DEGREE, hours=0, on=date(2020, 7, 1))
    assert first.hours_credited == D(90)
    second = credit(person, form=StudyForm.DEGREE, hours=90, on=date(2025, 7, 1))
    assert second.hours_credited == 0 and "only once" in second.decision


def test_period_cap_applies_within_a_period_only():
    gd = official("440000")
    services_policy.save_policy(
        gd.region,
        actor=gd,
        required={"assistant": 72, "intermediate": 90, "senior": 90},
        rules={StudyForm.ONLINE: Rule(StudyForm.ONLINE, period_cap=D(30))},
    )
    person = person_with(issued_on=date(2018, 12, 1))
    assert credit(person, form=StudyForm.ONLINE, hours=20, on=date(2025, 1, 10)).hours_credited == D(20)
    assert credit(person, form=StudyForm.ONLINE, hours=20, on=date(2025, 2, 10)).hours_credited == D(10)
    assert credit(person, form=StudyForm.ONLINE, hours=20, on=date(2025, 3, 10)).hours_credited == 0
    # The last day of the previous period counts toward the previous period's cap, not this one's.
    assert credit(person, form=StudyForm.ONLINE, hours=20, on=date(2024, 11, 30)).hours_credited == D(20)
    # Other forms are not capped by it.
    assert credit(person, form=StudyForm.TRAINING, hours=20, on=date(2025, 3, 10)).hours_credited == D(20)


def test_rules_follow_the_persons_province():
    gd = official("440000")
    services_policy.save_policy(
        gd.region,
        actor=gd,
        required={"assistant": 60, "intermediate": 80, "senior": 100},
        rules={
            StudyForm.PAPER: Rule(StudyForm.PAPER, conversion=Conversion.FIXED, value=D(80)),
            StudyForm.SUPERVISION_GIVEN: Rule(
                StudyForm.SUPERVISION_GIVEN, conversion=Conversion.RATE, value=D(2), record_cap=D(10)
            ),
        },
    )
    guangdong = person_with(region="440106")
    sichuan = person_with(region="510107")
    assert credit(guangdong, form=StudyForm.PAPER, hours=1).hours_credited == D(80)
    assert credit(sichuan, form=StudyForm.PAPER, hours=1).hours_credited == D(60)  # national default
    assert credit(guangdong, form=StudyForm.SUPERVISION_GIVEN, hours=4).hours_credited == D(8)
    assert credit(guangdong, form=StudyForm.SUPERVISION_GIVEN, hours=7).hours_credited == D(10)
    assert S.policy_for(guangdong).required_for("senior") == D(100)
    assert S.policy_for(sichuan).required_for("senior") == D(90)


def test_duplicate_activity_row_refused():
    from tests.factories import ActivityFactory

    person = person_with()
    activity = ActivityFactory()
    credit(person, activity=activity, provider=activity.provider)
    with pytest.raises(ValidationError, match="already in this person's ledger"):
        credit(person, activity=activity, provider=activity.provider)
    assert StudyRecord.objects.filter(person=person, activity=activity).count() == 1


def test_totals_per_period_and_year():
    person = person_with(issued_on=date(2018, 12, 1))
    credit(person, hours=10, on=date(2024, 11, 30))
    credit(person, hours=20, on=date(2024, 12, 1))
    credit(person, hours=5, on=date(2025, 3, 1))
    period = S.period_for(person, date(2025, 1, 1))
    assert S.credited_in(person, period) == D(25)
    assert S.totals_by_year(person) == [(2025, D(5)), (2024, D(30))]


# --- policy ---------------------------------------------------------------------------------------------
def test_policy_changes_by_province_admins_only():
    from django.core.exceptions import PermissionDenied

    from shegong.regions.models import Region

    guangdong = Region.objects.get(code="440000")
    for refused in (official("440106"), official("510000"), official("440000", role="staff")):
        with pytest.raises(PermissionDenied):
            services_policy.save_policy(
                guangdong, actor=refused, required={"assistant": 1, "intermediate": 1, "senior": 1}
            )
    national = official("000000", username="mca")
    services_policy.save_policy(guangdong, actor=national, required={"assistant": 70, "intermediate": 90, "senior": 90})
    assert S.policy_for_province("440000").required_for("assistant") == D(70)
    event = AuditEvent.objects.get(action="education.policy_change")
    assert event.changes["required_assistant"] == ["72", "70.0"]


def test_fixed_or_rate_needs_a_value():
    gd = official("440000")
    with pytest.raises(ValidationError):
        services_policy.save_policy(
            gd.region,
            actor=gd,
            required={"assistant": 72, "intermediate": 90, "senior": 90},
            rules={StudyForm.PAPER: Rule(StudyForm.PAPER, conversion=Conversion.FIXED, value=None)},
        )
    assert not FormRule.objects.exists()


# --- the re-registration check -----------------------------------------------------------------------
def test_reregistration_check_short_then_met():
    person = person_with(level="intermediate", issued_on=date(2018, 12, 1))
    registration = SimpleNamespace(pk=3, valid_from=date(2023, 1, 1), valid_to=date(2025, 12, 31), certificate=None)
    credit(person, hours=40, on=date(2024, 5, 1))
    credit(person, hours=30, on=date(2022, 12, 31))  # before the registration: does not count
    check = S.reregistration_hours_check(person, registration)
    assert not check.ok and not bool(check)
    assert check.required == D(90) and check.credited == D(40)
    assert check.reason == (
        "Not enough continuing-education hours in this registration period (2023-01-01 to 2025-12-31): "
        "40 hours credited, 90 hours required."
    )
    credit(person, hours=50, on=date(2025, 12, 31))  # the last day of the period counts
    check = S.reregistration_hours_check(person, registration)
    assert check.ok and check.credited == D(90) and check.reason == ""


def test_reregistration_check_uses_the_level_and_province():
    person = person_with(level="assistant", issued_on=date(2024, 12, 1))
    credit(person, hours=72, on=date(2025, 6, 1))
    assert S.reregistration_hours_check(person).ok  # 72 for an assistant
    senior_registration = SimpleNamespace(
        pk=1, valid_from=date(2024, 12, 1), valid_to=date(2027, 11, 30), certificate=SimpleNamespace(level="senior")
    )
    check = S.reregistration_hours_check(person, senior_registration)
    assert not check.ok and check.required == D(90)


def test_reregistration_reason_is_translated():
    from django.utils import translation

    person = person_with(level="intermediate")
    with translation.override("zh-hans"):
        reason = S.reregistration_hours_check(person).reason
    assert reason  # the catalogue may not have it yet; the text is never empty


# --- standings ---------------------------------------------------------------------------------------
def test_standing_follows_every_credit():
    person = person_with(issued_on=date(2024, 12, 1))
    ledger.refresh_standing(person, today=date(2026, 11, 26))
    standing = StudyStanding.objects.get(person=person)
    assert standing.credited == 0 and standing.required == D(90) and standing.region_id == "440106"
    assert standing.status(date(2025, 6, 1)) == "on_track" and standing.status(date(2026, 11, 26)) == "short"
    credit(person, hours=35, on=date(2025, 6, 1))
    standing.refresh_from_db()
    assert standing.credited == D(35) and standing.track_until == date(2026, 11, 30)
    credit(person, hours=55, on=date(2025, 7, 1))
    standing.refresh_from_db()
    assert standing.credited == D(90) and standing.status(date(2026, 11, 26)) == "complete"


def test_bulk_refresh_matches_one_by_one():
    people = [person_with(issued_on=date(2024, 12, 1)) for _ in range(3)] + [PersonFactory()]
    credit(people[0], hours=50, on=date(2025, 1, 1))
    credit(people[1], hours=95, on=date(2025, 1, 1))
    credit(people[1], hours=10, on=date(2020, 1, 1))  # an earlier period
    StudyStanding.objects.all().delete()
    written = ledger.refresh_standings(chunk_size=2)
    assert written >= 3
    by_person = {s.person_id: s for s in StudyStanding.objects.filter(person__in=people)}
    assert people[3].pk not in by_person  # no certificate, no requirement
    assert by_person[people[0].pk].credited == D(50) and by_person[people[1].pk].credited == D(95)
    assert by_person[people[2].pk].credited == 0
    for person in people[:3]:
        bulk = by_person[person.pk]
        single = ledger.refresh_standing(person)
        assert (bulk.period_start, bulk.period_end, bulk.required, bulk.credited, bulk.track_until) == (
            single.period_start,
            single.period_end,
            single.required,
            single.credited,
            single.track_until,
        )


# --- following changes made elsewhere ----------------------------------------------------------------
def test_standing_follows_a_new_certificate_and_a_move(django_capture_on_commit_callbacks):
    from shegong.workers import services as worker_services

    person = PersonFactory(region_id="440106")
    assert not StudyStanding.objects.filter(person=person).exists()
    with django_capture_on_commit_callbacks(execute=True):
        worker_services.add_certificate(
            person,
            actor=None,
            level="assistant",
            management_no="2024440106000001",
            exam_year=2024,
            issued_on=date(2024, 12, 1),
        )
    standing = StudyStanding.objects.get(person=person)
    assert standing.level == "assistant" and standing.required == D(72)
    with django_capture_on_commit_callbacks(execute=True):
        worker_services.update_person(person, actor=official("440100"), region="440104", reason="工作调动")
    standing.refresh_from_db()
    assert standing.region_id == "440104"


def test_standing_stores_every_kind_of_period(monkeypatch):
    person = person_with(issued_on=date(2018, 12, 1))
    for registrations, source in (
        ([(date(2025, 1, 1), date(2027, 12, 31), 1)], "registration"),
        ([(date(2020, 1, 1), date(2022, 12, 31), 1)], "after_registration"),
        ([(date(2027, 1, 1), date(2029, 12, 31), 1)], "before_registration"),
        ([], "certificate"),
    ):
        monkeypatch.setattr(S, "registrations_of", lambda p, rows=registrations: rows)
        ledger.refresh_standing(person, today=date(2026, 6, 1))
        assert StudyStanding.objects.get(person=person).period_source == source

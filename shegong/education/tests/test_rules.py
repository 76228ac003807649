"""The conversion rules and periods as pure functions (no database)."""

from datetime import date
from decimal import Decimal

from shegong.education import rules as R
from shegong.education.models import Conversion, StudyForm
from shegong.education.queries import Period, add_years, cycle_containing
from shegong.education.services.ledger import track_until


def D(value):
    return Decimal(str(value))


def test_national_defaults():
    assert R.DEFAULT_REQUIRED == {"assistant": D(72), "intermediate": D(90), "senior": D(90)}
    degree = R.DEFAULT_RULES[StudyForm.DEGREE]
    assert degree.conversion == Conversion.FIXED and degree.value == D(90) and degree.once
    for form in (StudyForm.TRAINING, StudyForm.DEGREE_COURSES, StudyForm.ONLINE, StudyForm.CONFERENCE):
        rule = R.DEFAULT_RULES[form]
        assert rule.conversion == Conversion.ACTUAL and rule.record_cap is None and rule.period_cap is None


def test_training_counts_actual_hours():
    credit = R.apply_rule(R.DEFAULT_RULES[StudyForm.TRAINING], D("12.5"))
    assert credit.credited == D("12.5") and "actual hours" in credit.explanation


def test_degree_counts_90_once():
    rule = R.DEFAULT_RULES[StudyForm.DEGREE]
    assert R.apply_rule(rule, D(300)).credited == D(90)
    second = R.apply_rule(rule, D(90), already_once=True)
    assert second.credited == 0 and "only once" in second.explanation


def test_degree_courses_count_their_hours():
    assert R.apply_rule(R.DEFAULT_RULES[StudyForm.DEGREE_COURSES], D(54)).credited == D(54)


def test_fixed_hours_per_item_ignore_the_claim():
    rule = R.Rule(StudyForm.PAPER, conversion=Conversion.FIXED, value=D(80))
    assert R.apply_rule(rule, D(5)).credited == D(80)


def test_rate_multiplies_and_rounds_to_a_tenth():
    rule = R.Rule(StudyForm.SUPERVISION_GIVEN, conversion=Conversion.RATE, value=D("1.5"))
    credit = R.apply_rule(rule, D("3.3"))
    assert credit.credited == D("5.0")  # 4.95 rounds half up
    assert "× 1.5" in credit.explanation


def test_per_item_cap():
    rule = R.Rule(StudyForm.CONFERENCE, record_cap=D(8))
    credit = R.apply_rule(rule, D(20))
    assert credit.credited == D(8) and "at most 8 hours per item" in credit.explanation
    assert R.apply_rule(rule, D(8)).credited == D(8)  # the cap itself is allowed


def test_per_period_cap_counts_what_is_already_credited():
    rule = R.Rule(StudyForm.ONLINE, period_cap=D(30))
    assert R.apply_rule(rule, D(20), used_in_period=D(0)).credited == D(20)
    partial = R.apply_rule(rule, D(20), used_in_period=D(20))
    assert partial.credited == D(10) and "per registration period" in partial.explanation
    assert R.apply_rule(rule, D(5), used_in_period=D(30)).credited == 0
    assert R.apply_rule(rule, D(5), used_in_period=D(45)).credited == 0  # never negative


def test_item_cap_then_period_cap():
    rule = R.Rule(StudyForm.PAPER, conversion=Conversion.FIXED, value=D(80), record_cap=D(60), period_cap=D(100))
    credit = R.apply_rule(rule, D(1), used_in_period=D(60))
    assert credit.converted == D(60) and credit.credited == D(40)


def test_form_not_recognised_credits_nothing():
    credit = R.apply_rule(R.Rule(StudyForm.OTHER, accepted=False), D(10))
    assert credit.credited == 0 and "not recognised" in credit.explanation


def test_hours_and_levels():
    assert R.format_hours(D("40.0")) == "40" and R.format_hours(D("12.5")) == "12.5" and R.format_hours(None) == "0"
    assert R.highest_level(["assistant", "senior", "intermediate"]) == "senior"
    assert R.highest_level(["assistant"]) == "assistant" and R.highest_level([]) is None


def test_add_years_keeps_leap_day_sensible():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2021, 3, 1), -3) == date(2018, 3, 1)


def test_cycle_boundaries():
    anchor = date(2018, 12, 1)
    assert cycle_containing(anchor, date(2018, 12, 1)) == (date(2018, 12, 1), date(2021, 11, 30))
    assert cycle_containing(anchor, date(2021, 11, 30)) == (date(2018, 12, 1), date(2021, 11, 30))
    assert cycle_containing(anchor, date(2021, 12, 1)) == (date(2021, 12, 1), date(2024, 11, 30))
    assert cycle_containing(anchor, date(2026, 11, 26)) == (date(2024, 12, 1), date(2027, 11, 30))
    assert cycle_containing(anchor, date(2018, 11, 30)) == (date(2015, 12, 1), date(2018, 11, 30))


def test_track_until_a_third_per_year():
    period = Period(date(2024, 12, 1), date(2027, 11, 30), "certificate")
    assert track_until(period, D(90), D(0)) == date(2025, 11, 30)
    assert track_until(period, D(90), D("29.9")) == date(2025, 11, 30)
    assert track_until(period, D(90), D(30)) == date(2026, 11, 30)
    assert track_until(period, D(90), D(60)) == date(2027, 11, 30)
    assert track_until(period, D(90), D(90)) == date(2027, 11, 30)
    assert track_until(period, D(0), D(0)) == date(2027, 11, 30)

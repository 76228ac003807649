"""The working-day calendar: weekends, public holidays and make-up workdays (调休)."""

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from shegong.core.models import WorkdayOverride
from shegong.core.workdays import (
    DEFAULT_HOLIDAY_FILE,
    add_working_days,
    is_workday,
    load_holidays,
    read_holiday_file,
    working_days_between,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calendar():
    load_holidays()


def test_the_data_file_covers_2025_and_2026_with_the_state_council_dates():
    rows = {day: (flag, note) for day, flag, note in read_holiday_file(DEFAULT_HOLIDAY_FILE)}
    assert {day.year for day in rows} >= {2025, 2026}
    # 2026: 国庆节 10月1日至7日放假调休，9月20日（周日）、10月10日（周六）上班。
    for day in range(1, 8):
        assert rows[date(2026, 10, day)][0] is False
    assert rows[date(2026, 9, 20)][0] is True
    assert rows[date(2026, 10, 10)][0] is True
    # 2026 春节: 2月15日至23日; 2月14日、2月28日上班.
    assert rows[date(2026, 2, 23)][0] is False
    assert rows[date(2026, 2, 14)][0] is True and rows[date(2026, 2, 28)][0] is True
    # 2025 国庆中秋: 10月1日至8日; 9月28日、10月11日上班.
    assert rows[date(2025, 10, 8)][0] is False
    assert rows[date(2025, 9, 28)][0] is True and rows[date(2025, 10, 11)][0] is True
    # Every make-up workday falls on a weekend, every listed weekday holiday on a weekday rest.
    for day, (flag, _note) in rows.items():
        if flag:
            assert day.weekday() >= 5, day


def test_weekends_rest_and_weekdays_work_outside_the_exceptions():
    assert is_workday(date(2026, 3, 6))  # Friday
    assert not is_workday(date(2026, 3, 7))  # Saturday
    assert not is_workday(date(2026, 3, 8))  # Sunday


def test_holidays_and_make_up_workdays():
    assert not is_workday(date(2026, 10, 5))  # Monday in the National Day holiday
    assert is_workday(date(2026, 10, 10))  # Saturday make-up workday
    assert is_workday(date(2026, 9, 20))  # Sunday make-up workday
    assert not is_workday(date(2025, 1, 1))  # 元旦 2025, a Wednesday


def test_add_working_days_jumps_the_national_day_holiday():
    # Wednesday 2026-09-30 + 1 working day: 10-01..10-07 are holidays, so Thursday 10-08.
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # Friday 10-09 + 1: Saturday 10-10 is a make-up workday.
    assert add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)
    # Saturday 09-19 + 1: Sunday 09-20 is a make-up workday.
    assert add_working_days(date(2026, 9, 19), 1) == date(2026, 9, 20)


def test_thirty_working_days_from_acceptance_across_national_day():
    # Counted by hand: 10-08, 10-09, 10-10 (make-up), then five-day weeks: 11-17 is the 30th.
    assert add_working_days(date(2026, 9, 30), 30) == date(2026, 11, 17)
    # Without the calendar it would be six calendar weeks earlier than that.
    assert working_days_between(date(2026, 9, 30), date(2026, 11, 17)) == 30


def test_spring_festival_2025():
    assert add_working_days(date(2025, 1, 27), 1) == date(2025, 2, 5)
    assert add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 26)  # Sunday make-up workday


def test_zero_and_negative():
    assert add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)
    assert working_days_between(date(2026, 5, 1), date(2026, 5, 1)) == 0
    assert working_days_between(date(2026, 5, 8), date(2026, 5, 1)) == 0
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 1), -1)


def test_years_without_calendar_entries_count_weekdays(caplog):
    assert add_working_days(date(2031, 1, 3), 1) == date(2031, 1, 6)  # Friday -> Monday
    assert "2031" in caplog.text


@settings(max_examples=40, deadline=None)
@given(start=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)), n=st.integers(0, 60))
def test_between_is_the_inverse_of_add(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    assert end == start or is_workday(end)


def test_load_holidays_is_idempotent_and_the_file_is_the_truth_for_its_years(tmp_path):
    assert load_holidays()["created"] == 0
    stale = WorkdayOverride.objects.create(date=date(2026, 3, 2), is_workday=False, note="not official")
    report = load_holidays()
    assert report["removed"] == 1
    assert not WorkdayOverride.objects.filter(pk=stale.pk).exists()
    # A file for another year leaves 2025/2026 alone.
    other = tmp_path / "2027.csv"
    other.write_text("date,is_workday,note\n2027-01-01,0,元旦\n", encoding="utf-8")
    call_command("load_holidays", file=str(other), quiet=True)
    assert WorkdayOverride.objects.filter(date__year=2026).exists()
    assert not is_workday(date(2027, 1, 1))  # the cache was cleared


def test_load_holidays_rejects_a_bad_file(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,is_workday,note\n2027-02-30,0,nope\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_holidays", file=str(bad), quiet=True)
    with pytest.raises(CommandError):
        call_command("load_holidays", file=str(bad.with_name("missing.csv")), quiet=True)


def test_load_holidays_reports(capsys):
    call_command("load_holidays")
    out = capsys.readouterr().out
    assert "2025, 2026" in out and "created 0" in out


def test_date_ranges_are_sane():
    # Guard against a typo year in the file: every row is within a year of the others.
    days = sorted(day for day, _flag, _note in read_holiday_file())
    assert days[-1] - days[0] < timedelta(days=366 * 2)

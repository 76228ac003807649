"""Working days: Monday to Friday, minus public holidays, plus make-up workdays (调休).

The exceptions come from ``WorkdayOverride`` rows, loaded from ``core/data/holidays.csv`` by
``manage.py load_holidays``. The whole table (a few dozen rows a year) is cached; loading clears
the cache. Outside the years the calendar covers only the weekday rule applies, and a warning is
logged once so that a missing year is noticed.
"""

import csv
import logging
from datetime import date, timedelta
from pathlib import Path

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

DEFAULT_HOLIDAY_FILE = Path(__file__).parent / "data" / "holidays.csv"
CACHE_KEY = "core:workday-overrides:v1"
_warned_years = set()


def _overrides():
    """{date: is_workday} for every calendar exception, cached."""
    table = cache.get(CACHE_KEY)
    if table is None:
        from .models import WorkdayOverride

        table = dict(WorkdayOverride.objects.values_list("date", "is_workday"))
        cache.set(CACHE_KEY, table, 3600)
    return table


def clear_cache():
    cache.delete(CACHE_KEY)


def _covered_years(table):
    return {day.year for day in table}


def is_workday(day, _table=None):
    table = _overrides() if _table is None else _table
    if day in table:
        return table[day]
    if table and day.year not in _covered_years(table) and day.year not in _warned_years:
        _warned_years.add(day.year)
        logger.warning("The holiday calendar has no entries for %s; counting weekdays only.", day.year)
    return day.weekday() < 5


def add_working_days(start, n):
    """The day that is ``n`` working days after ``start`` (``start`` itself is not counted).

    Accepted on Friday with n=1 gives the next working day (Monday, or later after a holiday).
    n=0 gives ``start`` itself.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    table = _overrides()
    day, left = start, n
    while left > 0:
        day += timedelta(days=1)
        if is_workday(day, table):
            left -= 1
    return day


def working_days_between(a, b):
    """Working days after ``a`` up to and including ``b`` (0 when ``b <= a``).

    The inverse of ``add_working_days``: ``working_days_between(d, add_working_days(d, n)) == n``.
    """
    if b <= a:
        return 0
    table = _overrides()
    count, day = 0, a
    while day < b:
        day += timedelta(days=1)
        if is_workday(day, table):
            count += 1
    return count


def read_holiday_file(path=DEFAULT_HOLIDAY_FILE):
    """Rows (date, is_workday, note) of a calendar file; lines starting with # are comments."""
    with open(path, encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip() and not line.lstrip().startswith("#")]
    rows = []
    for number, row in enumerate(csv.DictReader(lines), start=2):
        try:
            day = date.fromisoformat(row["date"].strip())
            flag = row["is_workday"].strip().lower()
            if flag not in {"0", "1", "true", "false", "yes", "no"}:
                raise ValueError(f"is_workday must be 0 or 1, not {flag!r}")
        except (KeyError, ValueError, AttributeError) as exc:
            raise ValueError(f"{path}: data row {number - 1}: {exc}") from exc
        rows.append((day, flag in {"1", "true", "yes"}, (row.get("note") or "").strip()))
    return rows


@transaction.atomic
def load_holidays(path=DEFAULT_HOLIDAY_FILE, *, replace_years=True):
    """Load a calendar file. With ``replace_years`` the file is the truth for every year it mentions:
    exceptions of those years that the file no longer lists are removed. Returns counts."""
    from .models import WorkdayOverride

    rows = read_holiday_file(path)
    years = {day.year for day, _flag, _note in rows}
    existing = {o.date: o for o in WorkdayOverride.objects.filter(date__year__in=years)} if years else {}
    created = updated = 0
    for day, flag, note in rows:
        current = existing.pop(day, None)
        if current is None:
            WorkdayOverride.objects.create(date=day, is_workday=flag, note=note)
            created += 1
        elif current.is_workday != flag or current.note != note:
            current.is_workday, current.note = flag, note
            current.save(update_fields=["is_workday", "note"])
            updated += 1
    removed = 0
    if replace_years and existing:
        removed, _ = WorkdayOverride.objects.filter(pk__in=[o.pk for o in existing.values()]).delete()
    transaction.on_commit(clear_cache)
    clear_cache()
    return {"created": created, "updated": updated, "removed": removed, "years": sorted(years)}

"""Working days: Monday to Friday, minus public holidays, plus make-up workdays (调休).

The exceptions come from ``WorkdayOverride`` rows, loaded from ``core/data/holidays.csv`` (or a
newer file) by ``manage.py load_holidays [--file F] [--year Y]`` or by an operator on the calendar
page (``/calendar/``, ``load_uploaded_calendar``). The whole table (a few dozen rows a year) is
cached; loading clears the cache. Outside the years the calendar covers only the weekday rule
applies: a warning is logged once, and ``missing_years`` tells the operators' home page (this year
and the next, which the State Council publishes each November).
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


class CalendarFileError(ValueError):
    """A calendar file that cannot be read; ``row`` is the data row at fault (None: the whole file)."""

    def __init__(self, message, row=None):
        super().__init__(message)
        self.row = row


def coverage():
    """{year: number of calendar exceptions} of the years the calendar covers."""
    years = {}
    for day in _overrides():
        years[day.year] = years.get(day.year, 0) + 1
    return dict(sorted(years.items()))


def missing_years(today=None):
    """This year and the next, those the calendar has no entries for (deadlines would count weekdays only)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    covered = _covered_years(_overrides())
    return [year for year in (today.year, today.year + 1) if year not in covered]


def read_holiday_file(path=DEFAULT_HOLIDAY_FILE):
    """Rows (date, is_workday, note) of a calendar file; lines starting with # are comments."""
    with open(path, encoding="utf-8") as handle:
        return read_holiday_lines(handle, source=path)


def read_holiday_lines(lines, *, source="file"):
    """Rows (date, is_workday, note) of the lines of a calendar file (header date,is_workday,note)."""
    path = source
    lines = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    rows = []
    for number, row in enumerate(csv.DictReader(lines), start=2):
        try:
            day = date.fromisoformat(row["date"].strip())
            flag = row["is_workday"].strip().lower()
            if flag not in {"0", "1", "true", "false", "yes", "no"}:
                raise ValueError(f"is_workday must be 0 or 1, not {flag!r}")
        except (KeyError, ValueError, AttributeError) as exc:
            raise CalendarFileError(f"{path}: data row {number - 1}: {exc}", row=number - 1) from exc
        rows.append((day, flag in {"1", "true", "yes"}, (row.get("note") or "").strip()))
    return rows


@transaction.atomic
def load_holidays(path=DEFAULT_HOLIDAY_FILE, *, replace_years=True, rows=None, year=None):
    """Load a calendar file (or ``rows`` already read). With ``replace_years`` the file is the truth for
    every year it mentions: exceptions of those years that the file no longer lists are removed. With
    ``year``, only that year's rows are loaded (a file without any is refused). Returns counts."""
    from .models import WorkdayOverride

    rows = read_holiday_file(path) if rows is None else rows
    if year is not None:
        rows = [row for row in rows if row[0].year == year]
        if not rows:
            raise CalendarFileError(f"{path}: no rows for {year}")
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


def load_uploaded_calendar(upload, *, actor, year=None):
    """An operator loads a calendar file uploaded on the calendar page: read, load, audit, in one
    transaction. ``ValueError`` (with the row) when the file is not a calendar."""
    from .audit import actions, record

    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CalendarFileError("the file is not UTF-8 text") from exc
    rows = read_holiday_lines(text.splitlines(), source=getattr(upload, "name", "file"))
    if not rows:
        raise CalendarFileError("the file has no rows")
    with transaction.atomic():
        report = load_holidays(rows=rows, year=year, path=getattr(upload, "name", "file"))
        record(
            actor,
            actions.CALENDAR_LOAD,
            object_repr=", ".join(str(y) for y in report["years"]),
            changes={key: report[key] for key in ("created", "updated", "removed", "years")},
        )
    return report

"""Continuing education: periods, province rules, totals, and the re-registration hours check.

This module holds the read-only questions other apps ask (``current_period``,
``reregistration_hours_check``, ``policy_for``); the verbs live in ``education/services/`` by
subdomain: ``ledger`` (crediting hours, standings), ``providers``, ``activities``, ``declarations``,
``policy``; the compliance figures in ``compliance``.

Registration periods
--------------------
A person's hours count per registration period (登记有效期, 3 years). ``period_for(person, day)`` is the
one place that decides which period a day belongs to:

1. a registration of the person (told by the registration app through ``hooks.register_registrations``)
   whose validity ``valid_from``..``valid_to`` covers the day;
2. otherwise, if the person has registrations, 3-year cycles continuing from them: after the last one
   the cycle starts the day after its expiry (a re-registration's validity runs from the previous
   expiry), before the first one the cycles count back from its start;
3. without any registration (the registration app not installed, or the person never registered),
   3-year cycles counted from the date of issue of the person's latest certificate (1 January of the
   year after the exam when the date of issue is unknown).

``current_period(person)`` is the period of today. A ledger row counts toward the period its date
falls in; nothing about periods is stored on ledger rows.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.education import hooks
from shegong.education import rules as R
from shegong.education.models import EducationPolicy, ReviewLevel, StudyRecord
from shegong.education.models.scope import province_code_of
from shegong.regions.models import Region


# --- periods -----------------------------------------------------------------------------------------
def add_years(day, years):
    """``day`` moved by whole years; 29 February becomes 28 February in a common year."""
    year = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    # "registration": a registration's validity; "after_registration" / "before_registration": cycles
    # continuing from the registrations; "certificate": cycles from the certificate's date of issue.
    source: str
    registration_id: object = None

    def contains(self, day):
        return self.start <= day <= self.end

    @property
    def days(self):
        return (self.end - self.start).days + 1

    def elapsed_fraction(self, today=None):
        today = today or timezone.localdate()
        if today < self.start:
            return Decimal(0)
        if today > self.end:
            return Decimal(1)
        return Decimal((today - self.start).days + 1) / Decimal(self.days)

    @property
    def source_label(self):
        return {
            "registration": _("registration validity"),
            "after_registration": _("continuing from the last registration"),
            "before_registration": _("before the first registration"),
            "certificate": _("counted from the certificate's date of issue (no registration yet)"),
        }.get(self.source, self.source)


def cycle_containing(anchor, day, years=R.PERIOD_YEARS):
    """The ``years``-long cycle (anchor + k·years, k any integer) that contains ``day``."""
    k = (day.year - anchor.year) // years
    start = add_years(anchor, k * years)
    while start > day:
        k -= 1
        start = add_years(anchor, k * years)
    while add_years(anchor, (k + 1) * years) <= day:
        k += 1
        start = add_years(anchor, k * years)
    return start, add_years(anchor, (k + 1) * years) - timedelta(days=1)


def registrations_of(person):
    """[(valid_from, valid_to, pk)] of the person's effective registrations, oldest first (hooks.py)."""
    return hooks.registrations_by_person([person.pk]).get(person.pk, [])


def certificate_anchor(person):
    """The start of the certificate-based cycles: the latest certificate's date of issue."""
    latest = None
    for issued_on, exam_year in person.certificates.values_list("issued_on", "exam_year"):
        anchor = issued_on or date(exam_year + 1, 1, 1)
        if latest is None or anchor > latest:
            latest = anchor
    return latest


def period_for(person, day, *, registrations=None, anchor=None):
    """The registration period ``day`` belongs to for ``person`` (see the module notes), or None
    when the person holds no certificate and has no registration."""
    registrations = registrations_of(person) if registrations is None else registrations
    for valid_from, valid_to, pk in registrations:
        if valid_from <= day <= valid_to:
            return Period(valid_from, valid_to, "registration", pk)
    if registrations:
        earlier = [r for r in registrations if r[1] < day]
        later = [r for r in registrations if r[0] > day]
        if earlier:
            start, end = cycle_containing(earlier[-1][1] + timedelta(days=1), day)
            if later and end >= later[0][0]:
                end = later[0][0] - timedelta(days=1)
            return Period(start, end, "after_registration")
        start, end = cycle_containing(later[0][0], day)
        return Period(start, end, "before_registration")
    anchor = certificate_anchor(person) if anchor is None else anchor
    if anchor is None:
        return None
    start, end = cycle_containing(anchor, day)
    return Period(start, end, "certificate")


def current_period(person, today=None):
    """THE registration period a person's hours count toward today (None without certificate or registration)."""
    return period_for(person, today or timezone.localdate())


def registration_period(registration):
    return Period(registration.valid_from, registration.valid_to, "registration", registration.pk)


# --- province rules ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResolvedPolicy:
    """A province's rules with the national defaults filled in."""

    province_code: str | None
    required: dict
    annual_required: Decimal | None
    review_level: int
    rules: dict = field(default_factory=dict)
    customised: bool = False

    def rule(self, form):
        return self.rules.get(form) or R.DEFAULT_RULES.get(form) or R.Rule(form)

    def required_for(self, level):
        return self.required.get(level, R.DEFAULT_REQUIRED.get(level, Decimal(0)))

    def accepted_forms(self):
        return [form for form in R.DEFAULT_RULES if self.rule(form).accepted]


NATIONAL_POLICY = ResolvedPolicy(
    province_code=None,
    required=dict(R.DEFAULT_REQUIRED),
    annual_required=None,
    review_level=ReviewLevel.COUNTY,
    rules=dict(R.DEFAULT_RULES),
)


def resolve_policy(policy):
    """A ResolvedPolicy from an EducationPolicy row (with its form rules)."""
    rules = dict(R.DEFAULT_RULES)
    for row in policy.forms.all():
        rules[row.form] = R.Rule(
            form=row.form,
            accepted=row.accepted,
            conversion=row.conversion,
            value=row.value,
            record_cap=row.record_cap,
            period_cap=row.period_cap,
            once=row.once,
        )
    return ResolvedPolicy(
        province_code=policy.province_id,
        required={
            "assistant": policy.required_assistant,
            "intermediate": policy.required_intermediate,
            "senior": policy.required_senior,
        },
        annual_required=policy.annual_required,
        review_level=policy.review_level,
        rules=rules,
        customised=True,
    )


def policy_for_province(province_code):
    """The rules of a province (code), the national defaults where it set nothing."""
    if province_code is None:
        return NATIONAL_POLICY
    policy = EducationPolicy.objects.filter(province_id=province_code).prefetch_related("forms").first()
    if policy is None:
        return ResolvedPolicy(
            province_code=province_code,
            required=dict(R.DEFAULT_REQUIRED),
            annual_required=None,
            review_level=ReviewLevel.COUNTY,
            rules=dict(R.DEFAULT_RULES),
        )
    return resolve_policy(policy)


def policy_for(person_or_region):
    """The rules that apply to a person (by their work region's province) or to a region."""
    region = person_or_region if isinstance(person_or_region, Region) else person_or_region.region
    return policy_for_province(province_code_of(region))


# --- levels, totals ----------------------------------------------------------------------------------
def level_of(person):
    """The person's highest certificate level (their requirement follows it), or None."""
    return R.highest_level(person.certificates.values_list("level", flat=True))


def credited_between(person, start, end, *, form=None):
    queryset = StudyRecord.objects.filter(person=person, occurred_on__gte=start, occurred_on__lte=end)
    if form is not None:
        queryset = queryset.filter(form=form)
    return R.hours(queryset.aggregate(total=Sum("hours_credited"))["total"])


def credited_in(person, period, *, form=None):
    if period is None:
        return R.ZERO
    return credited_between(person, period.start, period.end, form=form)


def totals_by_year(person):
    """[(year, hours credited)] for every calendar year with ledger rows, newest first (one query)."""
    rows = (
        StudyRecord.objects.filter(person=person)
        .annotate(year=ExtractYear("occurred_on"))
        .values("year")
        .annotate(total=Sum("hours_credited"))
        .order_by("-year")
    )
    return [(row["year"], R.hours(row["total"])) for row in rows]


@dataclass(frozen=True)
class Progress:
    """Where a person stands in a period."""

    period: Period | None
    level: str | None
    required: Decimal
    credited: Decimal

    @property
    def registered(self):
        """Whether the period comes from registrations: only then is there a validity and a requirement
        to show (a person never registered has neither, whatever cycle the ledger counts in)."""
        return self.period is not None and self.period.source != "certificate"

    @property
    def remaining(self):
        return max(self.required - self.credited, R.ZERO)

    @property
    def complete(self):
        return self.period is not None and self.credited >= self.required

    @property
    def percent(self):
        if not self.required:
            return 100
        return min(100, int(self.credited * 100 / self.required))

    @property
    def expected_by_now(self):
        """The pro-rata share of the requirement due by today."""
        if self.period is None:
            return R.ZERO
        return R.hours(self.required * self.period.elapsed_fraction())


def progress(person, period=None, *, level=None, policy=None):
    """The person's hours in ``period`` (the current one by default)."""
    period = period or current_period(person)
    level = level or level_of(person)
    policy = policy or policy_for(person)
    required = policy.required_for(level) if level else R.ZERO
    return Progress(period=period, level=level, required=required, credited=credited_in(person, period))


# --- THE check the registration app calls ------------------------------------------------------------
@dataclass(frozen=True)
class HoursCheck:
    """The answer to "has this person enough study hours to re-register?"."""

    ok: bool
    required: Decimal
    credited: Decimal
    reason: str = ""
    period: Period | None = None
    level: str | None = None

    def __bool__(self):
        return self.ok


def reregistration_hours_check(person, registration=None):
    """Whether ``person`` has the hours their province requires in the registration period ending now.

    ``registration``: the registration being renewed (its ``valid_from``..``valid_to`` is the period;
    its certificate's level, if it has one, sets the requirement); by default the person's current
    period and highest certificate level. Returns a ``HoursCheck`` with ``ok``, ``required``,
    ``credited`` and, when short, a translated ``reason`` ready to show.
    """
    if (
        registration is not None
        and getattr(registration, "valid_from", None)
        and getattr(registration, "valid_to", None)
    ):
        period = registration_period(registration)
    else:
        period = current_period(person)
    certificate = getattr(registration, "certificate", None) if registration is not None else None
    level = getattr(certificate, "level", None) or level_of(person)
    if level is None or period is None:
        return HoursCheck(
            ok=False,
            required=R.ZERO,
            credited=R.ZERO,
            reason=_(
                "No qualification certificate is recorded, so no continuing-education requirement can be checked."
            ),
            period=period,
            level=level,
        )
    required = policy_for(person).required_for(level)
    credited = credited_in(person, period)
    if credited >= required:
        return HoursCheck(ok=True, required=required, credited=credited, period=period, level=level)
    reason = _(
        "Not enough continuing-education hours in this registration period (%(start)s to %(end)s): "
        "%(credited)s hours credited, %(required)s hours required."
    ) % {
        "start": f"{period.start:%Y-%m-%d}",
        "end": f"{period.end:%Y-%m-%d}",
        "credited": R.format_hours(credited),
        "required": R.format_hours(required),
    }
    return HoursCheck(ok=False, required=required, credited=credited, reason=reason, period=period, level=level)

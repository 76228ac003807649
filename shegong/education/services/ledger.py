"""Writing the ledger: ``credit`` is the only way a StudyRecord is made; standings follow every write.

Caps are applied when an item is credited, in the order items are credited: the per-period cap
counts the hours of the same form already credited in the registration period the item's date
falls in; a once-only form (a degree) credits nothing the second time. Crediting locks the person's
row, so two items of one person are never capped against the same total at once.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.audit import record
from shegong.education import actions, hooks
from shegong.education import rules as R
from shegong.education.models import StudyRecord, StudyStanding
from shegong.education.models.scope import province_code_of
from shegong.education.queries import (
    Period,
    add_years,
    credited_in,
    current_period,
    level_of,
    period_for,
    policy_for,
    policy_for_province,
)
from shegong.workers.models import Certificate, Person


def track_until(period, required, credited):
    """The last day the person is on track: a third of the requirement is due by the end of each year
    of the period. With nothing credited that is the end of the first year; complete means the end."""
    if not required or credited >= required:
        return period.end
    years_covered = int(credited * R.PERIOD_YEARS // required)  # 0, 1 or 2
    return min(add_years(period.start, years_covered + 1) - timedelta(days=1), period.end)


def compute_credit(person, form, claimed, occurred_on):
    """What crediting ``claimed`` hours of ``form`` on ``occurred_on`` would give now: (Credit, Period).
    Read-only; ``credit`` uses it under the person's lock, pages use it as a preview."""
    rule = policy_for(person).rule(form)
    period = period_for(person, occurred_on)
    used = credited_in(person, period, form=form) if rule.period_cap is not None else R.ZERO
    already_once = rule.once and StudyRecord.objects.filter(person=person, form=form, hours_credited__gt=0).exists()
    return R.apply_rule(rule, claimed, used_in_period=used, already_once=already_once), period


@transaction.atomic
def credit(
    person,
    *,
    form,
    source,
    hours_claimed,
    occurred_on,
    title,
    actor=None,
    source_ref="",
    provider=None,
    activity=None,
    declaration=None,
    note="",
):
    """Write one ledger row for ``person``: the claimed hours converted and capped by the rules of
    the person's province. Returns the StudyRecord. Refuses a second row for the same activity."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    claimed = R.hours(hours_claimed)
    if claimed < 0 or claimed > R.MAX_HOURS_PER_ITEM:
        raise ValidationError(_("Hours must lie between 0 and %(max)s.") % {"max": R.MAX_HOURS_PER_ITEM})
    if activity is not None and StudyRecord.objects.filter(person=person, activity=activity).exists():
        raise ValidationError(_("Hours for this activity are already in this person's ledger."), code="duplicate")
    outcome, period = compute_credit(person, form, claimed, occurred_on)
    decision = _("%(credited)s of %(claimed)s hours credited: %(why)s") % {
        "credited": R.format_hours(outcome.credited),
        "claimed": R.format_hours(claimed),
        "why": outcome.explanation,
    }
    if note:
        decision = f"{decision}. {note}"
    row = StudyRecord.objects.create(
        person=person,
        form=form,
        source=source,
        source_ref=source_ref[:100],
        title=str(title)[:200],
        provider=provider,
        activity=activity,
        declaration=declaration,
        hours_claimed=claimed,
        hours_credited=outcome.credited,
        occurred_on=occurred_on,
        reviewer=actor if getattr(actor, "is_authenticated", False) else None,
        decision=decision[:400],
    )
    record(
        actor,
        actions.CREDIT,
        row,
        changes={
            "person": person.pk,
            "form": form,
            "source": source,
            "source_ref": source_ref,
            "claimed": str(claimed),
            "credited": str(outcome.credited),
            "occurred_on": f"{occurred_on:%Y-%m-%d}",
            "period": [f"{period.start:%Y-%m-%d}", f"{period.end:%Y-%m-%d}"] if period else None,
        },
        region_code=person.region_id,
    )
    refresh_standing(person)
    return row


def refresh_standing(person, today=None):
    """Recompute one person's standing from the ledger (call after anything that changes their
    certificates, registrations, region or ledger). Returns it, or None when no requirement applies."""
    level = level_of(person)
    period = current_period(person, today) if level else None
    if level is None or period is None:
        StudyStanding.objects.filter(person=person).delete()
        return None
    required = policy_for(person).required_for(level)
    credited = credited_in(person, period)
    standing, _created = StudyStanding.objects.update_or_create(
        person=person,
        defaults={
            "region_id": person.region_id,
            "level": level,
            "period_start": period.start,
            "period_end": period.end,
            "period_source": period.source,
            "required": required,
            "credited": credited,
            "track_until": track_until(period, required, credited),
        },
    )
    return standing


def refresh_standings(region=None, *, today=None, chunk_size=2000, progress=None):
    """Recompute the standings of every person in ``region``'s subtree (the whole country by default).

    Works in chunks of persons: periods and requirements are worked out per chunk from two queries
    (certificates, registrations); the credited hours are summed by one SQL statement per chunk; no
    ledger row is read into Python. Returns the number of standings written.
    """
    today = today or timezone.localdate()
    persons = Person.objects.all()
    if region is not None:
        persons = persons.filter(region.subtree_q("region__code"))
    total = persons.count() or 1
    policies = {}
    written = done = 0
    last_pk = 0
    while True:
        chunk = list(persons.filter(pk__gt=last_pk).order_by("pk").values_list("pk", "region_id")[:chunk_size])
        if not chunk:
            break
        last_pk = chunk[-1][0]
        ids = [pk for pk, _region in chunk]
        levels, anchors = defaultdict(list), {}
        for person_id, level, issued_on, exam_year in Certificate.objects.filter(person_id__in=ids).values_list(
            "person_id", "level", "issued_on", "exam_year"
        ):
            levels[person_id].append(level)
            anchor = issued_on or date(exam_year + 1, 1, 1)
            if person_id not in anchors or anchor > anchors[person_id]:
                anchors[person_id] = anchor
        registrations = hooks.registrations_by_person(ids)
        rows, without = [], []
        for person_id, region_id in chunk:
            level = R.highest_level(levels.get(person_id, ()))
            period = None
            if level is not None:
                person = Person(pk=person_id, region_id=region_id)
                period = period_for(
                    person, today, registrations=registrations.get(person_id, []), anchor=anchors.get(person_id)
                )
            if period is None:
                without.append(person_id)
                continue
            province = _province_of_code(region_id)
            if province not in policies:
                policies[province] = policy_for_province(province)
            rows.append(
                StudyStanding(
                    person_id=person_id,
                    region_id=region_id,
                    level=level,
                    period_start=period.start,
                    period_end=period.end,
                    period_source=period.source,
                    required=policies[province].required_for(level),
                    credited=R.ZERO,
                    track_until=period.end,
                )
            )
        with transaction.atomic():
            if without:
                StudyStanding.objects.filter(person_id__in=without).delete()
            StudyStanding.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["person"],
                update_fields=["region", "level", "period_start", "period_end", "period_source", "required"],
            )
            sums = (
                StudyRecord.objects.filter(
                    person_id=OuterRef("person_id"),
                    occurred_on__gte=OuterRef("period_start"),
                    occurred_on__lte=OuterRef("period_end"),
                )
                .order_by()
                .values("person_id")
                .annotate(total=Sum("hours_credited"))
                .values("total")
            )
            StudyStanding.objects.filter(person_id__in=[row.person_id for row in rows]).update(
                credited=Coalesce(Subquery(sums), Value(R.ZERO), output_field=DecimalField())
            )
            standings = list(
                StudyStanding.objects.filter(person_id__in=[row.person_id for row in rows]).only(
                    "person_id", "period_start", "period_end", "required", "credited", "track_until"
                )
            )
            changed = []
            for standing in standings:
                value = track_until(
                    Period(standing.period_start, standing.period_end, ""), standing.required, standing.credited
                )
                if value != standing.track_until:
                    standing.track_until = value
                    changed.append(standing)
            StudyStanding.objects.bulk_update(changed, ["track_until"], batch_size=1000)
        written += len(rows)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    return written


_province_codes = {}


def _province_of_code(region_code):
    if region_code not in _province_codes:
        from shegong.regions.models import Region

        region = Region.objects.filter(code=region_code).first()
        _province_codes[region_code] = province_code_of(region)
    return _province_codes[region_code]


__all__ = ["compute_credit", "credit", "refresh_standing", "refresh_standings", "track_until"]

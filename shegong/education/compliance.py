"""Compliance: how many social workers of a region are complete, on track or short, from SQL aggregates.

Counts read the standings (one row per person subject to continuing education, kept current by the
ledger services and refreshed daily), grouped by the region-code prefix of the level below the chosen
region: one GROUP BY statement, no row reaches Python. The definitions:

* complete: hours credited in the current period >= hours required;
* on track: not complete, but at least a third of the requirement is credited for every full year of
  the period already passed (``StudyStanding.track_until`` >= today);
* short: neither (including a period that has ended without enough hours).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.scoping import BUSINESS_REGION_ROLES
from shegong.regions.models import Level, Region

from .models import StudyStanding

# Code length of the units one level below a region of each level.
CHILD_PREFIX = {Level.NATIONAL: 2, Level.PROVINCE: 4, Level.PREFECTURE: 6, Level.COUNTY: 6}


def can_see_compliance(user):
    return (
        getattr(user, "is_authenticated", False)
        and getattr(user, "role", None) in BUSINESS_REGION_ROLES
        and user.region_id is not None
    )


def require_region(user, region):
    """``region`` if it lies in the official's subtree, else PermissionDenied."""
    if not can_see_compliance(user):
        raise PermissionDenied(_("Compliance reports are for civil affairs officials."))
    region = region or user.region
    if not user.region.contains(region.code):
        raise PermissionDenied(_("%(region)s is outside your area.") % {"region": region})
    return region


@dataclass
class Counts:
    code: str
    label: str
    region: object
    total: int = 0
    complete: int = 0
    on_track: int = 0
    short: int = 0

    @property
    def complete_percent(self):
        return round(self.complete * 100 / self.total) if self.total else 0

    @property
    def short_percent(self):
        return round(self.short * 100 / self.total) if self.total else 0


def counts_queryset(region, today=None, *, group_length=None):
    """The aggregate statement: per prefix of ``region_id``, the number of standings in each state."""
    today = today or timezone.localdate()
    length = group_length or CHILD_PREFIX[region.level]
    complete = Q(credited__gte=F("required"))
    return (
        StudyStanding.objects.filter(region.subtree_q("region__code"))
        .annotate(prefix=Substr("region_id", 1, length))
        .values("prefix")
        .annotate(
            total=Count("pk"),
            complete=Count("pk", filter=complete),
            on_track=Count("pk", filter=~complete & Q(track_until__gte=today)),
            short=Count("pk", filter=~complete & Q(track_until__lt=today)),
        )
        .order_by("prefix")
    )


def compliance_counts(user, region=None, today=None):
    """(rows per unit one level below ``region``, total row) for an official; ``region`` within their area."""
    region = require_region(user, region)
    length = CHILD_PREFIX[region.level]
    children = {}
    if region.level < Level.COUNTY:
        for child in Region.objects.filter(parent=region).order_by("code"):
            children.setdefault(child.prefix[:length], child)
    rows, total = [], Counts(code=region.code, label=str(region), region=region)
    for group in counts_queryset(region, today):
        child = children.get(group["prefix"]) if region.level < Level.COUNTY else region
        label = str(child) if child is not None else group["prefix"]
        row = Counts(
            code=child.code if child is not None else group["prefix"],
            label=label,
            region=child,
            total=group["total"],
            complete=group["complete"],
            on_track=group["on_track"],
            short=group["short"],
        )
        rows.append(row)
        for name in ("total", "complete", "on_track", "short"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return rows, total

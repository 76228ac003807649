"""Filters shared by every filter set: the region-subtree filter ("within region").

Every list that carries a region offers the same ``within`` filter: the rows whose region code lies in
the chosen unit's subtree (``Region.subtree_q``, through ``core.scoping.region_subtree_q``), an unknown
code selecting nothing. It narrows what ``visible_to(user)`` already selected; it never widens it.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from .scoping import region_subtree_q


class RegionSubtreeFilter(django_filters.CharFilter):
    """Rows of the subtree of the region whose code is the value.

    ``field_name`` is the path to the row's region code (``"region__code"``, ``"person__region__code"``,
    ``"region_code"`` for a stored code, ``"code"`` on regions themselves). ``county_field``, when set,
    is the column compared for equality when the chosen unit is a county (a leaf: ``region_id = code``
    reads the (region, ...) indexes better than a prefix match; see workers.models.county_equality).
    ``exclude_null`` also drops rows without a region (the national subtree is everything, which
    would otherwise include rows that belong to no region).
    """

    def __init__(self, *args, county_field=None, exclude_null=False, **kwargs):
        kwargs.setdefault("label", _("Within region"))
        kwargs.setdefault("field_name", "region__code")
        self.county_field = county_field
        self.exclude_null = exclude_null
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        from shegong.regions.models import Level, Region

        value = (value or "").strip()
        if not value:
            return qs
        region = Region.objects.unscoped("division tree: public reference data").filter(code=value).first()
        if region is None:
            return qs.none()
        if self.county_field and region.level == Level.COUNTY:
            qs = qs.filter(**{self.county_field: region.code})
        else:
            qs = qs.filter(region_subtree_q(region, self.field_name))
        if self.exclude_null:
            qs = qs.filter(**{f"{self.field_name}__isnull": False})
        return qs.distinct() if self.distinct else qs

"""Filters shared by every filter set: the region-subtree filter ("within region").

Every list that carries a region offers the same ``within`` filter: the rows whose region code lies in
the chosen unit's subtree (``Region.subtree_q``, through ``core.scoping.region_subtree_q``), an unknown
code selecting nothing. It narrows what ``visible_to(user)`` already selected; it never widens it.
"""

import re

import django_filters
from django import forms
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


# The largest value a primary key or integer column holds on every supported database (a signed 64-bit
# integer; SQLite raises OverflowError beyond it, PostgreSQL's int4 columns compare fine with larger
# values but nothing is stored there).
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"-?[0-9]{1,19}")


class StrictIntegerField(forms.IntegerField):
    """A whole number written as digits only: "12" and "-3", never "12.0", "1e3" or " 12 "
    (Django's IntegerField takes "12.0" for 12, which the API schema calls not an integer)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str) and not _DIGITS.fullmatch(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter with bounds, so that a bad value is a 400 with the reason, never a server error
    (``year=0.0``, ``id=2.7e+79``), and the API schema says what is accepted (an integer between the bounds).

    ``min_value`` and ``max_value`` default to an identifier's range (1 to the largest 64-bit integer).
    """

    field_class = StrictIntegerField

    def __init__(self, *args, min_value=1, max_value=MAX_ID, **kwargs):
        kwargs["min_value"] = min_value
        kwargs["max_value"] = max_value
        super().__init__(*args, **kwargs)
        # drf-spectacular reads this (what extend_schema_field would set): the parameter's schema.
        self._spectacular_annotation = {
            "field": {"type": "integer", "minimum": min_value, "maximum": max_value, "description": str(self.label)}
        }


def year_filter(label, **kwargs):
    """A calendar-year filter (1900 to 2200)."""
    return IntegerFilter(label=label, min_value=1900, max_value=2200, **kwargs)


class RawNullBooleanSelect(forms.NullBooleanSelect):
    """The yes/no select, handing the field the value as sent (Django's widget reads any unknown word as
    "not chosen" before the field can refuse it)."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictBooleanField(forms.NullBooleanField):
    """Yes, no or not chosen: "true"/"false" (the API, and Python's "True"/"False"), "unknown" or empty (the
    list pages' select) for not chosen; anything else is refused (Django's field takes any word for "not
    chosen", so ``?active=null`` silently listed everything)."""

    VALUES = {"true": True, "True": True, "false": False, "False": False, "unknown": None, "": None}

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, list | tuple):  # ?active=true&active=false
            raise forms.ValidationError(_("Choose yes or no."), code="invalid")
        if value not in self.VALUES:
            raise forms.ValidationError(_("Choose yes or no."), code="invalid")
        return self.VALUES[value]


class BooleanFilter(django_filters.BooleanFilter):
    """A yes/no filter that refuses a value that is neither (see StrictBooleanField)."""

    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", RawNullBooleanSelect)
        super().__init__(*args, **kwargs)
        # The values the API accepts, as sent on the wire ("" and "unknown": not chosen).
        self._spectacular_annotation = {
            "field": {"type": "string", "enum": ["", "true", "false", "unknown"], "description": str(self.label)}
        }

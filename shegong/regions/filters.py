import django_filters
from django.utils.translation import gettext_lazy as _

from shegong.core.filters import BooleanFilter, RegionSubtreeFilter

from .models import Level, Region


class RegionFilter(django_filters.FilterSet):
    """One filter set for the page, the API and the export."""

    level = django_filters.TypedChoiceFilter(label=_("Level"), choices=Level.choices, coerce=int)
    parent = django_filters.CharFilter(label=_("Parent code"), field_name="parent_id")
    code_prefix = django_filters.CharFilter(label=_("Code starts with"), field_name="code", lookup_expr="startswith")
    name = django_filters.CharFilter(label=_("Name contains"), field_name="full_name", lookup_expr="contains")
    active = BooleanFilter(label=_("Active"))
    within = RegionSubtreeFilter(field_name="code")

    class Meta:
        model = Region
        fields = ["level", "parent", "code_prefix", "name", "active", "within"]

import django_filters
from django.utils.translation import gettext_lazy as _

from shegong.regions.models import Region

from .models import Organization, OrganizationKind, OrganizationStatus


class OrganizationFilter(django_filters.FilterSet):
    """One filter set for the list page (and, later, its API and export)."""

    name = django_filters.CharFilter(label=_("Name contains"), field_name="name", lookup_expr="contains")
    credit_code = django_filters.CharFilter(
        label=_("Credit code starts with"), field_name="credit_code", lookup_expr="startswith"
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=OrganizationKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OrganizationStatus.choices)
    within = django_filters.CharFilter(label=_("Within region"), method="filter_within")

    class Meta:
        model = Organization
        fields = ["name", "credit_code", "kind", "status", "within"]

    def filter_within(self, queryset, name, value):
        region = Region.objects.unscoped("division tree: public reference data").filter(code=value).first()
        if region is None:
            return queryset.none()
        return queryset.filter(region.subtree_q("region__code"))

"""The registrations filter set, shared by the API and (later) any list page or export."""

import django_filters
from django.utils.translation import gettext_lazy as _

from shegong.core.filters import IntegerFilter, RegionSubtreeFilter
from shegong.workers.filters import blind_indexes, month_range
from shegong.workers.models import CertificateLevel

from .models import Registration, RegistrationKind, RowStatus


class RegistrationFilter(django_filters.FilterSet):
    within = RegionSubtreeFilter(label=_("Filed within region"), field_name="region__code")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=RegistrationKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status of the event"), choices=RowStatus.choices)
    level = django_filters.ChoiceFilter(
        label=_("Certificate level"), choices=CertificateLevel.choices, field_name="certificate__level"
    )
    number = django_filters.CharFilter(label=_("Registration number"), field_name="number")
    management_no = django_filters.CharFilter(label=_("Management number"), field_name="certificate__management_no")
    id_number = django_filters.CharFilter(label=_("ID number"), method="filter_id_number")
    person = IntegerFilter(label=_("Social worker (id)"), field_name="person_id")
    expiry_month = django_filters.CharFilter(label=_("Expires in (YYYY-MM)"), method="filter_expiry_month")
    valid_on = django_filters.DateFilter(label=_("Valid on"), method="filter_valid_on")

    class Meta:
        model = Registration
        fields = []

    def filter_id_number(self, queryset, name, value):
        indexes = blind_indexes(value)
        return queryset.none() if indexes is None else queryset.filter(person__id_blind_index__in=indexes)

    def filter_expiry_month(self, queryset, name, value):
        bounds = month_range(value)
        return queryset.none() if bounds is None else queryset.filter(valid_to__range=bounds)

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(valid_from__lte=value, valid_to__gte=value)

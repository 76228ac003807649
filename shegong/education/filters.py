"""One filter set per list, shared by the pages, the API and the exports."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.filters import BooleanFilter, IntegerFilter, RegionSubtreeFilter, year_filter
from shegong.workers.models import CertificateLevel

from .models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    ComplianceStatus,
    Provider,
    ProviderStatus,
    Source,
    StudyForm,
    StudyRecord,
    StudyStanding,
)
from .models.activities import ENDED, ENDED_LABEL


class ProviderFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(label=_("Name contains"), field_name="name", lookup_expr="contains")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ProviderStatus.choices)
    province = django_filters.CharFilter(label=_("Filing province"), field_name="province_id")

    class Meta:
        model = Provider
        fields = ["name", "status", "province"]


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title contains"), field_name="title", lookup_expr="contains")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ActivityKind.choices)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=[*ActivityStatus.choices, (ENDED, ENDED_LABEL)], method="filter_status"
    )
    provider = IntegerFilter(label=_("Provider"), field_name="provider_id")
    province = django_filters.CharFilter(label=_("Filing province"), field_name="provider__province_id")
    starts_after = django_filters.DateFilter(
        label=_("Starts on or after"), field_name="starts_at", lookup_expr="date__gte"
    )
    starts_before = django_filters.DateFilter(
        label=_("Starts on or before"), field_name="starts_at", lookup_expr="date__lte"
    )
    upcoming = BooleanFilter(label=_("Not over yet"), method="filter_upcoming")

    class Meta:
        model = Activity
        fields = ["q", "kind", "status", "provider", "province", "starts_after", "starts_before", "upcoming"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value) if value else queryset

    def filter_upcoming(self, queryset, name, value):
        if value:
            return queryset.filter(ends_at__gte=timezone.now())
        return queryset


class StudyRecordFilter(django_filters.FilterSet):
    person = IntegerFilter(label=_("Social worker"), field_name="person_id")
    form = django_filters.ChoiceFilter(label=_("Form"), choices=StudyForm.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices)
    provider = IntegerFilter(label=_("Provider"), field_name="provider_id")
    activity = IntegerFilter(label=_("Activity"), field_name="activity_id")
    occurred_after = django_filters.DateFilter(label=_("On or after"), field_name="occurred_on", lookup_expr="gte")
    occurred_before = django_filters.DateFilter(label=_("On or before"), field_name="occurred_on", lookup_expr="lte")
    year = year_filter(_("Calendar year"), field_name="occurred_on", lookup_expr="year")
    within = RegionSubtreeFilter(field_name="person__region__code")

    class Meta:
        model = StudyRecord
        fields = ["person", "form", "source", "provider", "activity", "occurred_after", "occurred_before", "year"]


class StandingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Compliance"), choices=ComplianceStatus.choices, method="filter_status"
    )
    level = django_filters.ChoiceFilter(label=_("Level"), choices=CertificateLevel.choices)
    within = RegionSubtreeFilter(field_name="region__code")
    name = django_filters.CharFilter(label=_("Name starts with"), field_name="person__name", lookup_expr="startswith")
    period_ends_before = django_filters.DateFilter(
        label=_("Period ends on or before"), field_name="period_end", lookup_expr="lte"
    )

    class Meta:
        model = StudyStanding
        fields = ["status", "level", "within", "name", "period_ends_before"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value, timezone.localdate())

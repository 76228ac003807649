"""/api/v1/education/...: providers, activities and ledger rows, read-only, scoped like the pages."""

from rest_framework import viewsets

from shegong.core import capabilities
from shegong.core.pagination import KeysetPagination
from shegong.core.scoping import ScopedAPIMixin

from ..filters import ActivityFilter, ProviderFilter, StudyRecordFilter
from ..models import Activity, Provider, StudyRecord
from .serializers import ActivitySerializer, ProviderSerializer, StudyRecordSerializer


class IdPagination(KeysetPagination):
    keys = ("-id",)


class ProviderViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """继续教育机构 / Continuing-education providers (filtered by name, status, filing province)."""

    capability = capabilities.signed_in
    queryset = Provider.objects.select_related("province")
    serializer_class = ProviderSerializer
    filterset_class = ProviderFilter
    pagination_class = IdPagination


class ActivityViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """继续教育活动 / Activities (filtered by kind, status, provider, province, dates)."""

    capability = capabilities.signed_in
    queryset = Activity.objects.select_related("provider")
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    pagination_class = IdPagination


class StudyRecordViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """学时台账 / Ledger rows (filtered by person, form, source, provider, activity, dates, year, region)."""

    capability = capabilities.signed_in
    queryset = StudyRecord.objects.select_related("person")
    serializer_class = StudyRecordSerializer
    filterset_class = StudyRecordFilter
    pagination_class = IdPagination

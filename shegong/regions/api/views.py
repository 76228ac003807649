from rest_framework import viewsets
from rest_framework.pagination import CursorPagination

from shegong.core import capabilities
from shegong.core.scoping import ScopedAPIMixin

from ..filters import RegionFilter
from ..models import Region
from .serializers import RegionSerializer


class RegionPagination(CursorPagination):
    ordering = "code"
    page_size = 100
    max_page_size = 1000
    page_size_query_param = "page_size"


class RegionViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """行政区划 / Divisions of the management tree, filterable by level, parent, code prefix and name."""

    capability = capabilities.signed_in
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    pagination_class = RegionPagination
    lookup_field = "code"

from rest_framework import viewsets

from shegong.core import capabilities
from shegong.core.pagination import KeysetPagination
from shegong.core.scoping import ScopedAPIMixin

from ..filters import RegionFilter
from ..models import Region
from .serializers import RegionSerializer


class RegionPagination(KeysetPagination):
    keys = ("code",)  # the primary key
    page_size = 100
    max_page_size = 1000


class RegionViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """行政区划 / Divisions of the management tree, filterable by level, parent, code prefix and name."""

    capability = capabilities.signed_in
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    pagination_class = RegionPagination
    lookup_field = "code"

from django.db.models import Prefetch
from rest_framework import viewsets
from rest_framework.pagination import CursorPagination

from shegong.core.scoping import ScopedAPIMixin

from ..filters import CertificateFilter, PersonFilter
from ..models import Certificate, Person
from .serializers import CertificateSerializer, PersonSerializer


class PersonPagination(CursorPagination):
    ordering = ("name", "id")
    page_size = 50
    max_page_size = 500
    page_size_query_param = "page_size"


class CertificatePagination(CursorPagination):
    ordering = ("management_no",)
    page_size = 50
    max_page_size = 500
    page_size_query_param = "page_size"


class PersonViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """社会工作者 / Social workers of the registry in the caller's scope; ID numbers masked.

    Filters as on the list page: ``within`` (region subtree), ``level``, ``status``, ``employer``,
    ``employer_type``, ``exam_year``, ``expiry_month`` (YYYY-MM), ``name`` (prefix), ``id_number``
    (exact), ``management_no``, ``checked``. Cursor pagination (``next`` link).
    """

    queryset = Person.objects.select_related("region", "employer_organization")
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    pagination_class = PersonPagination

    def get_queryset(self):
        certificates = Certificate.objects.visible_to(self.request.user).order_by("exam_year", "pk")
        return super().get_queryset().prefetch_related(Prefetch("certificates", queryset=certificates))


class CertificateViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """职业水平证书 / Qualification certificates in the caller's scope, with their registration status."""

    queryset = Certificate.objects.select_related("person")
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilter
    pagination_class = CertificatePagination

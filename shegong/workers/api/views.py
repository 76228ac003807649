from django.db.models import Prefetch
from rest_framework import viewsets

from shegong.core import capabilities
from shegong.core.pagination import KeysetPagination
from shegong.core.scoping import ScopedAPIMixin

from ..filters import CertificateFilter, PersonFilter
from ..models import Certificate, Person
from .serializers import CertificateSerializer, PersonSerializer


class PersonPagination(KeysetPagination):
    keys = ("name", "id")  # as the persons page sorted by name (workers.views.registry.PersonListView)


class CertificatePagination(KeysetPagination):
    keys = ("management_no", "id")  # as the certificates page sorted by management number


class PersonViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """社会工作者 / Social workers of the registry in the caller's scope; ID numbers masked.

    Filters as on the list page: ``within`` (region subtree), ``level``, ``status``, ``employer``,
    ``employer_type``, ``exam_year``, ``expiry_month`` (YYYY-MM), ``name`` (prefix), ``id_number``
    (exact), ``management_no``, ``checked``. Cursor pagination (``next`` link).
    """

    capability = capabilities.signed_in
    queryset = Person.objects.select_related("region", "employer_organization")
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    pagination_class = PersonPagination

    def get_queryset(self):
        certificates = Certificate.objects.visible_to(self.request.user).order_by("exam_year", "pk")
        return super().get_queryset().prefetch_related(Prefetch("certificates", queryset=certificates))


class CertificateViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """职业水平证书 / Qualification certificates in the caller's scope, with their registration status."""

    capability = capabilities.signed_in
    queryset = Certificate.objects.select_related("person")
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilter
    pagination_class = CertificatePagination

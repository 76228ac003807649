from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from shegong.accounts.security import client_ip
from shegong.core import capabilities
from shegong.core.capabilities import CapabilityAPIMixin
from shegong.core.pagination import KeysetPagination
from shegong.core.scoping import PUBLIC, ScopedAPIMixin

from .. import public
from ..filters import RegistrationFilter
from ..models import Registration
from .serializers import PublicCheckAnswerSerializer, PublicCheckRequestSerializer, RegistrationSerializer


class RegistrationPagination(KeysetPagination):
    keys = ("-id",)


class RegistrationViewSet(ScopedAPIMixin, viewsets.ReadOnlyModelViewSet):
    """证书登记 / Registration events (first, re-registration, change, cancellation, revocation) in the caller's scope."""

    capability = capabilities.signed_in
    queryset = Registration.objects.select_related("person", "certificate")
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilter
    pagination_class = RegistrationPagination


class PublicCertificateCheckView(CapabilityAPIMixin, APIView):
    """登记查询 / Public registration check: minimal answer, no sign-in, limited per client address.

    The same plain "not found" answers a wrong number, a wrong name and an unknown record.
    """

    capability = capabilities.public
    scope_policy = PUBLIC
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=PublicCheckRequestSerializer,
        responses={200: PublicCheckAnswerSerializer, 429: OpenApiResponse(description="Too many checks")},
    )
    def post(self, request):
        serializer = PublicCheckRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        allowed, seconds = public.allow(client_ip(request))
        if not allowed:
            raise Throttled(wait=seconds, detail=_("Too many checks from your address; try again later."))
        registration = public.find(serializer.validated_data["number"], serializer.validated_data["name"])
        if registration is None:
            return Response({"found": False})
        return Response({"found": True, **public.answer(registration).as_dict()})

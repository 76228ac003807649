from rest_framework import viewsets

from shegong.core import capabilities
from shegong.core.capabilities import CapabilityAPIMixin
from shegong.core.pagination import KeysetPagination
from shegong.core.scoping import SCOPED

from ..filters import UserAPIFilter
from ..models import User
from .serializers import UserSerializer


class UserPagination(KeysetPagination):
    keys = ("username", "id")


class UserViewSet(CapabilityAPIMixin, viewsets.ReadOnlyModelViewSet):
    """账号 / Accounts the caller may see (their region's subtree for administrators), read-only.

    Filters: ``q`` (user name or name contains), ``role``, ``within`` (region code: its subtree),
    ``is_active``, ``must_change_password``.
    """

    capability = capabilities.signed_in  # visible_to: one's own account, or a manager's subtree
    scope_policy = SCOPED
    serializer_class = UserSerializer
    filterset_class = UserAPIFilter
    pagination_class = UserPagination
    lookup_field = "username"
    lookup_value_regex = r"[A-Za-z0-9_.@-]+"

    def get_queryset(self):
        return User.objects.visible_to(self.request.user).select_related("region")

from rest_framework import viewsets
from rest_framework.pagination import CursorPagination

from shegong.core.scoping import SCOPED

from ..filters import UserAPIFilter
from ..models import User
from .serializers import UserSerializer


class UserPagination(CursorPagination):
    ordering = "username"
    page_size = 50
    max_page_size = 500
    page_size_query_param = "page_size"


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """账号 / Accounts the caller may see (their region's subtree for administrators), read-only.

    Filters: ``q`` (user name or name contains), ``role``, ``within`` (region code: its subtree),
    ``is_active``, ``must_change_password``.
    """

    scope_policy = SCOPED
    serializer_class = UserSerializer
    filterset_class = UserAPIFilter
    pagination_class = UserPagination
    lookup_field = "username"
    lookup_value_regex = r"[A-Za-z0-9_.@-]+"

    def get_queryset(self):
        return User.objects.visible_to(self.request.user).select_related("region")

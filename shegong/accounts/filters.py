"""Filter sets shared by the account pages, the API and the exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.core.filters import BooleanFilter, RegionSubtreeFilter

from .models import User
from .roles import REGION_ROLES, Role

REGION_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value in REGION_ROLES]


class UserFilter(django_filters.FilterSet):
    """Accounts: by role, region subtree, active state and a search over user name and name.

    Always applied on top of ``User.objects.visible_to(user)``: the filters narrow, never widen.
    """

    q = django_filters.CharFilter(label=_("User name or name contains"), method="filter_q")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=REGION_ROLE_CHOICES)
    within = RegionSubtreeFilter(field_name="region__code", exclude_null=True)
    is_active = BooleanFilter(label=_("Active"))
    must_change_password = BooleanFilter(label=_("Initial password not yet changed"))
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("username", "username"),
            ("full_name", "full_name"),
            ("role", "role"),
            ("region", "region"),
            ("last_login", "last_login"),
            ("date_joined", "date_joined"),
        ),
        field_labels={
            "username": _("User name"),
            "full_name": _("Name"),
            "role": _("Role"),
            "region": _("Region"),
            "last_login": _("Last sign-in"),
            "date_joined": _("Created"),
        },
    )

    class Meta:
        model = User
        fields = ["q", "role", "within", "is_active", "must_change_password"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value))


class UserAPIFilter(UserFilter):
    """The API pages with a cursor ordered by user name, so it has no sort parameter."""

    class Meta(UserFilter.Meta):
        pass


del UserAPIFilter.base_filters["sort"]

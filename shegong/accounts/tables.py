"""The export table of the account list: the list page's export runs through the engine.

Not importable: accounts are created one by one or issued in bulk (``issue_admin_accounts``), never
from a file. The rows are ``User.objects.visible_to(user)`` (the account administrators' own
rule, not the general ``visible_to``), selected again when the job runs.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.tabular import columns as c
from shegong.core.tabular.spec import TableSpec, register

from . import permissions
from .filters import UserFilter
from .models import User

# Generous for any official's scope (the whole country has a few tens of thousands of official accounts).
EXPORT_MAX_ROWS = 200_000


def _time(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class AccountTable(TableSpec):
    def can_export(self, user):
        return permissions.can_list_users(user)

    def export_queryset(self, user, filters):
        from .models import User

        queryset = User.objects.visible_to(user)
        if filters:
            filterset = UserFilter(filters, queryset=queryset)
            queryset = filterset.qs if filterset.is_valid() else queryset.none()
        return queryset.order_by("region_id", "username")

    def export_rows(self, queryset, context):
        regions = context.region_names()
        yes, no = _("Yes"), _("No")
        roles = dict(User._meta.get_field("role").choices)
        rows = queryset.values_list(
            "username",
            "full_name",
            "role",
            "region_id",
            "phone",
            "is_active",
            "must_change_password",
            "last_login",
            "date_joined",
        )
        for username, full_name, role, region, phone, active, must_change, last_login, joined in rows.iterator(
            chunk_size=2000
        ):
            yield [
                username,
                full_name,
                str(roles.get(role, role)),
                region or "",
                regions.get(region, "") if region else "",
                phone,
                yes if active else no,
                yes if must_change else no,
                _time(last_login),
                _time(joined),
            ]


accounts = register(
    AccountTable(
        name="accounts",
        title=gettext_lazy("Accounts"),
        description=gettext_lazy("The accounts of the account list, with its filters."),
        model=User,
        order=910,
        key=("username",),
        importable=False,
        filterset_class=UserFilter,
        region_field="region__code",
        export_kind="accounts.export",
        export_max_rows=EXPORT_MAX_ROWS,
        columns=[
            c.IdentifierTextColumn("username", gettext_lazy("User name"), gettext_lazy("User name"), width=18),
            c.TextColumn("full_name", gettext_lazy("Name"), gettext_lazy("Name"), width=18),
            c.TextColumn("role", gettext_lazy("Role"), gettext_lazy("Role"), width=24),
            c.IdentifierTextColumn("region_code", gettext_lazy("Region code"), gettext_lazy("Region code"), width=10),
            c.TextColumn("region", gettext_lazy("Region"), gettext_lazy("Region"), width=24),
            c.IdentifierTextColumn("phone", gettext_lazy("Telephone"), gettext_lazy("Telephone"), width=16),
            c.TextColumn("active", gettext_lazy("Active"), gettext_lazy("Active"), width=8),
            c.TextColumn(
                "must_change_password",
                gettext_lazy("Initial password not yet changed"),
                gettext_lazy("Initial password not yet changed"),
                width=12,
            ),
            c.TextColumn("last_login", gettext_lazy("Last sign-in"), gettext_lazy("Last sign-in"), width=17),
            c.TextColumn("date_joined", gettext_lazy("Created"), gettext_lazy("Created"), width=17),
        ],
    )
)

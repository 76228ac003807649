from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shegong.core import capabilities


class OrganizationsConfig(AppConfig):
    name = "shegong.organizations"
    label = "organizations"
    verbose_name = _("Organizations and associations")

    def ready(self):
        from shegong.accounts.management.commands import seed_demo
        from shegong.core import navigation

        from . import flows
        from .seed import seed_demo_organizations
        from .views import is_organization_user

        flows.register()
        if seed_demo_organizations not in seed_demo.EXTRA_SEEDERS:
            seed_demo.EXTRA_SEEDERS.append(seed_demo_organizations)
        navigation.register(
            navigation.NavItem(
                key="organizations",
                label=_("Organizations"),
                url_name="organizations:list",
                order=40,
                visible=capabilities.is_civil_affairs,
            ),
            navigation.NavItem(
                key="my-organization",
                label=_("My organization"),
                url_name="organizations:mine",
                order=15,
                visible=is_organization_user,
            ),
        )

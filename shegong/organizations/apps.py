from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shegong.core import capabilities


class OrganizationsConfig(AppConfig):
    name = "shegong.organizations"
    label = "organizations"
    verbose_name = _("Organizations and associations")

    def ready(self):
        from shegong.core import navigation, seeding

        from . import flows, national
        from .seed import seed_demo_organizations
        from .views import is_organization_user

        flows.register()
        national.register()  # organizations for seed_national, the organizations sample file
        seeding.register(seeding.DEMO, "organizations", seed_demo_organizations, order=20)
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

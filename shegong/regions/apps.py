from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "shegong.regions"
    label = "regions"
    verbose_name = _("Administrative divisions")

    def ready(self):
        from shegong.core import navigation

        from . import dashboard  # noqa: F401  (registers the home panel)

        navigation.register(
            navigation.NavItem(
                key="regions",
                label=_("Divisions"),
                url_name="regions:list",
                order=800,
                visible=lambda user: user.is_authenticated,
                group=navigation.ADMINISTRATION,
            )
        )

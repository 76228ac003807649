from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "shegong.services"
    label = "services"
    verbose_name = _("Services and supervision")

    def ready(self):
        # Each subdomain registers its flows, navigation, panels and generators from here.
        pass

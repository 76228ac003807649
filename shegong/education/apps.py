from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EducationConfig(AppConfig):
    name = "shegong.education"
    label = "education"
    verbose_name = _("Continuing education")

    def ready(self):
        from . import flows, hooks, ui

        flows.register()
        hooks.register()
        ui.register()

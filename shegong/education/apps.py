from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EducationConfig(AppConfig):
    name = "shegong.education"
    label = "education"
    verbose_name = _("Continuing education")

    def ready(self):
        from . import flows, hooks, national, ui

        flows.register()
        national.register()  # the study-hour ledger for seed_national
        hooks.register()
        ui.register()

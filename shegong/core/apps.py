from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shegong.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.core import checks

        from shegong.core import pdf

        checks.register(pdf.check_fonts, "shegong")  # which font the PDFs use (CID fallback: a warning)
        from shegong.core import deploy_checks, maintenance  # noqa: F401  (deploy checks, periodic tasks)

        from . import capabilities, dashboard, navigation
        from .tabular import setup as tabular_setup

        tabular_setup.ready()  # imports: menu entry and the periodic clean-up

        navigation.register(
            navigation.NavItem(
                key="tasks",
                label=_("My background jobs"),
                url_name="core:task-list",
                order=900,
                visible=lambda user: user.is_authenticated,
                group=navigation.ACCOUNT,
            )
        )
        navigation.register(
            navigation.NavItem(
                key="holiday-calendar",
                label=_("Holiday calendar"),
                url_name="holiday-calendar",
                order=880,
                visible=capabilities.manages_calendar,
                group=navigation.ADMINISTRATION,
            )
        )
        from shegong.core.views import calendar_panel

        dashboard.register(order=5)(calendar_panel)  # the operator's warning of a missing year
        from shegong.core.workflow.views import register_ui

        register_ui()  # the review engine's menu entries and home panel
        from shegong.core.audit import tasks as tasks_audit  # noqa: F401  (registers the daily audit-log pruning)
        from shegong.core.audit.views import register_navigation as register_audit_navigation

        register_audit_navigation()  # "Audit log" for audit administrators

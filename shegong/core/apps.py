from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shegong.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import navigation, tasks_maintenance  # noqa: F401  (registers periodic tasks)

        navigation.register(
            navigation.NavItem(
                key="tasks",
                label=_("My background jobs"),
                url_name="core:task-list",
                order=900,
                visible=lambda user: user.is_authenticated,
            )
        )

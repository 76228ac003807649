from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_worker(user):
    return getattr(user, "role", None) == "worker"


def _reviews_signups(user):
    return getattr(user, "role", None) in {"admin", "staff"} and getattr(user, "region_id", None) is not None


class WorkersConfig(AppConfig):
    name = "shegong.workers"
    label = "workers"
    verbose_name = _("Social workers")

    def ready(self):
        from shegong.accounts.management.commands import seed_demo
        from shegong.core import navigation

        from . import dashboard  # noqa: F401  (registers the home panels)
        from .demo import seed_workers

        navigation.register(
            navigation.NavItem(
                key="workers-me", label=_("My record"), url_name="workers:me", order=110, visible=_is_worker
            )
        )
        navigation.register(
            navigation.NavItem(
                key="workers-signups",
                label=_("Pending sign-ups"),
                url_name="workers:signup-list",
                order=300,
                visible=_reviews_signups,
            )
        )
        if seed_workers not in seed_demo.EXTRA_SEEDERS:
            seed_demo.EXTRA_SEEDERS.append(seed_workers)

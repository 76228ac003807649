"""Wiring done once at start-up (from CoreConfig.ready): the menu entry and the periodic clean-up."""

from django.utils.translation import gettext_lazy as _

from shegong.core.roles import CIVIL_AFFAIRS_ROLES


def _sees_imports(user):
    return getattr(user, "is_authenticated", False) and getattr(user, "role", None) in CIVIL_AFFAIRS_ROLES


def ready():
    from shegong.core import navigation

    from . import tasks  # noqa: F401  (registers the periodic clean-up)

    navigation.register(
        navigation.NavItem(key="imports", label=_("Imports"), url_name="tabular:list", order=800, visible=_sees_imports)
    )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shegong.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from shegong.core import navigation

        from . import security, signals

        signals.connect()
        from shegong.accounts.views.users import register_navigation

        register_navigation()  # "Users" for account managers (see permissions.py)
        navigation.register(
            navigation.NavItem(
                key="sign-in-security",
                label=_("Sign-in security"),
                url_name="accounts:security-lockouts",
                order=900,
                visible=security.is_security_admin,
                group=navigation.ADMINISTRATION,
            )
        )

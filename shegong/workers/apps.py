from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from shegong.core import capabilities

# Menu entries ask the capabilities: the holder's own pages, and the officials' (administrators and staff).
_is_worker = capabilities.is_social_worker
_reviews_signups = capabilities.is_civil_affairs
_is_official_reader = capabilities.is_civil_affairs


class WorkersConfig(AppConfig):
    name = "shegong.workers"
    label = "workers"
    verbose_name = _("Social workers")

    def ready(self):
        from shegong.core import navigation, seeding
        from shegong.core.scoping import ORGANIZATION_ROLES

        from . import dashboard, flows, national  # noqa: F401  (dashboard registers the home panels)

        flows.register()  # the transfer of a person to another region
        from .demo import seed_workers
        from .models import PersonQuerySet, employees_scope_q

        # Organization users see their current employees (Employment), read-only.
        PersonQuerySet.organization_scope = staticmethod(employees_scope_q)

        navigation.register(
            navigation.NavItem(
                key="workers-me", label=_("My record"), url_name="workers:me", order=110, visible=_is_worker
            ),
            navigation.NavItem(
                key="workers-signups",
                label=_("Pending sign-ups"),
                url_name="workers:signup-list",
                order=300,
                group=navigation.REGISTRY,
                visible=_reviews_signups,
            ),
            navigation.NavItem(
                key="workers-persons",
                label=_("Social workers"),
                url_name="workers:person-list",
                order=35,
                group=navigation.REGISTRY,
                visible=_is_official_reader,
            ),
            navigation.NavItem(
                key="workers-staff",
                label=_("Our staff"),
                url_name="workers:person-list",
                order=16,
                visible=lambda user: getattr(user, "role", None) in ORGANIZATION_ROLES,
            ),
            navigation.NavItem(
                key="workers-transfer",
                label=_("Request a transfer"),
                url_name="workers:transfer-new",
                order=320,
                group=navigation.REGISTRY,
                visible=capabilities.administers_region,
            ),
            navigation.NavItem(
                key="workers-checking",
                label=_("Records to check"),
                url_name="workers:checking",
                order=310,
                group=navigation.REGISTRY,
                visible=_reviews_signups,
            ),
            navigation.NavItem(
                key="workers-feedback",
                label=_("Holders' feedback"),
                url_name="workers:feedback-list",
                order=305,
                group=navigation.REGISTRY,
                visible=_reviews_signups,
            ),
        )
        national.register()  # persons and certificates for seed_national, the workers sample file
        seeding.register(seeding.DEMO, "workers", seed_workers, order=10)

"""The app's place in the shell: menu entries, home-page panels, the demo seeder (from EducationConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from shegong.core import capabilities, dashboard, navigation
from shegong.core.roles import Role


def is_worker(user):
    return capabilities.is_social_worker(user)


def is_provider(user):
    return getattr(user, "role", None) == Role.PROVIDER and getattr(user, "is_authenticated", False)


is_official = capabilities.is_civil_affairs  # the education menu's officials: administrators and staff


def education_panel(request):
    """A social worker's hours in the current period; a provider's upcoming activities."""
    user = request.user
    if is_worker(user):
        from shegong.education import queries as S
        from shegong.education.views.ledger import own_person

        person = own_person(user)
        if person is None:
            return None
        return {
            "template": "education/_panel_worker.html",
            "title": _("Continuing education"),
            "progress": S.progress(person),
        }
    if is_provider(user):
        from django.utils import timezone

        from .models import Activity

        upcoming = Activity.objects.visible_to(user).filter(ends_at__gte=timezone.now()).count()
        return {"template": "education/_panel_provider.html", "title": _("My activities"), "upcoming": upcoming}
    return None


def register():
    from shegong.core import seeding

    from .demo import seed_education

    navigation.register(
        navigation.NavItem(
            key="education-me", label=_("My study hours"), url_name="education:me", order=112, visible=is_worker
        ),
        navigation.NavItem(
            key="education-activities",
            label=_("Courses"),
            url_name="education:activity-list",
            order=114,
            visible=is_worker,
        ),
        navigation.NavItem(
            key="education-provider",
            label=_("My activities"),
            url_name="education:provider-home",
            order=12,
            visible=is_provider,
        ),
        navigation.NavItem(
            key="education-compliance",
            label=_("Continuing-education compliance"),
            url_name="education:compliance",
            order=60,
            visible=is_official,
            group=navigation.EDUCATION,
        ),
        navigation.NavItem(
            key="education-providers",
            label=_("Education providers"),
            url_name="education:provider-list",
            order=62,
            visible=is_official,
            group=navigation.EDUCATION,
        ),
    )
    dashboard.register(order=35)(education_panel)
    # Attendance of the workers' demo persons; after the demo registrations (order 30), whose periods
    # the standings count.
    seeding.register(seeding.DEMO, "education", seed_education, order=40, after=("workers",))

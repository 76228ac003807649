"""The registration app's panel on a social worker's home page: their registration, and a warning
from REGISTRATION_EXPIRY_WARNING_DAYS (default 90) days before it expires."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core import capabilities, dashboard
from shegong.workers.models import Person
from shegong.workers.status import RegistrationStatus, in_window, status_of

from . import conf


@dashboard.register(order=33)
def my_registration(request):
    user = request.user
    if not capabilities.is_social_worker(user) or getattr(user, "person_id", None) is None:
        return None
    person = Person.objects.visible_to(user).filter(pk=user.person_id).first()
    if person is None:
        return None
    today = timezone.localdate()
    status = status_of(person, today)
    valid_to = person.registration_valid_to
    registered = status in (RegistrationStatus.REGISTERED, RegistrationStatus.EXPIRING)
    days_left = (valid_to - today).days if registered and valid_to else None
    return {
        "template": "registration/_panel_my_registration.html",
        "title": _("My registration"),
        "status": RegistrationStatus(status).label,
        "registered": registered,
        "valid_to": valid_to if registered else None,
        "days_left": days_left,
        "warn": days_left is not None and days_left <= conf.expiry_warning_days(),
        "renewal_open": registered and in_window(valid_to, today),
    }

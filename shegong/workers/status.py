"""A social worker's registration status: THE one derivation, in Python and in SQL.

The registration app keeps two denormalised columns on ``Person`` and on ``Certificate`` (and
nothing else writes them; see ``shegong.registration.services.sync_status``):

- ``registration_state``: what the latest registration event left behind, independent of the date
  (none, registered, lapsed, cancelled, revoked);
- ``registration_valid_to``: the last day of validity of that registration.

The status shown and counted everywhere is derived from those two columns and today's date by
``derive_status`` (one object) and ``status_q`` (a filter), which agree by construction (a test checks
it on generated data). "Expiring" means registered and inside the re-registration window before
expiry; "lapsed" means the validity has ended, whether or not the daily task has marked the
registration lapsed yet, so the status never depends on when that task last ran.

Settings (UNVERIFIED rules, docs/domain.md, Registration):
``REGISTRATION_RENEWAL_WINDOW_MONTHS`` (default 3): the window before expiry in which
re-registration is open, and in which a registration counts as "expiring".
"""

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DEFAULT_RENEWAL_WINDOW_MONTHS = 3


class RegistrationState(models.TextChoices):
    """Stored on Person and Certificate; written only by the registration services."""

    NONE = "none", _("Never registered")
    REGISTERED = "registered", _("Registered")
    LAPSED = "lapsed", _("Lapsed")
    CANCELLED = "cancelled", pgettext_lazy("registration", "Cancelled")
    REVOKED = "revoked", pgettext_lazy("registration", "Revoked")


class RegistrationStatus(models.TextChoices):
    """What is shown, filtered and counted."""

    NOT_REGISTERED = "not_registered", _("Not registered")
    REGISTERED = "registered", _("Registered")
    EXPIRING = "expiring", _("Expiring soon")
    LAPSED = "lapsed", _("Lapsed")
    CANCELLED = "cancelled", pgettext_lazy("registration", "Cancelled")
    REVOKED = "revoked", pgettext_lazy("registration", "Revoked")


STATUS_BADGES = {
    RegistrationStatus.NOT_REGISTERED: "text-bg-secondary",
    RegistrationStatus.REGISTERED: "text-bg-success",
    RegistrationStatus.EXPIRING: "text-bg-warning",
    RegistrationStatus.LAPSED: "text-bg-danger",
    RegistrationStatus.CANCELLED: "text-bg-dark",
    RegistrationStatus.REVOKED: "text-bg-dark",
}


def add_months(day, months):
    """``day`` moved by whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day, years):
    return add_months(day, 12 * years)


def renewal_window_months():
    return int(getattr(settings, "REGISTRATION_RENEWAL_WINDOW_MONTHS", DEFAULT_RENEWAL_WINDOW_MONTHS))


def in_window(valid_to, today=None):
    """Whether ``today`` lies in the re-registration window of a registration valid until ``valid_to``.

    The window is the last ``REGISTRATION_RENEWAL_WINDOW_MONTHS`` months of validity: today is in it
    when the expiry is no later than today plus that many months (and not yet past).
    """
    today = _today(today)
    return valid_to is not None and today <= valid_to <= expiring_threshold(today)


def window_opens_on(valid_to):
    """The first day of the re-registration window of a registration valid until ``valid_to``."""
    day = add_months(valid_to, -renewal_window_months()) - timedelta(days=3)
    while valid_to > expiring_threshold(day):
        day += timedelta(days=1)
    return day


def _today(today):
    return today or timezone.localdate()


def derive_status(state, valid_to, today=None):
    """THE status of a person or certificate from its stored state and expiry."""
    today = _today(today)
    if state == RegistrationState.REGISTERED:
        if valid_to is None:
            return RegistrationStatus.REGISTERED
        if valid_to < today:
            return RegistrationStatus.LAPSED
        if valid_to <= expiring_threshold(today):
            return RegistrationStatus.EXPIRING
        return RegistrationStatus.REGISTERED
    return {
        RegistrationState.LAPSED: RegistrationStatus.LAPSED,
        RegistrationState.CANCELLED: RegistrationStatus.CANCELLED,
        RegistrationState.REVOKED: RegistrationStatus.REVOKED,
    }.get(state, RegistrationStatus.NOT_REGISTERED)


def status_of(obj, today=None):
    """The status of a Person or Certificate (anything with the two stored columns)."""
    return derive_status(obj.registration_state, obj.registration_valid_to, today)


def expiring_threshold(today=None):
    """A registration valid until a day on or before this is in the window (if not yet expired)."""
    return add_months(_today(today), renewal_window_months())


def status_q(status, today=None, prefix=""):
    """The rows whose ``derive_status`` is ``status``, as a filter (``prefix`` e.g. "person__")."""
    today = _today(today)
    state, valid_to = f"{prefix}registration_state", f"{prefix}registration_valid_to"
    edge = expiring_threshold(today)
    registered = models.Q(**{state: RegistrationState.REGISTERED})
    if status == RegistrationStatus.NOT_REGISTERED:
        return models.Q(**{state: RegistrationState.NONE})
    if status == RegistrationStatus.REGISTERED:
        return registered & (models.Q(**{f"{valid_to}__isnull": True}) | models.Q(**{f"{valid_to}__gt": edge}))
    if status == RegistrationStatus.EXPIRING:
        return registered & models.Q(**{f"{valid_to}__gte": today, f"{valid_to}__lte": edge})
    if status == RegistrationStatus.LAPSED:
        return models.Q(**{state: RegistrationState.LAPSED}) | (registered & models.Q(**{f"{valid_to}__lt": today}))
    if status == RegistrationStatus.CANCELLED:
        return models.Q(**{state: RegistrationState.CANCELLED})
    if status == RegistrationStatus.REVOKED:
        return models.Q(**{state: RegistrationState.REVOKED})
    return models.Q(pk__in=[])

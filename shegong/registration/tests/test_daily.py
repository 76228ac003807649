"""The daily task: reminders 90 and 30 days before expiry (once each), lapse the day after expiry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shegong.core.models import Notification
from shegong.core.schedule import registered as periodic
from shegong.registration import services
from shegong.registration.models import Registration, RegistrationReminder, RowStatus
from shegong.workers.models import Certificate, Person
from shegong.workers.status import RegistrationState, RegistrationStatus
from tests.factories import holder

from .helpers import registered

pytestmark = pytest.mark.django_db


def test_the_daily_task_is_registered():
    entries = [entry for entry in periodic() if entry.path.endswith("daily_registration_task")]
    assert len(entries) == 1 and entries[0].every == timedelta(days=1)


def test_reminders_90_and_30_days_before_expiry_exactly_once(django_capture_on_commit_callbacks, settings, caplog):
    user, _person, certificate = holder(1)
    registration = registered(certificate, days_left=100)
    today = timezone.localdate()
    expiry = registration.valid_to
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(expiry - timedelta(days=91)) == 0
        assert services.send_reminders(expiry - timedelta(days=90)) == 1
        assert services.send_reminders(expiry - timedelta(days=90)) == 0  # the same day again
        assert services.send_reminders(expiry - timedelta(days=60)) == 0
        with caplog.at_level("INFO", logger="shegong.registration.reminders"):
            assert services.send_reminders(expiry - timedelta(days=30)) == 1
        assert services.send_reminders(expiry - timedelta(days=10)) == 0
    assert sorted(RegistrationReminder.objects.values_list("days_before", flat=True)) == [30, 90]
    notices = Notification.objects.filter(user=user)
    assert notices.count() == 2 and all(registration.number in n.text for n in notices)
    assert "reminder to person" in caplog.text and "139****1111" in caplog.text  # masked phone
    assert "13900001111" not in caplog.text
    assert today  # (dates above are relative to the expiry)


def test_a_missed_reminder_is_not_sent_late():
    _user, _person, certificate = holder(1)
    registration = registered(certificate, days_left=100)
    assert services.send_reminders(registration.valid_to - timedelta(days=20)) == 1
    assert list(RegistrationReminder.objects.values_list("days_before", flat=True)) == [30]


def test_reminder_days_are_a_setting(settings):
    settings.REGISTRATION_REMINDER_DAYS = [60]
    _user, _person, certificate = holder(1)
    registration = registered(certificate, days_left=100)
    assert services.send_reminders(registration.valid_to - timedelta(days=90)) == 0
    assert services.send_reminders(registration.valid_to - timedelta(days=60)) == 1


def sent_to(person, text):
    sent_to.calls.append((person.pk, text))


sent_to.calls = []


def test_the_sender_is_pluggable(settings, django_capture_on_commit_callbacks):
    settings.REGISTRATION_REMINDER_SENDER = "shegong.registration.tests.test_daily.sent_to"
    sent_to.calls.clear()
    _user, person, certificate = holder(1)
    registration = registered(certificate, days_left=100)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_reminders(registration.valid_to - timedelta(days=30))
    assert sent_to.calls and sent_to.calls[0][0] == person.pk


def test_lapse_the_day_after_expiry_and_status_stays_consistent(django_capture_on_commit_callbacks):
    user, person, certificate = holder(1)
    registration = registered(certificate, days_left=10)
    expiry = registration.valid_to
    assert services.mark_lapsed(expiry) == 0  # the last valid day
    with django_capture_on_commit_callbacks(execute=True):
        assert services.mark_lapsed(expiry + timedelta(days=1)) == 1
    registration.refresh_from_db()
    person.refresh_from_db()
    assert registration.status == RowStatus.LAPSED
    assert person.registration_state == RegistrationState.LAPSED
    assert Certificate.objects.get(pk=certificate.pk).registration_state == RegistrationState.LAPSED
    # the bulk update gives the same as THE derivation from the rows
    assert services.sync_status(person) == RegistrationState.LAPSED
    assert Notification.objects.filter(user=user, text__contains="lapsed").count() == 1
    assert services.mark_lapsed(expiry + timedelta(days=2)) == 0


def test_status_is_lapsed_before_the_task_runs():
    _user, person, certificate = holder(1)
    registration = registered(certificate, days_left=1)
    Registration.objects.filter(pk=registration.pk).update(valid_to=timezone.localdate() - timedelta(days=1))
    services.sync_status(person)
    person.refresh_from_db()
    assert person.registration_state == RegistrationState.REGISTERED
    assert person.registration_status == RegistrationStatus.LAPSED
    assert (
        Person.objects.filter(pk=person.pk)
        .filter(__import__("shegong.workers.status", fromlist=["status_q"]).status_q(RegistrationStatus.LAPSED))
        .exists()
    )


def test_daily_runs_lapse_then_reminders():
    _user, _person, certificate = holder(1)
    registered(certificate, days_left=30)
    _u2, _p2, certificate2 = holder(2)
    r2 = registered(certificate2, days_left=3)
    Registration.objects.filter(pk=r2.pk).update(valid_to=timezone.localdate() - timedelta(days=1))
    assert services.daily() == {"lapsed": 1, "reminded": 1}

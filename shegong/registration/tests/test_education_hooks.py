"""Continuing education counts hours per registration period, learnt from this app through education's
hooks (registration/hooks.py): education, the lower app, never reads the registration table itself."""

import pytest

from shegong.education import hooks as education_hooks
from shegong.education import queries as education
from shegong.education.models import StudyStanding
from shegong.education.services.ledger import refresh_standings
from shegong.registration.models import RowStatus
from shegong.registration.tests.helpers import registered
from tests.factories import holder

pytestmark = pytest.mark.django_db


def test_a_registration_in_force_is_the_study_period_and_a_revoked_one_is_not():
    _user, person, certificate = holder(1)
    assert education.current_period(person).source == "certificate"
    registration = registered(certificate, days_left=600)
    period = education.current_period(person)
    assert (period.start, period.end, period.source, period.registration_id) == (
        registration.valid_from,
        registration.valid_to,
        "registration",
        registration.pk,
    )
    assert education_hooks.registrations_by_person([person.pk]) == {
        person.pk: [(registration.valid_from, registration.valid_to, registration.pk)]
    }
    registration.status = RowStatus.REVOKED
    registration.save(update_fields=["status"])
    assert education.current_period(person).source == "certificate"
    assert education_hooks.registrations_by_person([person.pk]) == {}


def test_saving_a_registration_refreshes_the_standing_after_commit(django_capture_on_commit_callbacks):
    _user, person, certificate = holder(2)
    with django_capture_on_commit_callbacks(execute=True):
        registration = registered(certificate, days_left=400)
    standing = StudyStanding.objects.get(person=person)
    assert (standing.period_start, standing.period_end) == (registration.valid_from, registration.valid_to)


def test_the_daily_refresh_counts_from_the_registrations():
    _user, person, certificate = holder(3)
    registration = registered(certificate, days_left=200)
    StudyStanding.objects.all().delete()
    refresh_standings()
    standing = StudyStanding.objects.get(person=person)
    assert (standing.period_start, standing.period_end) == (registration.valid_from, registration.valid_to)

"""THE registration status: the Python derivation and the SQL filter agree on every state and date."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shegong.workers.models import Person
from shegong.workers.status import (
    RegistrationState,
    RegistrationStatus,
    add_months,
    derive_status,
    in_window,
    status_q,
    window_opens_on,
)
from tests.factories import PersonFactory

TODAY = date(2026, 11, 26)


def test_add_months_clamps_to_the_month_end():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 3, 31), -1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 26), 14) == date(2028, 1, 26)


@pytest.mark.parametrize(
    ("state", "days", "expected"),
    [
        (RegistrationState.NONE, None, RegistrationStatus.NOT_REGISTERED),
        (RegistrationState.REGISTERED, 400, RegistrationStatus.REGISTERED),
        (RegistrationState.REGISTERED, 93, RegistrationStatus.REGISTERED),
        (RegistrationState.REGISTERED, 92, RegistrationStatus.EXPIRING),
        (RegistrationState.REGISTERED, 89, RegistrationStatus.EXPIRING),
        (RegistrationState.REGISTERED, 0, RegistrationStatus.EXPIRING),  # the last valid day
        (RegistrationState.REGISTERED, -1, RegistrationStatus.LAPSED),  # before the daily task ran
        (RegistrationState.LAPSED, -30, RegistrationStatus.LAPSED),
        (RegistrationState.CANCELLED, 100, RegistrationStatus.CANCELLED),
        (RegistrationState.REVOKED, 100, RegistrationStatus.REVOKED),
    ],
)
def test_derive_status(state, days, expected):
    valid_to = TODAY + timedelta(days=days) if days is not None else None
    assert derive_status(state, valid_to, TODAY) == expected


def test_window_opens_three_months_before_expiry(settings):
    valid_to = date(2027, 5, 31)
    opens = window_opens_on(valid_to)
    assert not in_window(valid_to, opens - timedelta(days=1)) and in_window(valid_to, opens)
    assert opens == date(2027, 3, 1)
    settings.REGISTRATION_RENEWAL_WINDOW_MONTHS = 6
    assert window_opens_on(valid_to) == date(2026, 12, 1)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None)
@given(
    cases=st.lists(
        st.tuples(
            st.sampled_from(list(RegistrationState)),
            st.one_of(st.none(), st.integers(min_value=-400, max_value=400)),
        ),
        min_size=1,
        max_size=8,
    ),
    today_shift=st.integers(min_value=0, max_value=365),
)
def test_python_and_sql_agree(cases, today_shift):
    """For any stored state and expiry, the row is selected by status_q(s) exactly when derive_status gives s."""
    today = TODAY + timedelta(days=today_shift)
    Person.objects.all().delete()
    expected = {}
    for state, days in cases:
        valid_to = None if days is None or state == RegistrationState.NONE else today + timedelta(days=days)
        person = PersonFactory(registration_state=state, registration_valid_to=valid_to)
        expected[person.pk] = derive_status(state, valid_to, today)
    for status in RegistrationStatus:
        selected = set(Person.objects.filter(status_q(status, today)).values_list("pk", flat=True))
        assert selected == {pk for pk, value in expected.items() if value == status}, status

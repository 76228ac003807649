"""What a holder's home and person pages say about their registration: nothing about a validity or a
study-hour requirement before the first registration, and a warning from 90 days before expiry."""

import re

import pytest
from django.urls import reverse

from shegong.registration.tests.helpers import registered
from tests.factories import holder, official

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture(autouse=True)
def _chinese(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"  # the app's tests default to English


PERIOD = re.compile(r"\d{4}-\d{2}-\d{2}\s*[—–]\s*\d{4}-\d{2}-\d{2}")
REQUIREMENT = re.compile(r"/\s*72|共\s*72|72\s*学时|72 hours|of 72")


def pages_of(client, user, person):
    client.force_login(user)
    own = {
        "home": client.get(reverse("home"), **ZH).content.decode(),
        "my record": client.get(reverse("workers:me"), **ZH).content.decode(),
        "my study hours": client.get(reverse("education:me"), **ZH).content.decode(),
    }
    client.force_login(official(person.region_id, username="county_admin"))
    own["person page"] = client.get(reverse("workers:person-detail", args=[person.pk]), **ZH).content.decode()
    return own


def test_an_unregistered_holder_is_shown_no_validity_and_no_requirement(client):
    user, person, certificate = holder(1, level="assistant")
    for name, html in pages_of(client, user, person).items():
        assert not PERIOD.search(html), name
        assert not re.search(r"有效期至\s*\d", html), name
        assert not REQUIREMENT.search(html), name
        assert "尚未登记" in html, name


def test_a_registered_holder_sees_the_period_and_the_requirement(client):
    user, person, certificate = holder(2, level="assistant")
    registration = registered(certificate, days_left=600)
    pages = pages_of(client, user, person)
    assert registration.valid_to.strftime("%Y-%m-%d") in pages["home"]
    for name in ("home", "person page", "my study hours"):
        assert PERIOD.search(pages[name]) and REQUIREMENT.search(pages[name]), name
    assert 'data-testid="expiry-warning"' not in pages["home"]


@pytest.mark.parametrize(("days_left", "warned"), [(91, False), (90, True), (30, True), (0, True), (-1, False)])
def test_the_home_page_warns_from_90_days_before_expiry(client, days_left, warned):
    user, person, certificate = holder(3, level="assistant")
    registration = registered(certificate, days_left=days_left)
    client.force_login(user)
    home = client.get(reverse("home"), **ZH).content.decode()
    assert ('data-testid="expiry-warning"' in home) is warned
    if warned:
        warning = home[home.index('data-testid="expiry-warning"') :]
        assert registration.valid_to.strftime("%Y-%m-%d") in warning[: warning.index("</div>")]


def test_the_warning_days_are_a_setting(client, settings):
    settings.REGISTRATION_EXPIRY_WARNING_DAYS = 120
    user, person, certificate = holder(4, level="assistant")
    registered(certificate, days_left=100)
    client.force_login(user)
    assert 'data-testid="expiry-warning"' in client.get(reverse("home"), **ZH).content.decode()
    settings.REGISTRATION_EXPIRY_WARNING_DAYS = 60
    assert 'data-testid="expiry-warning"' not in client.get(reverse("home"), **ZH).content.decode()

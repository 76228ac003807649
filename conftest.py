"""Shared test set-up: the division tree is loaded once per test database, factories in tests/factories.py."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from shegong.regions.services import load_divisions

    with django_db_blocker.unblock():
        load_divisions()


@pytest.fixture(autouse=True)
def _fresh_caches(settings):
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """SMS go to ``shegong.core.messaging.outbox`` in tests (e-mail to ``django.core.mail.outbox``)."""
    from shegong.core import messaging

    settings.SHEGONG_SMS_BACKEND = "shegong.core.messaging.LocmemSMSBackend"
    messaging.outbox.clear()
    yield messaging.outbox
    messaging.outbox.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 costs about 0.1 s a hash by design; tests that check the real hasher set it themselves
    (the production order is asserted in shegong/accounts/tests/test_password_hashing.py)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture
def region():
    from shegong.regions.models import Region

    return lambda code: Region.objects.get(code=code)


@pytest.fixture(autouse=True)
def _sign_in_with_second_factor(monkeypatch):
    """``client.force_login(user)`` and ``client.login(...)`` sign in fully, second factor included
    (administrators must use one; see tests.factories.login_verified). django-axes needs the request
    in ``authenticate``, so ``client.login`` passes a blank one. To test the second factor itself use
    the sign-in pages, or ``tests.factories.login_unverified``."""
    from django.contrib.auth import authenticate
    from django.http import HttpRequest
    from django.test import Client

    from tests import factories

    original = Client.force_login

    def force_login(self, user, backend=None):
        factories.login_verified(self, user, backend=backend)

    def login(self, **credentials):
        credentials.setdefault("request", HttpRequest())
        user = authenticate(**credentials)
        if user is None:
            return False
        factories.login_verified(self, user, backend=user.backend)
        return True

    force_login.original = original
    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "login", login)


@pytest.fixture
def totp():
    """Second-factor helpers for tests that sign in through the pages (browser tests included):
    ``totp.enrol(user) -> device``, ``totp.code(device) -> "123456"``, ``totp.code_for_secret(secret)``."""
    from types import SimpleNamespace

    from tests import factories

    return SimpleNamespace(
        enrol=factories.enrol_totp, code=factories.totp_code, code_for_secret=factories.totp_code_for_secret
    )

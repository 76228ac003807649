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


@pytest.fixture
def region():
    from shegong.regions.models import Region

    return lambda code: Region.objects.get(code=code)

import pytest
from django.utils import translation


@pytest.fixture
def field_key(settings, monkeypatch):
    monkeypatch.delenv("SHEGONG_FIELD_KEY_OLD", raising=False)
    settings.FIELD_KEY = "workers-test-key"
    settings.FIELD_KEY_OLD = ""
    settings.FIELD_KEY_FALLBACKS = []
    return settings


@pytest.fixture(autouse=True)
def _key_and_language(field_key):
    # Messages are asserted in English (the msgids); pages are requested with their own language.
    with translation.override("en"):
        yield field_key

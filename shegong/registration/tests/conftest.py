import sys
from types import ModuleType, SimpleNamespace

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _setup(settings, client):
    settings.FIELD_KEY = "registration-test-key"
    settings.FIELD_KEY_OLD = ""
    settings.FIELD_KEY_FALLBACKS = []
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = settings.VAR_DIR / "test-media"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def hours(monkeypatch):
    """Control the continuing-education check: ``hours.set(ok=..., credited=..., required=...)``;
    ``hours.unavailable()`` makes the education module unimportable."""
    state = {"ok": True, "credited": 90, "required": 72, "reason": "", "calls": []}

    def check(person, registration):
        state["calls"].append((person.pk, registration.pk))
        return SimpleNamespace(
            ok=state["ok"], credited=state["credited"], required=state["required"], reason=state["reason"]
        )

    module = ModuleType("shegong.education.queries")
    module.reregistration_hours_check = check
    monkeypatch.setitem(sys.modules, "shegong.education.queries", module)

    def set_(**values):
        state.update(values)

    def unavailable():
        monkeypatch.setitem(sys.modules, "shegong.education.queries", None)

    return SimpleNamespace(set=set_, unavailable=unavailable, state=state)

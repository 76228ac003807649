"""Session limits (idle and absolute), security headers, sign-out and the sign-in history."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from shegong.accounts.middleware import LOGIN_AT_KEY, IdleTimeoutMiddleware
from shegong.accounts.roles import Role
from shegong.core.models import AuditEvent
from tests.factories import PASSWORD, official

from .helpers import LOGIN, actions, fast_hashing, section, sign_in, url  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_hashing")]


def set_session(client, **values):
    session = client.session
    session.update(values)
    session.save()


def now():
    return int(timezone.now().timestamp())


def test_idle_timeout_signs_out(client):
    user = official("440106", Role.STAFF)
    client.force_login(user)
    assert client.get(url("accounts:profile")).status_code == 200
    set_session(client, **{IdleTimeoutMiddleware.KEY: now() - django_settings.SESSION_IDLE_SECONDS - 5})
    response = client.get(url("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.get(url("accounts:profile"))["Location"].startswith(LOGIN)
    assert AuditEvent.objects.get(action="accounts.logout").changes == {"reason": "idle"}


def test_activity_within_the_idle_limit_keeps_the_session(client):
    client.force_login(official("440106", Role.STAFF))
    set_session(client, **{IdleTimeoutMiddleware.KEY: now() - django_settings.SESSION_IDLE_SECONDS + 60})
    assert client.get(url("accounts:profile")).status_code == 200


def test_absolute_timeout_signs_out_even_an_active_session(client):
    client.force_login(official("440106", Role.STAFF))
    set_session(
        client,
        **{IdleTimeoutMiddleware.KEY: now() - 10, LOGIN_AT_KEY: now() - django_settings.SESSION_COOKIE_AGE - 5},
    )
    response = client.get(url("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert AuditEvent.objects.get(action="accounts.logout").changes == {"reason": "session_expired"}


def test_the_session_cookie_lives_at_most_the_absolute_limit(client):
    response = sign_in(client, official("440106", Role.STAFF).username, PASSWORD)
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == django_settings.SESSION_COOKIE_AGE
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_sign_out_is_audited(client):
    user = official("440106", Role.STAFF)
    sign_in(client, user.username, PASSWORD)
    assert client.post(url("logout")).status_code == 302
    assert actions(object_id=str(user.pk)) == ["accounts.login", "accounts.logout"]


def test_security_headers_on_the_sign_in_page(client):
    response = client.get(LOGIN)
    csp = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
        assert directive in csp
    assert "img-src 'self' data:" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response  # plain HTTP (the embedded run)


def test_hsts_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(LOGIN, secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")


def test_shegong_https_turns_on_hsts_and_secure_cookies():
    code = (
        "import json; from shegong import settings as s; "
        "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT]))"
    )
    # Production mode needs both keys (without them it refuses to start: core/tests/test_keys.py).
    env = {**os.environ, "SHEGONG_HTTPS": "1", "SHEGONG_SECRET_KEY": "s" * 50, "SHEGONG_FIELD_KEY": "f" * 32}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    hsts, session_secure, csrf_secure, redirect = __import__("json").loads(out)
    assert hsts >= 31536000 and session_secure and csrf_secure and redirect


def test_profile_lists_my_recent_sign_ins_with_addresses(client):
    user = official("440106", Role.STAFF)
    sign_in(client, user.username, "Wrong#Passw0rd", ip="10.3.3.3")
    sign_in(client, user.username, PASSWORD, ip="10.4.4.4")
    table = section(client.get(url("accounts:profile"), REMOTE_ADDR="10.4.4.4"), "recent-sign-ins")
    assert "10.3.3.3" in table and "10.4.4.4" in table
    assert table.count("<tr>") == 3  # header + failure + success
    # Someone else's sign-ins are not shown.
    other = official("440106", Role.STAFF)
    client.force_login(other)
    table = section(client.get(url("accounts:profile")), "recent-sign-ins")
    assert "10.3.3.3" not in table


def test_profile_shows_at_most_twenty(client):
    user = official("440106", Role.STAFF)
    for _ in range(22):
        client.force_login(user)
    table = section(client.get(url("accounts:profile")), "recent-sign-ins")
    assert table.count("<tr>") == 21

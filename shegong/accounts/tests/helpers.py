"""Signing in through the real pages in tests: the form, its CAPTCHA, the second factor."""

import re

import pytest
from captcha.models import CaptchaStore
from django.urls import reverse

from shegong.core.models import AuditEvent

LOGIN = "/accounts/login/"
VERIFY = "/accounts/2fa/verify/"
SETUP = "/accounts/2fa/setup/"
CAPTCHA_KEY = re.compile(r'name="captcha_0" value="([0-9a-f]+)"')


@pytest.fixture
def fast_hashing(settings):
    """Argon2 (the configured hasher) is slow by design; these tests are not about it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


def captcha_answer(response):
    """The fields that answer the CAPTCHA on a rendered sign-in page, or {} if it shows none."""
    match = CAPTCHA_KEY.search(response.content.decode())
    if not match:
        return {}
    key = match.group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def sign_in(client, username, password, *, ip="127.0.0.1", next_url=""):
    """Post the sign-in form like a person would: answering the CAPTCHA whenever it is shown."""
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    answer = captcha_answer(client.get(LOGIN, REMOTE_ADDR=ip))
    response = client.post(LOGIN, {**data, **answer}, REMOTE_ADDR=ip)
    if response.status_code == 200 and not answer and 'id="id_captcha_error_1"' in response.content.decode():
        # The user name (not the address) had a failure: the form asks for the CAPTCHA now.
        response = client.post(LOGIN, {**data, **captcha_answer(response)}, REMOTE_ADDR=ip)
    return response


def section(response, testid):
    """The HTML of the element marked ``data-testid=testid`` (up to the end of its table or block)."""
    html = response.content.decode()
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</table>", start) if "</table>" in html[start:] else None]


def actions(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("at", "id").values_list("action", flat=True))


def url(name, *args):
    return reverse(name, args=args)

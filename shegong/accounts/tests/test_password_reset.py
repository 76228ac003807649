"""Forgotten password: a one-time code for self-service accounts, the same answer for everyone, limits, audit."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from shegong.accounts.roles import Role
from shegong.accounts.services import reset
from shegong.core.models import AuditEvent
from tests.factories import UserFactory, official

pytestmark = pytest.mark.django_db

FORGOT = reverse("accounts:password-reset")
CODE_PAGE = reverse("accounts:password-reset-code")
NEW_PASSWORD = "Brand#New2026pass"


@pytest.fixture(autouse=True)
def _captcha_test_mode(monkeypatch):
    from captcha.conf import settings as captcha_settings

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


def worker(phone="13800138000", **kwargs):
    return UserFactory(username=phone, phone=phone, role=Role.WORKER, region_id=None, **kwargs)


def code_in(text):
    return re.search(r"\d{6}", text).group(0)


def ask(client, username):
    return client.post(FORGOT, {"username": username, "captcha_0": "x", "captcha_1": "passed"})


def answer_of(response):
    html = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html[html.index("<main") : html.index("</main>")])


def test_worker_resets_with_the_code_sent_by_sms(client, sms_outbox):
    user = worker()
    response = ask(client, "13800138000")
    assert response.status_code == 302 and response.url == CODE_PAGE
    assert [m.to for m in sms_outbox] == ["13800138000"]
    code = code_in(sms_outbox[0].text)
    assert code not in str(AuditEvent.objects.values_list("changes", flat=True))
    response = client.post(CODE_PAGE, {"code": code, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("login")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="accounts.password_reset_request", changes__channel="sms").exists()
    assert AuditEvent.objects.filter(action="accounts.password_reset_complete", actor=user).exists()


def test_the_code_is_single_use(client, sms_outbox):
    user = worker()
    ask(client, user.username)
    code = code_in(sms_outbox[0].text)
    assert reset.complete_reset(user.username, code, NEW_PASSWORD)
    with pytest.raises(ValidationError) as info:
        reset.complete_reset(user.username, code, "Another#2026pass")
    assert "code" in info.value.message_dict
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_wrong_codes_are_counted_and_the_code_dies(client, sms_outbox):
    user = worker()
    reset.request_reset(user.username)
    code = code_in(sms_outbox[0].text)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(reset.MAX_ATTEMPTS):
        assert not reset.check_code(user, wrong)
    assert not reset.check_code(user, code)  # gone after the last wrong try
    assert AuditEvent.objects.count() == 1


def test_expired_code_is_refused(client, sms_outbox, monkeypatch):
    import time

    user = worker()
    reset.request_reset(user.username)
    code = code_in(sms_outbox[0].text)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + reset.CODE_TTL + 1)
    assert not reset.check_code(user, code)


def test_organization_account_gets_the_code_by_email_when_it_has_no_phone(client, sms_outbox):
    user = UserFactory(username="org1", role=Role.ORG_ADMIN, region_id=None, email="org@example.cn", phone="")
    ask(client, "org1")
    assert not sms_outbox and [m.to for m in mail.outbox] == [["org@example.cn"]]
    code = code_in(mail.outbox[0].body)
    reset.complete_reset("org1", code, NEW_PASSWORD)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_officials_get_no_code_and_the_same_answer(client, sms_outbox):
    worker()
    official("440106", username="th_admin", phone="13900139000")
    with translation.override("zh-hans"):
        sent = answer_of(client.get(ask(client, "13800138000").url))
        client.session.flush()
        for username in ("th_admin", "nobody-here"):
            response = ask(client, username)
            assert response.status_code == 302 and response.url == CODE_PAGE
            assert answer_of(client.get(CODE_PAGE)) == sent
    assert [m.to for m in sms_outbox] == ["13800138000"]  # the official's phone got nothing
    outcomes = set(
        AuditEvent.objects.filter(action="accounts.password_reset_request").values_list("changes__outcome", flat=True)
    )
    assert outcomes == {"sent", "security_administrator", "no_such_account"}
    with pytest.raises(ValidationError):
        reset.complete_reset("th_admin", "123456", NEW_PASSWORD)


def test_the_reset_page_tells_officials_to_ask_their_security_administrator(client):
    with translation.override("zh-hans"):
        html = client.get(FORGOT, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="officials-note"' in html and "安全管理员" in html


def test_requests_are_limited_per_account_in_the_shared_store(client, sms_outbox, settings):
    settings.SHEGONG_PASSWORD_RESET_LIMITS = {"per_account": 2}
    user = worker()
    for _ in range(4):
        reset.request_reset(user.username)
    assert len(sms_outbox) == 2
    assert AuditEvent.objects.filter(changes__outcome="limited").count() == 2


def test_requests_are_limited_per_client_address(client, settings):
    settings.SHEGONG_PASSWORD_RESET_LIMITS = {"per_address": 2}
    for name in ("a", "b"):
        assert ask(client, name).status_code == 302
    response = ask(client, "c")
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_sign_in_page_links_to_reset_sign_up_and_the_public_check(client):
    html = client.get(reverse("login")).content.decode()
    for name in ("accounts:password-reset", "workers:signup", "organizations:signup", "registration:public-check"):
        assert f'href="{reverse(name)}"' in html

import re
from datetime import date

import pytest
from captcha.models import CaptchaStore
from django.urls import reverse

from shegong.accounts.roles import Role
from shegong.core import crypto
from shegong.core.identifiers import build_id_number
from shegong.core.models import AuditEvent
from shegong.workers import services
from shegong.workers.models import Person, SignupStatus, WorkerSignup
from tests.factories import CertificateFactory, PersonFactory, UserFactory, id_number_for, official

pytestmark = pytest.mark.django_db

PASSWORD = "Worker#2026pass"
NUMBER = build_id_number("440106", date(1990, 1, 1), 123)
SIGNUP = reverse("workers:signup")


def captcha_answer(client):
    page = client.get(SIGNUP)
    assert page.status_code == 200
    key = re.search(r'name="captcha_0" value="(\w+)"', page.content.decode()).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def signup_data(client, **overrides):
    data = {
        "name": "陈晓明",
        "id_number": NUMBER,
        "phone": "13800138000",
        "password1": PASSWORD,
        "password2": PASSWORD,
    } | captcha_answer(client)
    return data | overrides


def assert_no_inline_code(html):
    assert "<script>" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert 'style="' not in html


# --- sign-up page ---------------------------------------------------------------------------------


def test_signup_page_is_public_and_has_a_captcha(client):
    page = client.get(SIGNUP)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="captcha_1"' in html and "/captcha/image/" in html
    assert 'name="id_number"' in html and 'name="region_0"' in html
    assert_no_inline_code(html)


def test_captcha_image_is_public(client):
    key = re.search(r'name="captcha_0" value="(\w+)"', client.get(SIGNUP).content.decode()).group(1)
    assert client.get(reverse("captcha-image", kwargs={"key": key})).status_code == 200


def test_signup_matching_registry(client):
    person = services.register_person(actor=None, name="陈晓明", id_number=NUMBER, region="440106")
    response = client.post(SIGNUP, signup_data(client))
    assert response.status_code == 302 and response.url == reverse("workers:signup-done")
    person.refresh_from_db()
    assert person.account.username == "13800138000"
    done = client.get(response.url).content.decode()
    assert "Your account is ready" in done or "13800138000" not in done


def test_signup_wrong_captcha_creates_nothing(client):
    services.register_person(actor=None, name="陈晓明", id_number=NUMBER, region="440106")
    data = signup_data(client)
    data["captcha_1"] = "wrong"
    response = client.post(SIGNUP, data)
    assert response.status_code == 200
    assert response.context["form"].errors["captcha"]
    assert not Person.objects.filter(account__isnull=False).exists()


def test_signup_bad_id_number(client):
    response = client.post(SIGNUP, signup_data(client, id_number="340524198001010013"))
    assert response.status_code == 200
    assert "id_number" in response.context["form"].errors
    assert not WorkerSignup.objects.exists()


def test_signup_password_rules(client):
    response = client.post(SIGNUP, signup_data(client, password1="abc", password2="abc"))
    assert "password1" in response.context["form"].errors
    response = client.post(SIGNUP, signup_data(client, password2="Other#2026pass"))
    assert "password2" in response.context["form"].errors


def test_signup_not_found_asks_for_a_county_then_waits(client):
    response = client.post(SIGNUP, signup_data(client))
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    data = signup_data(client, region_0="440000", region_1="440100", region_2="440106")
    response = client.post(SIGNUP, data)
    assert response.status_code == 302
    signup = WorkerSignup.objects.get()
    assert signup.status == SignupStatus.PENDING and signup.claimed_region_id == "440106"
    done = client.get(response.url).content.decode()
    assert "天河区" in done


def test_signed_in_user_is_sent_home(client):
    client.force_login(official("440106"))
    assert client.get(SIGNUP).status_code == 302


def test_public_region_picker(client):
    response = client.get(
        reverse("regions:picker"), {"name": "region", "id": "id_region", "region_0": "440000", "changed": "0"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "广州市" in html and 'name="region_1"' in html


# --- pending sign-ups ------------------------------------------------------------------------------


def pending(region="440106", number=NUMBER, phone="13800138000"):
    return services.sign_up_worker("陈晓明", number, phone, PASSWORD, claimed_region=region).signup


def test_pending_list_is_scoped_and_masked(client):
    tianhe = pending("440106")
    wuhou_number = id_number_for(5, "510107")
    pending("510107", wuhou_number, "13900139000")
    client.force_login(official("440106"))
    response = client.get(reverse("workers:signup-list"))
    html = response.content.decode()
    assert list(response.context["signups"]) == [tianhe]
    assert NUMBER not in html and wuhou_number not in html
    assert NUMBER[:6] + "********" + NUMBER[-4:] in html
    assert "13800138000" not in html and "138****8000" in html
    assert_no_inline_code(html)


def test_other_county_cannot_see_or_decide(client):
    signup = pending("440106")
    client.force_login(official("510107"))
    assert client.get(reverse("workers:signup-detail", args=[signup.pk])).status_code == 404
    assert client.post(reverse("workers:signup-confirm", args=[signup.pk]), {}).status_code == 404
    assert client.post(reverse("workers:signup-reject", args=[signup.pk]), {"reason": "x"}).status_code == 404
    signup.refresh_from_db()
    assert signup.status == SignupStatus.PENDING


def test_worker_cannot_list_or_decide(client):
    signup = pending("440106")
    client.force_login(signup.user)
    response = client.get(reverse("workers:signup-list"))
    assert list(response.context["signups"]) == []
    assert client.post(reverse("workers:signup-confirm", args=[signup.pk]), {}).status_code in (403, 404)
    signup.refresh_from_db()
    assert signup.status == SignupStatus.PENDING


def test_read_only_staff_sees_but_cannot_decide(client):
    signup = pending("440106")
    client.force_login(official("440106", Role.STAFF))
    page = client.get(reverse("workers:signup-detail", args=[signup.pk]))
    assert page.status_code == 200 and not page.context["can_decide"]
    assert client.post(reverse("workers:signup-reject", args=[signup.pk]), {"reason": "x"}).status_code == 403
    signup.refresh_from_db()
    assert signup.status == SignupStatus.PENDING


def test_county_admin_confirms(client):
    signup = pending("440106")
    admin = official("440106")
    client.force_login(admin)
    page = client.get(reverse("workers:signup-detail", args=[signup.pk]))
    html = page.content.decode()
    assert page.context["can_decide"] and "data-confirm" in html
    assert_no_inline_code(html)
    response = client.post(reverse("workers:signup-confirm", args=[signup.pk]), {})
    assert response.status_code == 302
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CONFIRMED
    assert signup.person.account == signup.user and signup.person.region_id == "440106"


def test_city_admin_confirms_into_a_county(client):
    signup = pending("440106")
    client.force_login(official("440100"))
    response = client.post(reverse("workers:signup-confirm", args=[signup.pk]), {})
    assert response.status_code == 400  # a city official must choose the county
    response = client.post(reverse("workers:signup-confirm", args=[signup.pk]), {"region_1": "440104"})
    assert response.status_code == 302
    signup.refresh_from_db()
    assert signup.person.region_id == "440104"


def test_reject_requires_a_reason(client):
    signup = pending("440106")
    client.force_login(official("440106"))
    response = client.post(reverse("workers:signup-reject", args=[signup.pk]), {"reason": "  "})
    assert response.status_code == 400
    signup.refresh_from_db()
    assert signup.status == SignupStatus.PENDING
    response = client.post(reverse("workers:signup-reject", args=[signup.pk]), {"reason": "查无此证书"})
    assert response.status_code == 302
    signup.refresh_from_db()
    assert signup.status == SignupStatus.REJECTED and signup.reason == "查无此证书"


# --- my record ------------------------------------------------------------------------------------


def linked_worker(**person_kwargs):
    certificate = CertificateFactory(person=PersonFactory(**person_kwargs))
    worker = UserFactory(role=Role.WORKER, region_id=None)
    certificate.person.account = worker
    certificate.person.save()
    return worker, certificate


def test_my_record_shows_own_data_masked(client):
    worker, certificate = linked_worker(id_number=NUMBER, phone="13800138000")
    other = CertificateFactory()
    client.force_login(worker)
    html = client.get(reverse("workers:me")).content.decode()
    assert certificate.management_no in html and other.management_no not in html
    assert NUMBER not in html and NUMBER[:6] + "********" + NUMBER[-4:] in html
    assert "13800138000" not in html
    assert_no_inline_code(html)


def test_reveal_own_number_is_audited(client):
    worker, _certificate = linked_worker(id_number=NUMBER)
    client.force_login(worker)
    html = client.post(reverse("workers:me-reveal")).content.decode()
    assert NUMBER in html
    event = AuditEvent.objects.get(action="workers.id_reveal")
    assert event.actor == worker


def test_reveal_without_a_record_is_404(client):
    client.force_login(official("440106"))
    assert client.post(reverse("workers:me-reveal")).status_code == 404
    assert not AuditEvent.objects.filter(action="workers.id_reveal").exists()


def test_pending_worker_sees_the_waiting_state(client):
    signup = pending("440106")
    client.force_login(signup.user)
    html = client.get(reverse("workers:me")).content.decode()
    assert "天河区" in html
    services.reject_worker_signup(signup, "证书信息不符", actor=official("440106"))
    html = client.get(reverse("workers:me")).content.decode()
    assert "证书信息不符" in html


def test_admin_my_record_shows_no_one_elses_signup(client):
    pending("440106")
    client.force_login(official("440106"))
    response = client.get(reverse("workers:me"))
    assert response.context["signup"] is None and response.context["person"] is None


def test_navigation(client):
    worker, _ = linked_worker()
    client.force_login(worker)
    html = client.get(reverse("home")).content.decode()
    assert reverse("workers:me") in html and reverse("workers:signup-list") not in html
    client.force_login(official("440106"))
    html = client.get(reverse("home")).content.decode()
    assert reverse("workers:signup-list") in html and reverse("workers:me") not in html


def test_every_workers_view_declares_its_scope():
    from django.urls import get_resolver

    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "pattern", None) and str(pattern.pattern) in ("workers/", "captcha/"):
            for sub in pattern.url_patterns:
                view = sub.callback
                policy = getattr(view, "scope_policy", None) or getattr(
                    getattr(view, "view_class", None), "scope_policy", None
                )
                assert policy in ("public", "own", "scoped"), sub


def test_crypto_token_not_plaintext_in_database():
    person = PersonFactory(id_number=NUMBER)
    raw = Person.objects.filter(pk=person.pk).values_list("id_encrypted", flat=True).get()
    assert crypto.is_token(raw) and NUMBER not in raw

"""The public check: minimal disclosure, the same answer for every miss, rate limit per address, the API, the QR link."""

import pytest
from django.urls import reverse

from shegong.registration import public
from tests.factories import holder

from .helpers import registered

pytestmark = pytest.mark.django_db
CHECK = reverse("registration:public-check")
API = reverse("api-public-certificate-check")


@pytest.fixture
def record():
    _user, person, certificate = holder(1, name="陈晓明")
    return person, certificate, registered(certificate)


def answer_block(response):
    import re

    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)


def test_found_by_registration_number_with_minimal_disclosure(client, record):
    person, certificate, registration = record
    response = client.post(CHECK, {"number": registration.number, "name": "陈晓明"})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="check-answer"' in html
    card = html.split('data-testid="check-answer"')[1].split("</section>")[0]
    assert "陈*明" in card and "陈晓明" not in card
    assert "Registered" in card and f"{registration.valid_to:%Y-%m-%d}" in card
    from shegong.core import crypto

    number = crypto.decrypt(person.id_encrypted)
    assert number not in html and number[:6] not in card
    assert person.phone not in html and certificate.management_no not in html
    assert "天河" not in card and person.employer_name not in html  # no region, no employer


def test_found_by_management_number(client, record):
    _person, certificate, _registration = record
    response = client.post(CHECK, {"number": f" {certificate.management_no} ", "name": "陈晓明"})
    assert 'data-testid="check-answer"' in response.content.decode()


def test_wrong_name_unknown_number_and_unregistered_certificate_get_the_same_answer(client, record):
    _person, certificate, registration = record
    _u, _p, unregistered = holder(2, name="李静")
    wrong_name = client.post(CHECK, {"number": registration.number, "name": "张三"})
    unknown = client.post(CHECK, {"number": "44000000000000", "name": "张三"})
    no_registration = client.post(CHECK, {"number": unregistered.management_no, "name": "张三"})
    for response in (wrong_name, unknown, no_registration):
        assert response.status_code == 200
        assert 'data-testid="check-none"' in response.content.decode()

    def strip(r):
        return (
            answer_block(r)
            .replace(registration.number, "N")
            .replace("44000000000000", "N")
            .replace(unregistered.management_no, "N")
        )

    assert strip(wrong_name) == strip(unknown) == strip(no_registration)


def test_rate_limited_per_address_with_a_clear_message(client, settings, record):
    settings.REGISTRATION_PUBLIC_CHECK_LIMIT = 3
    _person, _certificate, registration = record
    for _ in range(3):
        assert client.post(CHECK, {"number": registration.number, "name": "陈晓明"}).status_code == 200
    limited = client.post(CHECK, {"number": registration.number, "name": "陈晓明"})
    assert limited.status_code == 429 and "Too many checks" in limited.content.decode()
    assert 'data-testid="check-answer"' not in limited.content.decode()
    assert int(limited["Retry-After"]) > 0
    # The API shares the limit of the same address.
    assert (
        client.post(API, {"number": registration.number, "name": "陈晓明"}, content_type="application/json").status_code
        == 429
    )
    # Another address is not limited.
    other = client.post(CHECK, {"number": registration.number, "name": "陈晓明"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_api_check_needs_no_login_and_answers_minimally(client, record):
    _person, _certificate, registration = record
    response = client.post(API, {"number": registration.number, "name": "陈晓明"}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["found"] is True and body["name"] == "陈*明" and body["status"] == "registered"
    assert set(body) == {
        "found",
        "name",
        "level",
        "level_name",
        "status",
        "status_name",
        "valid_from",
        "valid_to",
        "authority",
    }
    miss = client.post(API, {"number": registration.number, "name": "别人"}, content_type="application/json")
    assert miss.json() == {"found": False}
    assert client.post(API, {"number": ""}, content_type="application/json").status_code == 400


def test_qr_link_is_signed(client, record):
    _person, _certificate, registration = record
    good = client.get(reverse("registration:verify", args=[public.token_for(registration)]))
    assert good.status_code == 200 and 'data-testid="check-answer"' in good.content.decode()
    forged = client.get(reverse("registration:verify", args=["44" + registration.number]))
    assert 'data-testid="check-none"' in forged.content.decode()


def test_status_follows_the_certificate(client, record):
    _person, certificate, registration = record
    from shegong.registration import services
    from tests.factories import official

    services.revoke(registration, "虚假材料", actor=official("440000", username="gd"))
    response = client.post(CHECK, {"number": registration.number, "name": "陈晓明"})
    assert "Revoked" in response.content.decode()

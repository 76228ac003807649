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
        "followed_by",
        "followed_by_renewal",
    }
    assert body["followed_by"] is None and body["followed_by_renewal"] is False
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


# --- after a re-registration (issue 11 item 4) -------------------------------------------------------------


@pytest.fixture
def renewed(hours):
    """A holder re-registered through the review engine: (old registration, new registration)."""
    from datetime import timedelta

    from django.utils import timezone

    from shegong.registration import services
    from shegong.registration.models import RegistrationKind

    from .helpers import approve_both

    user, _person, certificate = holder(1, name="陈晓明")
    old = registered(certificate, days_left=40)  # inside the re-registration window
    request = services.apply(actor=user, kind=RegistrationKind.RENEWAL, certificate=certificate, declared=True)
    approve_both(request.application)
    request.refresh_from_db()
    new = request.registration
    old.refresh_from_db()
    assert new.number != old.number and new.valid_from == old.valid_to + timedelta(days=1)
    assert old.valid_to > timezone.localdate()
    return old, new


def card(response):
    html = response.content.decode()
    assert 'data-testid="check-answer"' in html, html
    return html.split('data-testid="check-answer"')[1].split("</section>")[0]


def test_old_number_answers_with_its_own_period_and_names_the_re_registration(client, renewed):
    old, new = renewed
    answer = card(client.post(CHECK, {"number": old.number, "name": "陈晓明"}))
    assert f"{old.valid_from:%Y-%m-%d} – {old.valid_to:%Y-%m-%d}" in answer  # its own period, not the new one
    assert f"{new.valid_to:%Y-%m-%d}" not in answer
    assert "Followed by a re-registration" in answer and 'data-testid="answer-followed-by"' in answer
    assert f"the registration number now is {new.number}" in answer


def test_new_number_answers_as_the_registration_in_force(client, renewed):
    old, new = renewed
    answer = card(client.post(CHECK, {"number": new.number, "name": "陈晓明"}))
    assert f"{new.valid_from:%Y-%m-%d} – {new.valid_to:%Y-%m-%d}" in answer
    assert "Registered" in answer and "answer-followed-by" not in answer and old.number not in answer


def test_api_answers_both_numbers(client, renewed):
    old, new = renewed
    before = client.post(API, {"number": old.number, "name": "陈晓明"}, content_type="application/json").json()
    assert before["found"] is True and before["status"] == "superseded"
    assert before["valid_from"] == f"{old.valid_from:%Y-%m-%d}" and before["valid_to"] == f"{old.valid_to:%Y-%m-%d}"
    assert before["followed_by"] == new.number and before["followed_by_renewal"] is True
    after = client.post(API, {"number": new.number, "name": "陈晓明"}, content_type="application/json").json()
    assert after["status"] == "registered" and after["followed_by"] is None
    assert after["valid_to"] == f"{new.valid_to:%Y-%m-%d}"
    assert client.post(API, {"number": old.number, "name": "别人"}, content_type="application/json").json() == {
        "found": False
    }


def test_management_number_answers_with_the_latest_registration(client, renewed):
    _old, new = renewed
    answer = card(client.post(CHECK, {"number": new.certificate.management_no, "name": "陈晓明"}))
    assert f"{new.valid_to:%Y-%m-%d}" in answer and "answer-followed-by" not in answer


def test_qr_links_of_both_certificates_after_a_re_registration(client, renewed):
    old, new = renewed
    old_page = card(client.get(reverse("registration:verify", args=[public.token_for(old)])))
    assert f"{old.valid_to:%Y-%m-%d}" in old_page and new.number in old_page
    new_page = card(client.get(reverse("registration:verify", args=[public.token_for(new)])))
    assert f"{new.valid_to:%Y-%m-%d}" in new_page and "answer-followed-by" not in new_page


def test_qr_link_is_not_throttled_like_number_guessing(client, settings, record):
    settings.REGISTRATION_PUBLIC_CHECK_LIMIT = 2
    settings.REGISTRATION_PUBLIC_LINK_LIMIT = 6
    _person, _certificate, registration = record
    for _ in range(2):
        assert client.post(CHECK, {"number": registration.number, "name": "陈晓明"}).status_code == 200
    assert client.post(CHECK, {"number": registration.number, "name": "陈晓明"}).status_code == 429
    link = reverse("registration:verify", args=[public.token_for(registration)])
    for _ in range(6):  # the guessing limit is used up, the signed link still opens
        response = client.get(link)
        assert response.status_code == 200 and 'data-testid="check-answer"' in response.content.decode()
    limited = client.get(link)  # its own, higher limit stops a flood
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0


def test_wrong_name_and_unknown_number_take_the_same_path(client, record):
    """Same queries, same answer: the check cannot tell a known number with a wrong name from an unknown one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _person, _certificate, registration = record

    def shapes(number, name):
        with CaptureQueriesContext(connection) as queries:
            assert public.find(number, name) is None
        return [q["sql"].replace(number, "?") for q in queries.captured_queries]

    wrong_name = shapes(registration.number, "王小二")
    unknown = shapes("X" * len(registration.number), "王小二")
    assert len(wrong_name) == len(unknown) == 3
    assert [q.split(" WHERE ")[0] for q in wrong_name] == [q.split(" WHERE ")[0] for q in unknown]
    a = answer_block(client.post(CHECK, {"number": registration.number, "name": "王小二"}))
    b = answer_block(client.post(CHECK, {"number": "X" * len(registration.number), "name": "王小二"}))
    assert a.replace(registration.number, "?") == b.replace("X" * len(registration.number), "?")


def test_rate_limit_is_counted_in_the_shared_store(client, settings, record):
    """The counter lives in the store every process shares (not the per-process default cache)."""
    from django.core.cache import cache

    from shegong.core.limits import shared_cache

    settings.REGISTRATION_PUBLIC_CHECK_LIMIT = 2
    assert settings.SHEGONG_SHARED_CACHE != "default" or "Redis" in settings.CACHES["default"]["BACKEND"]
    _person, _certificate, registration = record
    for _ in range(2):
        assert client.post(CHECK, {"number": registration.number, "name": "陈晓明"}).status_code == 200
    cache.clear()  # another process's local cache: empty
    assert client.post(CHECK, {"number": registration.number, "name": "陈晓明"}).status_code == 429
    shared_cache().clear()
    assert client.post(CHECK, {"number": registration.number, "name": "陈晓明"}).status_code == 200

"""The registration pages: the worker's portal, applying, changing a returned application, the application page,
the person's page panels, revocation, and the navigation."""

import pytest
from django.urls import reverse

from shegong.accounts.roles import Role
from shegong.core import workflow as wf
from shegong.registration.models import RegistrationRequest
from tests.factories import holder, official

from .helpers import registered

pytestmark = pytest.mark.django_db
MINE = reverse("registration:mine")


def test_portal_shows_certificates_status_and_offers(client):
    user, _person, certificate = holder(1)
    client.force_login(user)
    html = client.get(MINE).content.decode()
    assert certificate.management_no in html and "Not registered" in html
    assert reverse("registration:apply", args=["first"]) in html


def test_portal_offers_download_when_registered(client):
    user, _person, certificate = holder(1)
    registration = registered(certificate, days_left=60)
    client.force_login(user)
    html = client.get(MINE).content.decode()
    assert reverse("registration:certificate", args=[registration.pk]) in html
    assert "Expiring soon" in html and reverse("registration:apply", args=["renewal"]) in html


def test_apply_page_shows_checks_and_submits(client):
    user, _person, certificate = holder(1)
    client.force_login(user)
    url = reverse("registration:apply", args=["first"])
    page = client.get(url, {"certificate": certificate.pk}).content.decode()
    assert 'data-testid="eligibility"' in page and "Personal information complete" in page
    refused = client.post(url, {"certificate": certificate.pk, "place": "work"})  # no declaration
    assert refused.status_code == 400 and not RegistrationRequest.objects.exists()
    done = client.post(url, {"certificate": certificate.pk, "place": "work", "declaration": "on"})
    request = RegistrationRequest.objects.get()
    assert done.status_code == 302 and done["Location"] == request.application.get_absolute_url()
    detail = client.get(done["Location"]).content.decode()
    assert 'data-testid="registration-progress"' in detail and certificate.management_no in detail


def test_apply_page_shows_ineligibility(client):
    user, _person, certificate = holder(1, complete=False)
    client.force_login(user)
    url = reverse("registration:apply", args=["first"])
    response = client.post(url, {"certificate": certificate.pk, "place": "work", "declaration": "on"})
    assert response.status_code == 400 and "Complete your personal information first" in response.content.decode()


def test_apply_refusals(client):
    user, _person, _certificate = holder(1)
    _other, _p, other_certificate = holder(2)
    client.force_login(user)
    url = reverse("registration:apply", args=["first"])
    response = client.post(url, {"certificate": other_certificate.pk, "place": "work", "declaration": "on"})
    assert response.status_code == 400 and not RegistrationRequest.objects.exists()  # not among the choices
    assert client.get(reverse("registration:apply", args=["nonsense"])).status_code == 404
    client.force_login(official("440106"))
    assert client.get(url).status_code == 404


def test_returned_application_is_corrected_and_resubmitted_from_the_edit_page(client):
    user, _person, certificate = holder(1)
    client.force_login(user)
    client.post(
        reverse("registration:apply", args=["first"]),
        {"certificate": certificate.pk, "place": "work", "declaration": "on"},
    )
    request = RegistrationRequest.objects.get()
    county = official("440106", username="county")
    wf.approve(request.application, "", actor=county)
    edit = reverse("registration:request-edit", args=[request.pk])
    assert "locked" in client.get(edit).content.decode()
    wf.return_for_revision(request.application, "请补充", actor=official("440000", username="prov"))
    page = client.get(edit).content.decode()
    assert "resubmit" in page
    response = client.post(edit, {"place": "work", "declaration": "on", "resubmit": "1"})
    assert response.status_code == 302
    request.application.refresh_from_db()
    assert request.application.state == wf.State.PENDING and request.application.current_step == "initial"
    other, _p, _c = holder(2)
    client.force_login(other)
    assert client.get(edit).status_code == 404


def test_reviewer_sees_the_application_with_the_registration_details(client):
    user, person, certificate = holder(1)
    client.force_login(user)
    client.post(
        reverse("registration:apply", args=["first"]),
        {"certificate": certificate.pk, "place": "work", "declaration": "on"},
    )
    request = RegistrationRequest.objects.get()
    client.force_login(official("440106", username="county"))
    inbox = client.get(reverse("workflow:inbox")).content.decode()
    assert request.application.get_absolute_url() in inbox
    detail = client.get(request.application.get_absolute_url()).content.decode()
    assert certificate.management_no in detail and person.get_absolute_url() in detail
    assert 'value="approve"' in detail


def test_person_page_has_registration_and_application_panels(client):
    user, person, certificate = holder(1)
    registration = registered(certificate)
    client.force_login(official("440000", username="gd"))
    html = client.get(person.get_absolute_url()).content.decode()
    assert registration.number in html
    assert reverse("registration:revoke", args=[registration.pk]) in html  # the province may revoke
    assert reverse("registration:certificate", args=[registration.pk]) in html  # and reprint
    client.force_login(official("440106", username="county"))
    html = client.get(person.get_absolute_url()).content.decode()
    assert reverse("registration:revoke", args=[registration.pk]) not in html
    client.force_login(user)
    own = client.get(reverse("workers:me")).content.decode()
    assert registration.number in own and reverse("registration:certificate", args=[registration.pk]) in own


def test_revoke_page(client):
    _user, person, certificate = holder(1)
    registration = registered(certificate)
    url = reverse("registration:revoke", args=[registration.pk])
    client.force_login(official("440000", Role.STAFF, username="staff"))
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(official("440106", username="county"))
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(official("440000", username="gd"))
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "虚假材料"}).status_code == 302
    person.refresh_from_db()
    assert person.registration_status == "revoked"


def test_navigation_entry_for_workers(client):
    user, _person, _certificate = holder(1)
    client.force_login(user)
    assert MINE in client.get(reverse("home")).content.decode()


def test_demo_seed_is_idempotent_and_covers_every_status(settings):
    from shegong.registration.demo import seed_registrations
    from shegong.workers.demo import seed_workers
    from shegong.workers.models import Person

    settings.MEDIA_ROOT = settings.VAR_DIR / "test-media"
    for _ in range(2):
        seed_workers()
        seed_registrations()
    statuses = {person.name: person.registration_status for person in Person.objects.all()}
    assert statuses["陈晓明"] == "registered" and statuses["李静"] == "expiring"
    assert statuses["黄志强"] == "lapsed" and statuses["张敏"] == "not_registered"
    pending = RegistrationRequest.objects.get()
    assert pending.application.state == wf.State.PENDING and pending.person.name == "王芳"

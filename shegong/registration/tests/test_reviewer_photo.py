"""The reviewer sees the applicant's ID photo on the application page (the photo view lets them open
it: they may see the person); a reviewer of another region sees neither the page nor the photo."""

import pytest
from django.urls import reverse

from shegong.registration.models import RegistrationRequest
from tests.factories import holder, official

pytestmark = pytest.mark.django_db


def test_the_reviewer_sees_the_applicants_photo(client):
    user, person, certificate = holder(1)
    client.force_login(user)
    client.post(
        reverse("registration:apply", args=["first"]),
        {"certificate": certificate.pk, "place": "work", "declaration": "on"},
    )
    application = RegistrationRequest.objects.get().application
    photo_url = reverse("workers:person-photo", args=[person.pk])
    for reviewer in (official("440106", username="county"), official("440000", username="province")):
        client.force_login(reviewer)
        page = client.get(application.get_absolute_url()).content.decode()
        assert 'data-testid="applicant-photo"' in page and photo_url in page, reviewer.username
        photo = client.get(photo_url)
        assert photo.status_code == 200 and photo["Content-Type"].startswith("image/")
    client.force_login(official("510107", username="elsewhere"))
    assert client.get(application.get_absolute_url()).status_code == 404
    assert client.get(photo_url).status_code == 404

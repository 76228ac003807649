"""An ID photo is personal data: never kept in the browser's or a proxy's cache (it was private, max-age=300)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shegong.accounts.roles import Role
from shegong.workers import services
from tests.factories import PersonFactory, UserFactory, id_number_for, jpeg_bytes, official

pytestmark = pytest.mark.django_db


def test_the_photo_is_no_store_for_its_owner_and_for_an_official(client, settings):
    settings.MEDIA_ROOT = settings.VAR_DIR / "test-media"
    person = PersonFactory(id_number=id_number_for(1, "440106"), region_id="440106")
    user = UserFactory(role=Role.WORKER, region_id=None, username=f"w{person.pk}")
    person.account = user
    person.save(update_fields=["account"])
    services.update_person(person, actor=user, own=True, photo=SimpleUploadedFile("me.jpg", jpeg_bytes()))
    url = reverse("workers:person-photo", args=[person.pk])
    for viewer in (user, official("440106", Role.STAFF)):
        client.force_login(viewer)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "no-store"
        assert "max-age" not in response["Cache-Control"]

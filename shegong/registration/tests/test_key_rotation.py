"""Rotating the signing key (SHEGONG_SECRET_KEY_FALLBACKS): printed QR links keep working during the rotation."""

import pytest
from django.urls import reverse

from shegong.registration import public
from tests.factories import holder

from .helpers import registered

pytestmark = pytest.mark.django_db


def test_a_qr_link_signed_with_the_old_key_works_while_it_is_a_fallback(client, settings):
    _user, _person, certificate = holder(1, name="陈晓明")
    registration = registered(certificate)
    settings.SECRET_KEY = "the-old-signing-key-" + "x" * 40
    link = reverse("registration:verify", args=[public.token_for(registration)])

    settings.SECRET_KEY = "the-new-signing-key-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = ["the-old-signing-key-" + "x" * 40]
    assert 'data-testid="check-answer"' in client.get(link).content.decode()
    # New links are signed with the new key and do not need the fallback.
    fresh = reverse("registration:verify", args=[public.token_for(registration)])

    settings.SECRET_KEY_FALLBACKS = []  # the rotation is over
    assert 'data-testid="check-none"' in client.get(link).content.decode()
    assert 'data-testid="check-answer"' in client.get(fresh).content.decode()

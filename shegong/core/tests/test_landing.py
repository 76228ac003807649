"""The front door: visitors get the public landing page at /, signed-in users their home page."""

import pytest
from django.urls import reverse

from tests.factories import official

pytestmark = pytest.mark.django_db


def test_visitors_get_the_landing_page_with_every_way_in(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="landing"' in html
    for name in (
        "login",
        "workers:signup",
        "organizations:signup",
        "registration:public-check",
        "accounts:password-reset",
    ):
        assert f'href="{reverse(name)}' in html, name
    assert f'href="{reverse("organizations:signup")}?kind=association"' in html


def test_signed_in_users_keep_their_home_page(client):
    user = official("440106")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="landing"' not in html and user.display_name in html


def test_association_link_preselects_the_kind(client):
    response = client.get(reverse("organizations:signup") + "?kind=association")
    assert response.context["form"].initial.get("kind") == "association"

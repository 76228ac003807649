"""A person's page shows related sets through the access rule (issue 10): an organization
administrator sees the person's employment with their own organization, never the other
organizations the person worked for; an official of the person's region sees them all."""

from datetime import date

import pytest
from django.urls import reverse

from shegong.organizations.models import Employment
from tests.factories import OrganizationFactory, PersonFactory, id_number_for, official, organization_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_organization_admin_sees_only_their_own_organization_on_a_persons_page(client):
    ours = OrganizationFactory(name="我们的社工服务中心")
    theirs = OrganizationFactory(name="别人的社工服务中心")
    person = PersonFactory(id_number=id_number_for(901), region_id="440106")
    Employment.objects.create(person=person, organization=ours, started_on=date(2024, 1, 1))
    Employment.objects.create(
        person=person, organization=theirs, started_on=date(2019, 1, 1), ended_on=date(2023, 1, 1)
    )
    page = reverse("workers:person-detail", args=[person.pk])

    client.force_login(organization_user(ours))
    html = client.get(page).content.decode()
    assert "我们的社工服务中心" in html
    assert "别人的社工服务中心" not in html

    client.force_login(official("440106"))
    html = client.get(page).content.decode()
    assert "我们的社工服务中心" in html and "别人的社工服务中心" in html

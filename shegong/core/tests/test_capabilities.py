"""The capabilities (core/capabilities.py): a table of account x capability, the one rule for full ID numbers,
and the older entry points that now ask the same functions."""

import pytest
from django.contrib.auth.models import AnonymousUser

from shegong.accounts import permissions, security
from shegong.core import capabilities as C
from shegong.core.roles import Role
from tests.factories import (
    OrganizationFactory,
    PersonFactory,
    ProviderFactory,
    UserFactory,
    official,
    organization_user,
    provider_user,
    worker_with_person,
)

pytestmark = pytest.mark.django_db

# --- one account per role (and level where the rules look at it) ------------------------------------------


@pytest.fixture
def accounts():
    organization = OrganizationFactory()
    association = OrganizationFactory(kind="association")
    provider = ProviderFactory()
    return {
        "anonymous": AnonymousUser(),
        "operator": UserFactory(username="op", role=Role.OPERATOR, region_id=None),
        "admin_province": official("440000", username="adm_p"),
        "admin_county": official("440106", username="adm_c"),
        "admin_disabled": official("440106", username="adm_off", is_active=False),
        "staff": official("440106", Role.STAFF, username="staff"),
        "security": official("440106", Role.SECURITY, username="sec"),
        "auditor": official("440106", Role.AUDITOR, username="aud"),
        "api_client": official("440000", Role.API_CLIENT, username="api"),
        "org_admin": organization_user(organization, username="oa"),
        "org_staff": organization_user(organization, username="os", role=Role.ORG_STAFF, membership_role="staff"),
        "assoc_admin": organization_user(association, username="aa", role=Role.ASSOC_ADMIN),
        "worker": worker_with_person(username="wk"),
        "provider": provider_user(provider, username="pv"),
        "provider_unlinked": UserFactory(username="pv2", role=Role.PROVIDER, region_id=None),
        "expert": UserFactory(username="ex", role=Role.EXPERT, region_id=None),
    }


ADMINS = {"admin_province", "admin_county", "admin_disabled"}
CIVIL_AFFAIRS = ADMINS | {"staff"}
ORGANIZATIONS = {"org_admin", "org_staff", "assoc_admin"}
EVERYONE = {
    "anonymous",
    "operator",
    *CIVIL_AFFAIRS,
    "security",
    "auditor",
    "api_client",
    *ORGANIZATIONS,
    "worker",
    "provider",
    "provider_unlinked",
    "expert",
}

# capability -> the accounts that have it; every other account has not. (``may_reveal_id`` without a person:
# whether the role may reveal at all; ``bulk``: full numbers in exports.)
TABLE = {
    "public": EVERYONE,
    "signed_in": EVERYONE - {"anonymous"},
    "is_official": CIVIL_AFFAIRS | {"security", "auditor", "api_client"},  # the operator has no region here
    "is_civil_affairs": CIVIL_AFFAIRS,
    "reads_registry": CIVIL_AFFAIRS | ORGANIZATIONS,
    "checks_records": ADMINS,
    "files_providers": {"admin_province"},
    "revokes_registrations": ADMINS,
    "administers_region": ADMINS,
    "imports_data": ADMINS | {"api_client"},
    "may_review": ADMINS,
    "may_reveal_id": CIVIL_AFFAIRS | {"worker"},
    "may_reveal_id (bulk)": ADMINS,
    "sees_accounts": {"operator", "admin_province", "admin_county", "security"},
    "manages_accounts": {"operator", "admin_province", "admin_county"},
    "issues_accounts": {"operator", "admin_province"},
    "administers_security": {"security"},
    "reads_audit_log": {"auditor"},
    "is_social_worker": {"worker"},
    "acts_for_organization": ORGANIZATIONS,
    "acts_for_provider": {"provider"},
}


def ask(name, user):
    if name == "may_reveal_id (bulk)":
        return C.may_reveal_id(user, bulk=True)
    return getattr(C, name)(user)


def test_the_table_covers_every_capability():
    assert {name for name in TABLE if "(" not in name} == {capability.name for capability in C.CAPABILITIES}
    for capability in C.CAPABILITIES:
        assert capability.__doc__ and capability.__doc__.strip(), f"{capability.name} must say its rule"


@pytest.mark.parametrize("name", sorted(TABLE))
def test_role_by_capability(accounts, name):
    got = {key for key, user in accounts.items() if ask(name, user)}
    assert got == TABLE[name], f"{name}: unexpected {sorted(got - TABLE[name])}, missing {sorted(TABLE[name] - got)}"


def test_account_rules_ask_the_capabilities(accounts):
    """The account pages' older entry points give the same answers as the capabilities."""
    for key, user in accounts.items():
        assert permissions.can_list_users(user) == C.sees_accounts(user), key
        assert permissions.is_manager(user) == C.manages_accounts(user), key
        assert permissions.can_issue_accounts(user) == C.issues_accounts(user), key
        assert security.is_security_admin(user) == C.administers_security(user), key
        assert (permissions.management_root(user) is not None) == C.sees_accounts(user), key
        assert getattr(user, "is_official", False) == C.is_official(user), key


def test_the_command_line_keeps_national_authority():
    assert permissions.is_manager(None) and permissions.can_issue_accounts(None)


def test_revoking_level(accounts):
    from shegong.regions.models import Level

    assert C.revokes_registrations(accounts["admin_province"], max_level=Level.PROVINCE)
    assert not C.revokes_registrations(accounts["admin_county"], max_level=Level.PROVINCE)
    assert C.revokes_registrations(accounts["admin_county"], max_level=Level.COUNTY)


def test_files_providers_for_a_province(accounts, region):
    admin = accounts["admin_province"]
    assert C.files_providers(admin, region("440000"))
    assert not C.files_providers(admin, region("510000"))


def test_denied_messages_are_set_for_every_capability_a_page_can_require():
    for capability in C.CAPABILITIES:
        if capability not in (C.public, C.signed_in):
            assert capability.denied, capability.name


# --- the one rule for full ID numbers ---------------------------------------------------------------------------


def test_reveal_one_person_in_scope_only(accounts):
    mine = accounts["worker"].person
    here = PersonFactory(region_id="440106")
    elsewhere = PersonFactory(region_id="510107")
    assert C.may_reveal_id(accounts["admin_county"], here)
    assert C.may_reveal_id(accounts["staff"], here)
    assert not C.may_reveal_id(accounts["admin_county"], elsewhere)
    assert C.may_reveal_id(accounts["admin_province"], here)
    assert C.may_reveal_id(accounts["worker"], mine)
    assert not C.may_reveal_id(accounts["worker"], here)
    for key in ("operator", "security", "auditor", "api_client", "org_admin", "expert", "anonymous"):
        assert not C.may_reveal_id(accounts[key], here), key


def test_every_place_that_shows_a_full_id_number_asks_the_one_rule(accounts, client, monkeypatch):
    """Reveal on a person's page, the reveal button, and full numbers in exports: switch the rule off and
    all three refuse; they have no rule of their own."""
    from django.core.exceptions import PermissionDenied
    from django.urls import reverse

    from shegong.core.tabular.export import ExportContext
    from shegong.workers import services

    admin = accounts["admin_county"]
    person = PersonFactory(region_id="440106")
    client.force_login(admin)
    assert ExportContext(admin).unmask
    assert client.get(reverse("workers:person-detail", args=[person.pk])).context["may_reveal"]
    assert services.reveal_id_number(person, actor=admin)

    monkeypatch.setattr(C.may_reveal_id, "rule", lambda user, person=None, *, bulk=False: False)
    assert not ExportContext(admin).unmask
    assert not client.get(reverse("workers:person-detail", args=[person.pk])).context["may_reveal"]
    with pytest.raises(PermissionDenied):
        services.reveal_id_number(person, actor=admin)
    assert client.post(reverse("workers:person-reveal", args=[person.pk])).status_code == 403

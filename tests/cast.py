"""The cast: one named user per role and level (like Zulip's example users), with stable usernames.

Tests that need "a county administrator" or "an organization's staff member" take them from here
instead of inventing their own, and the scope walk (tests/test_scope_walk.py) runs every route as
every member. Each member says which *places* it must not see (the oracle of the walk, written down
independently of the scoping code):

* ``home`` and ``neighbour`` are two organizations with one person each in 天河区 (440106);
  ``neighbour`` is an association (社工协会), so the association administrator acts for it;
* ``sibling`` is the sibling county 越秀区 (440104) in the same prefecture 广州市;
* ``other`` is 武侯区 (510107) in another province.

``hides`` is for rows that belong to a place, an organization or a person; ``hides_provider_rows``
for the rows of continuing-education providers, which belong to a *province* (a county's officials
see every provider of their province) and are public once published (``home``'s provider is the
published one); ``hides_audit`` for the audit log, which only audit administrators read.

    cast = make_cast()                    # or make_cast(organization=..., person=..., ...)
    client.force_login(cast["county_admin"])
"""

from dataclasses import dataclass

from shegong.accounts.roles import Role

HOME, NEIGHBOUR, SIBLING, OTHER = "home", "neighbour", "sibling", "other"
PLACES = (HOME, NEIGHBOUR, SIBLING, OTHER)
COUNTY = {HOME: "440106", NEIGHBOUR: "440106", SIBLING: "440104", OTHER: "510107"}  # 天河区, 天河区, 越秀区, 武侯区
PROVINCE = {place: code[:2] + "0000" for place, code in COUNTY.items()}

ALL = frozenset(PLACES)
NOT_HOME = frozenset({NEIGHBOUR, SIBLING, OTHER})  # home's provider is published: public reference data


@dataclass(frozen=True)
class Member:
    key: str
    role: str
    region: str | None = None  # the account's region (officials, API clients)
    acts_for: str | None = None  # "organization", "association", "person" or "provider" of place home
    membership_role: str = "admin"
    hides: frozenset = frozenset()
    hides_provider_rows: frozenset | None = None  # None: the same as hides
    hides_audit: frozenset = ALL
    # Region-bound accounts of the places: account managers and security administrators see their
    # subtree's; everyone else only their own account.
    hides_accounts: frozenset = ALL

    @property
    def username(self):
        return f"cast_{self.key}"

    def hidden(self, kind):
        """The places whose rows of ``kind`` ("place", "provider", "audit", "account") this member must not see."""
        if kind == "provider":
            return self.hides if self.hides_provider_rows is None else self.hides_provider_rows
        if kind == "audit":
            return self.hides_audit
        if kind == "account":
            return self.hides_accounts
        return self.hides


def _officials(level_key, code, hides, hides_provider_rows):
    return [
        Member(
            f"{level_key}_admin",
            Role.ADMIN,
            code,
            hides=hides,
            hides_provider_rows=hides_provider_rows,
            hides_accounts=hides,
        ),
        Member(f"{level_key}_staff", Role.STAFF, code, hides=hides, hides_provider_rows=hides_provider_rows),
    ]


CAST = [
    # The system operator manages accounts and sees no business data (三员分立).
    Member("operator", Role.OPERATOR, "000000", hides=ALL, hides_provider_rows=NOT_HOME, hides_accounts=frozenset()),
    *_officials("ministry", "000000", frozenset(), frozenset()),
    *_officials("province", "440000", frozenset({OTHER}), frozenset({OTHER})),
    *_officials("prefecture", "440100", frozenset({OTHER}), frozenset({OTHER})),
    *_officials("county", "440106", frozenset({SIBLING, OTHER}), frozenset({OTHER})),
    Member(
        "security",
        Role.SECURITY,
        "440106",
        hides=ALL,
        hides_provider_rows=NOT_HOME,
        hides_accounts=frozenset({SIBLING, OTHER}),
    ),
    # The audit administrator reads the log of its county, which names the objects it is about.
    Member(
        "auditor",
        Role.AUDITOR,
        "440106",
        hides=frozenset({SIBLING, OTHER}),
        hides_provider_rows=NOT_HOME,
        hides_audit=frozenset({SIBLING, OTHER}),
    ),
    Member("org_admin", Role.ORG_ADMIN, acts_for="organization", hides=NOT_HOME, hides_provider_rows=NOT_HOME),
    Member(
        "org_staff",
        Role.ORG_STAFF,
        acts_for="organization",
        membership_role="staff",
        hides=NOT_HOME,
        hides_provider_rows=NOT_HOME,
    ),
    Member(
        "assoc_admin",
        Role.ASSOC_ADMIN,
        acts_for="association",
        hides=frozenset({HOME, SIBLING, OTHER}),
        hides_provider_rows=NOT_HOME,
    ),
    Member("worker", Role.WORKER, acts_for="person", hides=NOT_HOME, hides_provider_rows=NOT_HOME),
    Member("provider", Role.PROVIDER, acts_for="provider", hides=NOT_HOME, hides_provider_rows=NOT_HOME),
    Member("expert", Role.EXPERT, hides=ALL, hides_provider_rows=NOT_HOME),
    # A provincial system of another province reads the API.
    Member(
        "api_client",
        Role.API_CLIENT,
        "510000",
        hides=frozenset({HOME, NEIGHBOUR, SIBLING}),
        hides_provider_rows=frozenset({NEIGHBOUR, SIBLING}),
    ),
]
BY_KEY = {member.key: member for member in CAST}


def make_cast(*, organization=None, association=None, person=None, provider=None):
    """Create every member (once per test); returns {key: user}.

    The organization and association (in 天河区), the person and the provider (filed in 广东省) the
    members act for are made with the factories unless given."""
    from tests import factories

    if organization is None:
        organization = factories.OrganizationFactory(region_id=COUNTY[HOME])
    if association is None:
        association = factories.OrganizationFactory(region_id=COUNTY[NEIGHBOUR], kind="association")
    if person is None:
        person = factories.CertificateFactory(person__region_id=COUNTY[HOME]).person
    if provider is None:
        provider = factories.ProviderFactory(province_id=PROVINCE[HOME])
    users = {}
    for member in CAST:
        full_name = f"演员{member.key}"
        if member.acts_for in ("organization", "association"):
            target = organization if member.acts_for == "organization" else association
            user = factories.organization_user(
                target,
                username=member.username,
                role=member.role,
                membership_role=member.membership_role,
                full_name=full_name,
            )
        elif member.acts_for == "person":
            user = factories.worker_with_person(person, username=member.username, full_name=full_name)
        elif member.acts_for == "provider":
            user = factories.provider_user(provider, username=member.username, full_name=full_name)
        else:
            user = factories.UserFactory(
                username=member.username, role=member.role, region_id=member.region, full_name=full_name
            )
        users[member.key] = user
    return users

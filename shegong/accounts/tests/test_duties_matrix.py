"""三员分立 that nobody below can undo: every account × every account it might manage × every operation.

The table below is the rule written out by hand (``permissions.refusal_to`` is the code): the test asks the rule
for every pair and operation and compares the allowed set exactly, then performs every allowed operation through
the services and checks that the audit administrator of the actor's own region (the level above the guardian)
sees it, and that a refused one changes nothing.
"""

import pytest
from django.core.exceptions import PermissionDenied

from shegong.accounts import permissions as P
from shegong.accounts.models import User
from shegong.accounts.roles import Role
from shegong.accounts.services import security as security_services
from shegong.accounts.services import users as services_users
from shegong.core.models import AuditEvent
from shegong.regions.models import Region
from tests.factories import UserFactory, official

pytestmark = pytest.mark.django_db

CAST = {
    # key: (region, role)
    "operator": (None, Role.OPERATOR),
    "mca_admin": ("000000", Role.ADMIN),
    "mca_security": ("000000", Role.SECURITY),
    "mca_auditor": ("000000", Role.AUDITOR),
    "gd_admin": ("440000", Role.ADMIN),
    "gd_staff": ("440000", Role.STAFF),
    "gd_security": ("440000", Role.SECURITY),
    "gd_auditor": ("440000", Role.AUDITOR),
    "gd_api": ("440000", Role.API_CLIENT),
    "th_admin": ("440106", Role.ADMIN),
    "th_staff": ("440106", Role.STAFF),
    "th_security": ("440106", Role.SECURITY),
    "th_auditor": ("440106", Role.AUDITOR),
    "worker": (None, Role.WORKER),
}
# The role and region each target would be changed to (a role change never crosses a duty here but for the
# guardians, whose duty nobody changes; a region change stays at the target's level).
NEW_ROLE = {
    Role.ADMIN: Role.STAFF,
    Role.STAFF: Role.ADMIN,
    Role.API_CLIENT: Role.STAFF,
    Role.SECURITY: Role.STAFF,
    Role.AUDITOR: Role.STAFF,
    Role.OPERATOR: Role.ADMIN,
    Role.WORKER: Role.STAFF,
}
NEW_REGION = {None: "440000", "000000": "440000", "440000": "510000", "440106": "440103"}

OPS = {
    "C": P.CREATE,  # an account of the target's role at the target's region
    "P": P.RESET_PASSWORD,
    "U": P.UNLOCK,
    "R": P.CHANGE_ROLE,
    "G": P.CHANGE_REGION,
    "A": P.SET_ACTIVE,
    "F": P.RESET_TWO_FACTOR,
}
ALL = "CPURGAF"

# actor -> {target: allowed operations}; a target not listed: nothing. "cli" is the command line.
TABLE = {
    "cli": {
        "operator": "UF",
        "mca_admin": "CPURGAF",
        "mca_security": "CPUGAF",
        "mca_auditor": "CPUGAF",
        "gd_admin": "CPURGAF",
        "gd_staff": "CPURGAF",
        "gd_security": "CPUGAF",
        "gd_auditor": "CPUGAF",
        "gd_api": "CPURGAF",
        "th_admin": "CPURGAF",
        "th_staff": "CPURGAF",
        "th_security": "CPUGAF",
        "th_auditor": "CPUGAF",
        "worker": "UF",
    },
    "operator": {
        "mca_admin": "CPRGA",
        "gd_admin": "CPRGA",
        "gd_staff": "CPRGA",
        "gd_api": "CPRGA",
        "th_admin": "CPRGA",
        "th_staff": "CPRGA",
    },
    "mca_admin": {
        "mca_admin": "C",
        "gd_admin": "CPRGA",
        "gd_staff": "CPRGA",
        "gd_api": "CPRGA",
        "th_admin": "CPRGA",
        "th_staff": "CPRGA",
    },
    "mca_security": {
        "operator": "UF",
        "mca_admin": "UF",
        "gd_admin": "UF",
        "gd_staff": "UF",
        "gd_security": "CPUGAF",
        "gd_auditor": "CPUGAF",
        "gd_api": "UF",
        "th_admin": "UF",
        "th_staff": "UF",
        "th_security": "CPUGAF",
        "th_auditor": "CPUGAF",
        "worker": "UF",
    },
    "mca_auditor": {},
    "gd_admin": {
        "gd_admin": "C",
        "gd_staff": "CPRA",
        "gd_api": "CPRA",
        "th_admin": "CPRGA",
        "th_staff": "CPRGA",
    },
    "gd_staff": {},
    "gd_security": {
        "gd_admin": "UF",
        "gd_staff": "UF",
        "gd_api": "UF",
        "th_admin": "UF",
        "th_staff": "UF",
        "th_security": "CPUGAF",
        "th_auditor": "CPUGAF",
    },
    "gd_auditor": {},
    "gd_api": {},
    "th_admin": {
        "th_admin": "C",
        "th_staff": "CPRA",
    },
    "th_staff": {},
    "th_security": {
        "th_admin": "UF",
        "th_staff": "UF",
    },
    "th_auditor": {},
    "worker": {},
}

# The audit administrator who reads each actor's actions: the one of the actor's own region (for the operator and
# the command line, the national one). For a guardian target that is the level above the target.
AUDITOR_OF = {None: "mca_auditor", "000000": "mca_auditor", "440000": "gd_auditor", "440106": "th_auditor"}


@pytest.fixture
def cast(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return {
        key: official(region, role, username=key) if region else UserFactory(username=key, role=role, region_id=None)
        for key, (region, role) in CAST.items()
    }


def _region(code):
    return Region.objects.get(code=code) if code else None


def allowed(actor, target, letter):
    op = OPS[letter]
    if op == P.CREATE:
        return P.may_manage(actor, target.role, op, region=target.region)
    if op == P.CHANGE_ROLE:
        return P.may_manage(actor, target, op, role=NEW_ROLE[target.role])
    if op == P.CHANGE_REGION:
        return P.may_manage(actor, target, op, region=_region(NEW_REGION[target.region_id]))
    return P.may_manage(actor, target, op)


def perform(actor, target, letter, n):
    """The service behind each operation (the pages and the command call the same)."""
    if letter == "C":
        return services_users.create_user(f"new_{n}", "新账户", target.role, target.region, actor=actor)
    if letter == "P":
        return services_users.reset_password(target, actor=actor)
    if letter == "U":
        return security_services.unlock_account(target.username, actor=actor)
    if letter == "R":
        return services_users.change_role(target, NEW_ROLE[target.role], actor=actor)
    if letter == "G":
        return services_users.change_region(target, actor=actor, region=_region(NEW_REGION[target.region_id]))
    if letter == "A":
        return services_users.set_active(target, False, actor=actor)
    if letter == "F":
        return security_services.reset_two_factor(target, actor=actor)
    raise AssertionError(letter)


def actors(cast):
    return {"cli": None, **cast}


def test_the_table_covers_the_cast():
    assert set(TABLE) == {"cli", *CAST}
    for row in TABLE.values():
        assert set(row) <= set(CAST) and all(set(ops) <= set(ALL) for ops in row.values())


def test_the_rule_allows_exactly_the_table(cast):
    wrong = []
    for akey, actor in actors(cast).items():
        for tkey, target in cast.items():
            got = "".join(letter for letter in ALL if allowed(actor, target, letter))
            want = "".join(letter for letter in ALL if letter in TABLE[akey].get(tkey, ""))
            if got != want:
                wrong.append(f"{akey} -> {tkey}: allowed {got or '-'}, table says {want or '-'}")
    assert not wrong, "\n".join(wrong)


def test_no_account_manages_one_that_audits_or_secures_it(cast):
    """The structural statement behind the table: whoever an actor's auditor or security administrator is (the
    guardians of the actor's region and above), the actor can do nothing to them."""
    for akey, actor in cast.items():
        if actor.region_id is None and actor.role != Role.OPERATOR:
            continue
        watchers = [
            key
            for key, target in cast.items()
            if target.role in (Role.SECURITY, Role.AUDITOR)
            and target.pk != actor.pk
            and (
                actor.region_id is None
                and target.region_id == "000000"
                or actor.region_id
                and target.region.contains(actor.region_id)
            )
        ]
        for key in watchers:
            assert not TABLE[akey].get(key), f"{akey} may act on {key}, who audits or secures it"
            assert not any(allowed(actor, cast[key], letter) for letter in ALL), (akey, key)


def test_the_services_enforce_the_table_and_the_auditor_above_sees_it(cast):
    """Every operation through its service: allowed ones happen and are audited where the actor's auditor reads;
    refused ones raise and change nothing."""
    from django.db import transaction

    n = 0
    for akey, actor in actors(cast).items():
        auditor = cast[AUDITOR_OF[actor.region_id if actor is not None else None]]
        for tkey in cast:
            for letter in ALL:
                n += 1
                target = User.objects.unscoped("test").get(username=tkey)
                before = (target.password, target.role, target.region_id, target.is_active)
                last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
                with transaction.atomic():
                    if letter in TABLE[akey].get(tkey, ""):
                        perform(actor, target, letter, n)
                        events = AuditEvent.objects.filter(id__gt=last)
                        assert events.exists(), (akey, tkey, letter)
                        assert all(event.actor_id == (actor.pk if actor else None) for event in events)
                        seen = AuditEvent.objects.visible_to(auditor).filter(id__gt=last).count()
                        assert seen == events.count(), f"{auditor.username} does not see {akey} -> {tkey} {letter}"
                    else:
                        with pytest.raises(PermissionDenied):
                            perform(actor, target, letter, n)
                        target = User.objects.unscoped("test").get(username=tkey)
                        assert (target.password, target.role, target.region_id, target.is_active) == before
                        assert not User.objects.filter(username=f"new_{n}").exists()
                    transaction.set_rollback(True)


# --- the pages, the activation code and the command ------------------------------------------------------------

from django.urls import reverse  # noqa: E402

from shegong.accounts.models import ActivationCode  # noqa: E402

STRONG = "Zq7#mVw2pLx9Rt"


@pytest.fixture
def english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_a_county_admin_cannot_create_an_auditor(client, cast, english):
    client.force_login(cast["th_admin"])
    form = client.get(reverse("accounts:user-create")).context["form"]
    assert "auditor" not in [value for value, _label in form.fields["role"].choices]
    response = client.post(
        reverse("accounts:user-create"),
        {"username": "th_aud2", "full_name": "审计", "role": "auditor", "region": "440106"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not User.objects.filter(username="th_aud2").exists()


def test_the_issuer_gets_an_activation_code_never_a_password(client, cast, english):
    client.force_login(cast["gd_security"])
    response = client.post(
        reverse("accounts:user-create"),
        {"username": "th_aud2", "full_name": "天河审计", "role": "auditor", "region": "440106"},
    )
    assert response.status_code == 200 and "password" not in response.context
    code = response.context["code"]
    assert code in response.content.decode() and "no-store" in response["Cache-Control"]
    account = User.objects.get(username="th_aud2")
    assert not account.has_usable_password() and not account.check_password(code)
    assert ActivationCode.objects.get(user=account).code_hash not in response.content.decode()
    detail = client.get(reverse("accounts:user-detail", args=[account.pk])).content.decode()
    assert code not in detail and "not yet activated" in detail
    (event,) = AuditEvent.objects.filter(action="accounts.activation_issue", object_id=str(account.pk))
    assert code not in str(event.changes)
    assert AuditEvent.objects.visible_to(cast["gd_auditor"]).filter(pk=event.pk).exists()


def test_only_the_holder_signed_out_activates_and_then_enrols_a_second_factor(client, cast, english):
    account, code = services_users.create_user("th_aud2", "天河审计", Role.AUDITOR, "440106", actor=cast["gd_security"])
    url = reverse("accounts:activate")
    # The issuer's own session cannot spend the code.
    client.force_login(cast["gd_security"])
    response = client.post(url, {"username": "th_aud2", "code": code, "new_password1": STRONG, "new_password2": STRONG})
    assert response.context["signed_in"] and ActivationCode.objects.filter(user=account).exists()
    client.logout()
    wrong = client.post(
        url, {"username": "th_aud2", "code": "AAAA-BBBB-CCCC-DDDD", "new_password1": STRONG, "new_password2": STRONG}
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors
    response = client.post(
        url, {"username": "th_aud2", "code": code.lower(), "new_password1": STRONG, "new_password2": STRONG}
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:2fa-setup")
    account.refresh_from_db()
    assert account.check_password(STRONG) and not ActivationCode.objects.filter(user=account).exists()
    # Signed in, the holder must set up their own authenticator before anything else.
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:2fa-setup"))
    # The code is spent.
    client.logout()
    again = client.post(
        url, {"username": "th_aud2", "code": code, "new_password1": STRONG + "x", "new_password2": STRONG + "x"}
    )
    assert again.context["form"].errors and User.objects.get(pk=account.pk).check_password(STRONG)
    assert AuditEvent.objects.filter(action="accounts.activate", actor=account).count() == 1


def test_a_reset_guardian_gets_a_new_code_and_loses_password_and_second_factor(cast):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    target = cast["th_auditor"]
    TOTPDevice.objects.create(user=target, name="phone", confirmed=True)
    code = services_users.reset_password(target, actor=cast["gd_security"])
    target.refresh_from_db()
    assert not target.has_usable_password() and not TOTPDevice.objects.filter(user=target).exists()
    assert ActivationCode.objects.filter(user=target).exists() and len(code) == 19


def test_the_pages_show_only_the_buttons_that_work(client, cast, english):
    target = cast["th_auditor"]
    reset = reverse("accounts:user-reset-password", args=[target.pk])
    client.force_login(cast["gd_admin"])
    body = client.get(reverse("accounts:user-detail", args=[target.pk])).content.decode()
    assert reset not in body and "level above" in body
    client.force_login(cast["gd_security"])
    body = client.get(reverse("accounts:user-detail", args=[target.pk])).content.decode()
    assert reset in body and "New activation code" in body
    assert reverse("accounts:user-change-region", args=[target.pk]) in body
    # The security administrators' two-factor page: no reset button for the auditor of one's own region.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for key in ("gd_auditor", "th_auditor", "th_staff"):
        TOTPDevice.objects.create(user=cast[key], name="phone", confirmed=True)
    body = client.get(reverse("accounts:security-2fa")).content.decode()
    assert reverse("accounts:security-2fa-reset", args=[cast["th_auditor"].pk]) in body
    assert reverse("accounts:security-2fa-reset", args=[cast["gd_auditor"].pk]) not in body
    response = client.post(reverse("accounts:security-2fa-reset", args=[cast["gd_auditor"].pk]))
    assert response.status_code == 302 and TOTPDevice.objects.filter(user=cast["gd_auditor"]).exists()


def test_the_operator_issues_the_national_guardians_from_the_command_line(cast):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command(
        "issue_guardian_account", role="auditor", region="000000", username="mca_aud2", full_name="部审计", stdout=out
    )
    account = User.objects.get(username="mca_aud2")
    assert account.role == Role.AUDITOR and not account.has_usable_password()
    assert "Activation code:" in out.getvalue()
    assert AuditEvent.objects.visible_to(cast["mca_auditor"]).filter(action="accounts.user_create").exists()
    # In the application nobody issues one at national level.
    for key in ("operator", "mca_admin", "mca_security"):
        assert not P.may_manage(cast[key], Role.AUDITOR, P.CREATE, region=_region("000000")), key


def test_guardians_only_at_administered_regions(cast, english):
    hong_kong = _region("810000")  # listed, not administered here
    assert "not a region administered" in P.refusal_to(
        cast["mca_security"], P.CREATE, role=Role.AUDITOR, region=hong_kong
    )
    assert "not a region administered" in P.refusal_to(None, P.CREATE, role=Role.AUDITOR, region=hong_kong)

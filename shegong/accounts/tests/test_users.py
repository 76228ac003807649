"""Account administration: the delegated-administration rules, the services, the pages and the API."""

import io
import json

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shegong.accounts import permissions
from shegong.accounts.models import User
from shegong.accounts.roles import Role
from shegong.accounts.services import users as services_users
from shegong.core import navigation
from shegong.core.models import AuditEvent, TaskRun
from tests.factories import PASSWORD, UserFactory, official

pytestmark = pytest.mark.django_db

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """Argon2 costs about 0.1 s a hash; the tests that check the real hasher ask for it."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are checked in English (the msgids); pages follow LANGUAGE_CODE without a cookie."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def run_jobs(settings, django_capture_on_commit_callbacks):
    """Background jobs run at once (the immediate backend) when the surrounding code commits."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    class Runner:
        def __enter__(self):
            self._capture = django_capture_on_commit_callbacks(execute=True)
            return self._capture.__enter__()

        def __exit__(self, *exc):
            return self._capture.__exit__(*exc)

    return Runner


@pytest.fixture
def people(db):
    """Named accounts in two provinces, at each level."""
    return {
        "operator": official("000000", Role.OPERATOR, username="operator"),
        "mca": official("000000", Role.ADMIN, username="mca_admin"),
        "mca_security": official("000000", Role.SECURITY, username="mca_security"),
        "gd": official("440000", Role.ADMIN, username="gd_admin"),
        "gd2": official("440000", Role.ADMIN, username="gd_admin2"),
        "gd_staff": official("440000", Role.STAFF, username="gd_staff"),
        "gd_security": official("440000", Role.SECURITY, username="gd_security"),
        "gd_auditor": official("440000", Role.AUDITOR, username="gd_auditor"),
        "gz": official("440100", Role.ADMIN, username="gz_admin"),
        "th": official("440106", Role.ADMIN, username="th_admin"),
        "th_staff": official("440106", Role.STAFF, username="th_staff"),
        "sc": official("510000", Role.ADMIN, username="sc_admin"),
        "wh": official("510107", Role.ADMIN, username="wh_admin"),
        "worker": UserFactory(role=Role.WORKER, region_id=None, username="worker1"),
    }


def audit_events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def assert_no_secret(event, *secrets):
    dumped = json.dumps(event.changes, ensure_ascii=False)
    for secret in secrets:
        assert secret not in dumped
    assert "pbkdf2" not in dumped and "argon2" not in dumped


# --- rules ---------------------------------------------------------------------------------------------


class TestGrantableRoles:
    def test_managers_grant_the_managed_roles_and_never_operator(self, people):
        assert permissions.grantable_roles(people["operator"]) == [
            Role.ADMIN,
            Role.STAFF,
            Role.SECURITY,
            Role.AUDITOR,
            Role.API_CLIENT,
        ]
        assert Role.API_CLIENT in permissions.grantable_roles(people["mca"])
        assert Role.API_CLIENT in permissions.grantable_roles(people["gd"])
        for actor in (people["mca"], people["gd"], people["th"]):
            assert Role.OPERATOR not in permissions.grantable_roles(actor)
            assert Role.WORKER not in permissions.grantable_roles(actor)

    def test_api_clients_only_from_national_or_province_managers(self, people):
        assert Role.API_CLIENT not in permissions.grantable_roles(people["gz"])
        assert permissions.grantable_roles(people["th"]) == [Role.ADMIN, Role.STAFF, Role.SECURITY, Role.AUDITOR]

    @pytest.mark.parametrize("name", ["gd_staff", "gd_security", "gd_auditor", "worker"])
    def test_other_roles_grant_nothing(self, people, name):
        assert permissions.grantable_roles(people[name]) == []
        assert not permissions.assignable_regions(people[name]).exists()

    def test_disabled_manager_grants_nothing(self, people):
        people["gd"].is_active = False
        assert permissions.grantable_roles(people["gd"]) == []


class TestAssignableRegions:
    def test_own_subtree_only(self, people):
        codes = set(permissions.assignable_regions(people["gd"]).values_list("code", flat=True))
        assert {"440000", "440100", "440106"} <= codes
        assert not any(code.startswith("51") for code in codes)
        assert set(permissions.assignable_regions(people["th"]).values_list("code", flat=True)) == {"440106"}

    def test_not_administered_regions_are_never_offered(self, people):
        codes = set(permissions.assignable_regions(people["mca"]).values_list("code", flat=True))
        assert "810000" not in codes  # Hong Kong: listed, not administered here
        assert "440000" in codes and "000000" in codes

    def test_api_clients_belong_to_provinces(self, people):
        codes = set(permissions.assignable_regions(people["gd"], Role.API_CLIENT).values_list("code", flat=True))
        assert codes == {"440000"}


class TestRefusalToGrant:
    def test_allowed_within_subtree(self, people, region):
        assert permissions.can_grant(people["gd"], Role.ADMIN, region("440106"))
        assert permissions.can_grant(people["gd"], Role.AUDITOR, region("440000"))
        assert permissions.can_grant(people["th"], Role.SECURITY, region("440106"))

    def test_refused_outside_subtree(self, people, region):
        assert "within" in permissions.refusal_to_grant(people["gd"], Role.ADMIN, region("510107"))
        assert not permissions.can_grant(people["th"], Role.ADMIN, region("440100"))  # above itself
        assert not permissions.can_grant(people["th"], Role.AUDITOR, region("440000"))

    def test_refused_roles(self, people, region):
        assert "cannot grant" in permissions.refusal_to_grant(people["gd"], Role.OPERATOR, region("440106"))
        assert not permissions.can_grant(people["gd"], Role.WORKER, region("440106"))
        assert not permissions.can_grant(people["gd"], "nonsense", region("440106"))

    def test_refused_regions(self, people, region):
        assert "not a region administered" in permissions.refusal_to_grant(people["mca"], Role.ADMIN, region("810000"))
        assert permissions.refusal_to_grant(people["gd"], Role.ADMIN, None)
        assert "province" in permissions.refusal_to_grant(people["gd"], Role.API_CLIENT, region("440106"))

    def test_refused_for_non_managers(self, people, region):
        for name in ("gd_staff", "gd_security", "gd_auditor", "worker"):
            assert "Only system administrators" in permissions.refusal_to_grant(
                people[name], Role.STAFF, region("440106")
            )


class TestCanManage:
    def test_manager_manages_the_subtree(self, people):
        assert permissions.can_manage(people["gd"], people["gz"])
        assert permissions.can_manage(people["gd"], people["th_staff"])
        assert permissions.can_manage(people["gd"], people["gd_staff"])
        assert permissions.can_manage(people["gd"], people["gd_security"])
        assert permissions.can_manage(people["gd"], people["gd_auditor"])
        assert permissions.can_manage(people["mca"], people["gd"])
        assert permissions.can_manage(people["operator"], people["mca"])

    def test_not_oneself(self, people):
        assert "your own account" in permissions.refusal_to_manage(people["gd"], people["gd"])

    def test_not_peer_administrators_of_the_same_region(self, people):
        assert "level above" in permissions.refusal_to_manage(people["gd"], people["gd2"])
        assert permissions.can_manage(people["mca"], people["gd2"])

    def test_not_other_regions_or_above(self, people):
        assert "outside your region" in permissions.refusal_to_manage(people["gd"], people["sc"])
        assert not permissions.can_manage(people["th"], people["gz"])
        assert not permissions.can_manage(people["gz"], people["gd"])

    def test_not_unmanaged_roles(self, people):
        assert "not managed here" in permissions.refusal_to_manage(people["mca"], people["operator"])
        assert not permissions.can_manage(people["mca"], people["worker"])
        boss = official("440106", Role.STAFF, username="root_like", is_superuser=True)
        assert not permissions.can_manage(people["gd"], boss)

    @pytest.mark.parametrize("name", ["gd_staff", "gd_security", "gd_auditor", "worker"])
    def test_non_managers_manage_nothing(self, people, name):
        assert not permissions.can_manage(people[name], people["th_staff"])

    def test_duty_switch_refused(self, people):
        assert "separate duties" in permissions.refusal_to_change_role(people["gd"], people["gd_auditor"], Role.ADMIN)
        assert "separate duties" in permissions.refusal_to_change_role(people["gd"], people["gz"], Role.SECURITY)
        assert permissions.refusal_to_change_role(people["gd"], people["gd_staff"], Role.AUDITOR) is None
        assert permissions.refusal_to_change_role(people["gd"], people["gd_auditor"], Role.STAFF) is None


class TestVisibility:
    def visible(self, actor):
        return set(User.objects.visible_to(actor).values_list("username", flat=True))

    def test_province_admin_sees_its_subtree(self, people):
        seen = self.visible(people["gd"])
        assert {"gd_admin", "gd_admin2", "gd_staff", "gd_security", "gd_auditor", "gz_admin", "th_admin"} <= seen
        assert not seen & {"sc_admin", "wh_admin", "mca_admin", "operator", "worker1"}

    def test_county_admin_sees_its_county_and_itself(self, people):
        assert self.visible(people["th"]) == {"th_admin", "th_staff"}

    def test_security_admin_sees_its_subtree(self, people):
        seen = self.visible(people["gd_security"])
        assert "th_staff" in seen and "sc_admin" not in seen

    @pytest.mark.parametrize("name", ["gd_staff", "gd_auditor", "worker"])
    def test_others_see_only_themselves(self, people, name):
        assert self.visible(people[name]) == {people[name].username}

    def test_national_admin_does_not_see_operators_or_unregioned_accounts(self, people):
        seen = self.visible(people["mca"])
        assert "operator" not in seen and "worker1" not in seen and "wh_admin" in seen
        assert "operator" in self.visible(people["operator"])

    def test_disabled_or_anonymous_see_nothing(self, people):
        from django.contrib.auth.models import AnonymousUser

        people["gd"].is_active = False
        assert not User.objects.visible_to(people["gd"]).exists()
        assert not User.objects.visible_to(AnonymousUser()).exists()

    def test_editable_by_agrees_with_can_manage(self, people):
        everyone = list(User.objects.all())
        for actor in people.values():
            editable = set(User.objects.editable_by(actor).values_list("username", flat=True))
            for target in everyone:
                assert permissions.can_manage(actor, target) == (target.username in editable), (actor, target)
            assert editable <= self.visible(actor), actor


# --- services -------------------------------------------------------------------------------------------


class TestInitialPasswords:
    def test_generated_passwords_meet_the_policy(self):
        seen = set()
        for _ in range(200):
            password = services_users.generate_initial_password()
            assert len(password) >= 12
            validate_password(password)
            classes = [
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
            assert sum(classes) >= 3
            assert not set(password) & set("0O1lI=+-@")
            seen.add(password)
        assert len(seen) == 200

    def test_too_short_refused(self):
        with pytest.raises(ValueError):
            services_users.generate_initial_password(8)


class TestCreateUser:
    def test_creates_with_one_time_password_and_audit(self, people, region, settings):
        settings.PASSWORD_HASHERS = [ARGON2, *FAST_HASHERS]
        user, password = services_users.create_user(
            "gz_staff", "广州市民政局工作人员", Role.STAFF, region("440100"), "020-12345678", actor=people["gd"]
        )
        user.refresh_from_db()
        assert user.role == Role.STAFF and user.region_id == "440100" and user.must_change_password
        assert user.check_password(password)
        assert user.password.startswith("argon2")
        assert not user.is_staff and not user.is_superuser
        (event,) = audit_events("accounts.user_create")
        assert event.actor == people["gd"] and event.object_id == str(user.pk) and event.region_code == "440100"
        assert event.changes["after"]["role"] == Role.STAFF
        assert_no_secret(event, password, user.password)

    def test_accepts_a_region_code(self, people):
        user, _password = services_users.create_user("th_auditor", "审计", Role.AUDITOR, "440106", actor=people["th"])
        assert user.region_id == "440106"

    def test_refusals_raise_permission_denied(self, people, region):
        with pytest.raises(PermissionDenied, match="within"):
            services_users.create_user("x_admin", "某人", Role.ADMIN, region("510107"), actor=people["gd"])
        with pytest.raises(PermissionDenied, match="cannot grant"):
            services_users.create_user("x_op", "某人", Role.OPERATOR, region("440106"), actor=people["gd"])
        with pytest.raises(PermissionDenied):
            services_users.create_user("x_staff", "某人", Role.STAFF, region("440106"), actor=people["gd_staff"])
        with pytest.raises(PermissionDenied, match="province"):
            services_users.create_user("x_api", "某系统", Role.API_CLIENT, region("440106"), actor=people["gd"])
        assert not User.objects.filter(username__startswith="x_").exists()
        assert not audit_events("accounts.user_create")

    @pytest.mark.parametrize(
        "username,full_name,phone",
        [
            ("GD_ADMIN", "某人", ""),  # taken (user names are unique whatever their case)
            ("a", "某人", ""),
            ("has space", "某人", ""),
            ("中文名", "某人", ""),
            ("fine_name", "", ""),
            ("fine_name", "某人", "call me"),
        ],
    )
    def test_bad_input_refused(self, people, region, username, full_name, phone):
        with pytest.raises(ValidationError):
            services_users.create_user(username, full_name, Role.STAFF, region("440106"), phone, actor=people["gd"])


class TestResetPassword:
    def test_new_password_replaces_the_old_one(self, people):
        target = people["th_staff"]
        password = services_users.reset_password(target, actor=people["gd"])
        target.refresh_from_db()
        assert target.check_password(password) and not target.check_password(PASSWORD)
        assert target.must_change_password
        (event,) = audit_events("accounts.user_password_reset")
        assert event.changes["after"] == {"must_change_password": True}
        assert_no_secret(event, password, target.password)

    @pytest.mark.parametrize(
        "actor,target",
        [
            ("gd", "gd2"),
            ("gd", "gd"),
            ("gd", "sc"),
            ("th", "gz"),
            ("gd_security", "th_staff"),
            ("gd_staff", "th_staff"),
        ],
    )
    def test_refused(self, people, actor, target):
        before = User.objects.get(pk=people[target].pk).password
        with pytest.raises(PermissionDenied):
            services_users.reset_password(people[target], actor=people[actor])
        assert User.objects.get(pk=people[target].pk).password == before
        assert not audit_events("accounts.user_password_reset")


class TestSetActive:
    def test_disable_and_enable(self, people, client):
        target = people["th_staff"]
        services_users.set_active(target, False, actor=people["th"])
        assert not User.objects.get(pk=target.pk).is_active
        assert not client.login(username="th_staff", password=PASSWORD)
        services_users.set_active(target, False, actor=people["th"])  # no change: no second event
        services_users.set_active(target, True, actor=people["th"])
        assert User.objects.get(pk=target.pk).is_active
        actions = (
            AuditEvent.objects.filter(action__startswith="accounts.user_")
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert list(actions) == ["accounts.user_disable", "accounts.user_enable"]
        assert audit_events("accounts.user_disable")[0].changes == {
            "before": {"is_active": True},
            "after": {"is_active": False},
        }

    def test_refused_out_of_scope(self, people):
        with pytest.raises(PermissionDenied):
            services_users.set_active(people["wh"], False, actor=people["th"])
        assert User.objects.get(pk=people["wh"].pk).is_active


class TestChangeRole:
    def test_change_audited(self, people):
        services_users.change_role(people["gd_staff"], Role.ADMIN, actor=people["gd"])
        assert User.objects.get(pk=people["gd_staff"].pk).role == Role.ADMIN
        (event,) = audit_events("accounts.user_role_change")
        assert event.changes == {"before": {"role": "staff"}, "after": {"role": "admin"}}

    @pytest.mark.parametrize(
        "actor,target,role,reason",
        [
            ("gd", "gd_auditor", Role.ADMIN, "separate duties"),
            ("gd", "gz", Role.AUDITOR, "separate duties"),
            ("gd", "th_staff", Role.OPERATOR, "cannot grant"),
            ("gd", "th_staff", Role.API_CLIENT, "province"),
            ("gd", "gd", Role.STAFF, "your own account"),
            ("gd", "gd2", Role.STAFF, "level above"),
            ("th", "wh", Role.STAFF, "outside"),
            ("gd_security", "th_staff", Role.ADMIN, "Only system administrators"),
        ],
    )
    def test_refused(self, people, actor, target, role, reason):
        before = User.objects.get(pk=people[target].pk).role
        with pytest.raises(PermissionDenied, match=reason):
            services_users.change_role(people[target], role, actor=people[actor])
        assert User.objects.get(pk=people[target].pk).role == before
        assert not audit_events("accounts.user_role_change")


# --- pages ---------------------------------------------------------------------------------------------


class TestUserListPage:
    url = reverse("accounts:user-list")

    def test_lists_the_subtree(self, client, people):
        client.force_login(people["gd"])
        response = client.get(self.url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "th_admin" in body and "gz_admin" in body
        assert "sc_admin" not in body and "wh_admin" not in body and "worker1" not in body

    def test_filters_and_sort(self, client, people):
        client.force_login(people["gd"])
        names = lambda r: [a.username for a in r.context["accounts"]]  # noqa: E731
        assert names(client.get(self.url, {"role": "staff"})) == ["gd_staff", "th_staff"]
        assert set(names(client.get(self.url, {"within": "440106"}))) == {"th_admin", "th_staff"}
        assert set(names(client.get(self.url, {"within_0": "440000", "within_1": "440100"}))) == {
            "gz_admin",
            "th_admin",
            "th_staff",
        }
        assert names(client.get(self.url, {"q": "gd_sec"})) == ["gd_security"]
        services_users.set_active(people["th_staff"], False, actor=people["gd"])
        assert names(client.get(self.url, {"is_active": "false"})) == ["th_staff"]
        ordered = names(client.get(self.url, {"sort": "-username"}))
        assert ordered == sorted(ordered, reverse=True)
        # A filter on another province finds nothing: filters narrow, never widen.
        assert names(client.get(self.url, {"within": "510000"})) == []

    def test_security_admin_may_look(self, client, people):
        client.force_login(people["gd_security"])
        response = client.get(self.url)
        assert response.status_code == 200
        assert "New account" not in response.content.decode() or response.context["can_create"] is False

    @pytest.mark.parametrize("name", ["gd_staff", "gd_auditor", "worker"])
    def test_forbidden_for_other_roles(self, client, people, name):
        client.force_login(people[name])
        assert client.get(self.url).status_code == 403
        assert client.get(reverse("accounts:user-create")).status_code == 403
        assert client.get(reverse("accounts:user-detail", args=[people["th_staff"].pk])).status_code == 403

    def test_anonymous_sent_to_sign_in(self, client):
        response = client.get(self.url)
        assert response.status_code == 302 and reverse("login") in response["Location"]

    def test_navigation_entry_for_managers_only(self, client, people):
        client.force_login(people["gd"])
        assert "users" in navigation.keys_of(client.get(reverse("home")).context["nav_items"])
        client.force_login(people["gd_staff"])
        assert "users" not in navigation.keys_of(client.get(reverse("home")).context["nav_items"])


class TestCreatePage:
    url = reverse("accounts:user-create")

    def test_role_choices_are_the_grantable_ones(self, client, people):
        client.force_login(people["th"])
        choices = [value for value, _label in client.get(self.url).context["form"].fields["role"].choices if value]
        assert choices == ["admin", "staff", "security", "auditor"]

    def test_create_shows_the_password_once(self, client, people):
        client.force_login(people["gd"])
        response = client.post(
            self.url, {"username": "by_page", "full_name": "新用户", "role": "staff", "region": "440106", "phone": ""}
        )
        assert response.status_code == 200
        password = response.context["password"]
        assert password in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        user = User.objects.get(username="by_page")
        assert user.check_password(password) and user.must_change_password
        # Nothing keeps the password: the detail page does not show it.
        detail = client.get(reverse("accounts:user-detail", args=[user.pk])).content.decode()
        assert password not in detail

    def test_region_outside_the_subtree_refused(self, client, people):
        client.force_login(people["gz"])
        response = client.post(
            self.url, {"username": "outsider", "full_name": "某人", "role": "staff", "region": "510107"}
        )
        assert response.status_code == 200 and response.context["form"].errors
        assert not User.objects.filter(username="outsider").exists()

    def test_role_not_grantable_refused(self, client, people):
        client.force_login(people["th"])
        response = client.post(
            self.url, {"username": "new_op", "full_name": "某人", "role": "operator", "region": "440106"}
        )
        assert response.context["form"].errors["role"]
        assert not User.objects.filter(username="new_op").exists()

    def test_security_admin_cannot_create(self, client, people):
        client.force_login(people["gd_security"])
        assert client.get(self.url).status_code == 403


class TestDetailAndActions:
    def test_out_of_scope_is_404(self, client, people):
        client.force_login(people["gd"])
        assert client.get(reverse("accounts:user-detail", args=[people["wh"].pk])).status_code == 404
        assert client.post(reverse("accounts:user-reset-password", args=[people["wh"].pk])).status_code == 404
        assert (
            client.post(reverse("accounts:user-set-active", args=[people["wh"].pk]), {"active": "0"}).status_code == 404
        )
        assert User.objects.get(pk=people["wh"].pk).is_active

    def test_detail_offers_actions_with_confirmation(self, client, people):
        client.force_login(people["gd"])
        body = client.get(reverse("accounts:user-detail", args=[people["th_staff"].pk])).content.decode()
        assert reverse("accounts:user-reset-password", args=[people["th_staff"].pk]) in body
        assert body.count("data-confirm") >= 3

    def test_reset_password_page(self, client, people):
        client.force_login(people["gd"])
        response = client.post(reverse("accounts:user-reset-password", args=[people["th_staff"].pk]))
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        assert User.objects.get(pk=people["th_staff"].pk).check_password(response.context["password"])

    def test_disable_and_enable(self, client, people):
        client.force_login(people["gd"])
        url = reverse("accounts:user-set-active", args=[people["th_staff"].pk])
        assert client.post(url, {"active": "0"}).status_code == 302
        assert not User.objects.get(pk=people["th_staff"].pk).is_active
        client.post(url, {"active": "1"})
        assert User.objects.get(pk=people["th_staff"].pk).is_active

    def test_get_on_actions_not_allowed(self, client, people):
        client.force_login(people["gd"])
        assert client.get(reverse("accounts:user-set-active", args=[people["th_staff"].pk])).status_code == 405

    def test_change_role(self, client, people):
        client.force_login(people["gd"])
        url = reverse("accounts:user-change-role", args=[people["th_staff"].pk])
        assert client.post(url, {"role": "admin"}).status_code == 302
        assert User.objects.get(pk=people["th_staff"].pk).role == Role.ADMIN
        # Between the three duties: refused with the reason.
        response = client.post(url, {"role": "auditor"}, follow=True)
        assert "separate duties" in response.content.decode()
        assert User.objects.get(pk=people["th_staff"].pk).role == Role.ADMIN

    def test_role_form_offers_only_allowed_roles(self, client, people):
        client.force_login(people["gd"])
        choices = lambda pk: [  # noqa: E731
            v
            for v, _l in client.get(reverse("accounts:user-detail", args=[pk]))
            .context["role_form"]
            .fields["role"]
            .choices
        ]
        assert choices(people["th_staff"].pk) == ["admin", "security", "auditor"]  # no API client at a county
        assert choices(people["gz"].pk) == ["staff"]  # no switch between the three duties
        response = client.post(reverse("accounts:user-change-role", args=[people["gz"].pk]), {"role": ""}, follow=True)
        assert "cannot grant" in response.content.decode()

    def test_peer_admin_shown_but_not_managed(self, client, people):
        client.force_login(people["gd"])
        response = client.get(reverse("accounts:user-detail", args=[people["gd2"].pk]))
        assert response.status_code == 200 and not response.context["can_manage"]
        assert "level above" in response.content.decode()
        before = User.objects.get(pk=people["gd2"].pk).password
        response = client.post(reverse("accounts:user-reset-password", args=[people["gd2"].pk]), follow=True)
        assert "level above" in response.content.decode()
        assert User.objects.get(pk=people["gd2"].pk).password == before

    def test_security_admin_sees_but_cannot_act(self, client, people):
        client.force_login(people["gd_security"])
        response = client.get(reverse("accounts:user-detail", args=[people["th_staff"].pk]))
        assert response.status_code == 200 and not response.context["can_manage"]
        assert client.post(reverse("accounts:user-reset-password", args=[people["th_staff"].pk])).status_code == 403


class TestExport:
    def test_export_is_scoped_and_audited(self, client, people, run_jobs):
        from python_calamine import CalamineWorkbook

        client.force_login(people["gd"])
        with run_jobs():
            response = client.post(reverse("accounts:user-export"), {"format": "xlsx", "role": "staff"})
        run = TaskRun.objects.get(kind="accounts.export")
        assert response.status_code == 302 and response["Location"] == reverse("core:task-detail", args=[run.pk])
        run.refresh_from_db()
        assert run.status == TaskRun.Status.SUCCEEDED, run.error
        rows = CalamineWorkbook.from_filelike(io.BytesIO(run.result_file.read())).get_sheet_by_index(0).to_python()
        assert sorted(row[0] for row in rows[1:]) == ["gd_staff", "th_staff"]
        (event,) = audit_events("core.export")
        assert event.changes["table"] == "accounts" and event.changes["rows"] == 2

    def test_csv(self, client, people, run_jobs):
        client.force_login(people["th"])
        with run_jobs():
            client.post(reverse("accounts:user-export"), {"format": "csv"})
        run = TaskRun.objects.get(kind="accounts.export")
        text = run.result_file.read().decode("utf-8-sig")
        assert "th_staff" in text and "gd_admin" not in text

    def test_forbidden_for_other_roles(self, client, people):
        client.force_login(people["gd_staff"])
        assert client.post(reverse("accounts:user-export"), {"format": "csv"}).status_code == 403


class TestAPI:
    url = "/api/v1/users/"

    def test_scoped_list_without_password_data(self, client, people):
        client.force_login(people["gd"])
        data = client.get(self.url, {"page_size": 100}).json()
        names = {row["username"] for row in data["results"]}
        assert {"gd_staff", "th_admin"} <= names and "sc_admin" not in names
        for row in data["results"]:
            assert not {"password", "id"} & set(row)
        assert "argon2" not in json.dumps(data) and "pbkdf2" not in json.dumps(data)

    def test_filters(self, client, people):
        client.force_login(people["gd"])
        names = lambda params: {r["username"] for r in client.get(self.url, params).json()["results"]}  # noqa: E731
        assert names({"role": "staff"}) == {"gd_staff", "th_staff"}
        assert names({"within": "440106"}) == {"th_admin", "th_staff"}

    def test_detail_by_username_and_404_outside(self, client, people):
        client.force_login(people["gd"])
        assert client.get(f"{self.url}th_staff/").json()["region"] == "440106"
        assert client.get(f"{self.url}wh_admin/").status_code == 404

    def test_others_see_themselves(self, client, people):
        client.force_login(people["gd_staff"])
        assert [r["username"] for r in client.get(self.url).json()["results"]] == ["gd_staff"]

    def test_read_only(self, client, people):
        client.force_login(people["gd"])
        assert client.post(self.url, {"username": "x"}).status_code == 405
        assert client.delete(f"{self.url}th_staff/").status_code == 405


def test_initial_passwords_avoid_characters_that_html_or_paper_would_mangle():
    from shegong.accounts.services.users import generate_initial_password

    for _ in range(500):
        password = generate_initial_password()
        assert not set(password) & set("&<>\"'lIO01")

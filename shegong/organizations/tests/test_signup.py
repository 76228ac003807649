"""Organization and association sign-up, reviewed by the county through the review engine."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from shegong.accounts.models import User
from shegong.accounts.roles import Role
from shegong.core import workflow as wf
from shegong.core.identifiers import validate_credit_code
from shegong.core.models import Application, AuditEvent, Notification
from shegong.organizations import services
from shegong.organizations.models import Membership, Organization
from shegong.organizations.seed import make_credit_code
from tests.factories import OrganizationFactory, official, organization_user

pytestmark = pytest.mark.django_db

PASSWORD = "Xq7#mPlw2vTz"
GOOD_CODE = make_credit_code("52440106", "MJA00001")
ASSOCIATION_CODE = make_credit_code("51440106", "MJA00002")
_last = GOOD_CODE[-1]
# The same code with another (wrong) check character: what a legacy pilot-region code looks like.
LEGACY_CODE = GOOD_CODE[:-1] + ("1" if _last != "1" else "2")


@pytest.fixture(autouse=True)
def setup(settings, monkeypatch, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # pages in English, so that messages can be matched
    from captcha.conf import settings as captcha_settings

    # django-simple-captcha reads its settings once at import: switch its test mode on directly.
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("en"):
        yield


@pytest.fixture
def th_admin():
    return official("440106", username="th_admin")


@pytest.fixture
def yx_admin():
    return official("440104", username="yx_admin")


def form_data(**overrides):
    data = {
        "kind": "service_organization",
        "credit_code": GOOD_CODE,
        "name": "天河区测试社会工作服务中心",
        "region_0": "440000",
        "region_1": "440100",
        "region_2": "440106",
        "address": "天河路1号",
        "contact_name": "陈测试",
        "contact_phone": "13800000000",
        "username": "th_org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "captcha_0": "anything",
        "captcha_1": "PASSED",
    }
    data.update(overrides)
    return data


def sign_up(client, **overrides):
    return client.post(reverse("organizations:signup"), form_data(**overrides))


def test_codes_used_here_are_what_they_claim():
    assert validate_credit_code(GOOD_CODE).valid_check
    assert validate_credit_code(ASSOCIATION_CODE).valid_check
    assert not validate_credit_code(LEGACY_CODE).valid_check


def test_the_page_opens_without_signing_in(client):
    response = client.get(reverse("organizations:signup"))
    assert response.status_code == 200
    assert 'name="captcha_1"' in response.text
    assert 'name="confirm_credit_code"' in response.text and 'type="hidden"' in response.text
    picker = client.get(
        reverse("regions:picker"),
        {"name": "region", "id": "id_region", "changed": "0", "region_0": "440000"},
    )
    assert picker.status_code == 200 and "440100" in picker.text


def test_sign_up_creates_a_pending_organization_account_and_application(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)
    assert response.status_code == 302 and response.url == reverse("organizations:signup-done")
    organization = Organization.objects.get(credit_code=GOOD_CODE)
    assert organization.status == Organization.Status.PENDING
    assert organization.region_id == "440106"
    assert organization.credit_code_warning == ""
    user = User.objects.get(username="th_org")
    assert user.role == Role.ORG_ADMIN and user.is_active and user.check_password(PASSWORD)
    assert user.membership.organization == organization
    application = Application.objects.get(flow=services.SIGNUP_FLOW)
    assert application.applicant == user
    assert application.state == "pending" and application.acting_region_id == "440106"
    assert application.subject == organization
    assert application.data["credit_code"] == GOOD_CODE
    assert Notification.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="organizations.signup", object_id=str(organization.pk)).exists()
    done = client.get(response.url)
    assert "天河区测试社会工作服务中心" in done.text


def test_an_association_gets_an_association_administrator(client):
    sign_up(client, kind="association", credit_code=ASSOCIATION_CODE, username="th_assoc")
    assert User.objects.get(username="th_assoc").role == Role.ASSOC_ADMIN


def test_the_credit_code_is_normalised(client):
    sign_up(client, credit_code=" " + GOOD_CODE.lower()[:9] + " " + GOOD_CODE.lower()[9:])
    assert Organization.objects.filter(credit_code=GOOD_CODE).exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"credit_code": "12345"}, "credit_code"),
        ({"credit_code": GOOD_CODE[:-1] + "I"}, "credit_code"),
        ({"password2": "Different#123"}, "password2"),
        ({"password1": "12345678", "password2": "12345678"}, "password1"),
        ({"captcha_1": "wrong"}, "captcha"),
        ({"region_2": "", "region_1": "440100"}, "region"),  # a prefecture with counties is not enough
        ({"username": "bad name!"}, "username"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_is_refused(client, overrides, field):
    response = sign_up(client, **overrides)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Organization.objects.exists() and not User.objects.filter(username="th_org").exists()


def test_a_taken_user_name_or_registered_code_is_refused(client):
    official("440106", username="taken")
    response = sign_up(client, username="TAKEN")
    assert "username" in response.context["form"].errors
    OrganizationFactory(credit_code=GOOD_CODE)
    response = sign_up(client)
    assert "already registered" in str(response.context["form"].errors["credit_code"])
    assert Organization.objects.count() == 1


def test_legacy_code_needs_explicit_confirmation_and_the_warning_reaches_the_reviewer(client, th_admin):
    response = sign_up(client, credit_code=LEGACY_CODE)
    assert response.status_code == 200
    form = response.context["form"]
    assert "credit_code" in form.errors and form.needs_confirmation
    assert 'type="checkbox" name="confirm_credit_code"' in response.text
    assert 'data-testid="credit-code-warnings"' in response.text
    assert not Organization.objects.exists()

    response = sign_up(client, credit_code=LEGACY_CODE, confirm_credit_code="on")
    assert response.status_code == 302
    organization = Organization.objects.get(credit_code=LEGACY_CODE)
    assert "check character" in organization.credit_code_warning
    application = Application.objects.get(flow=services.SIGNUP_FLOW)
    assert "check character" in application.data["credit_code_warning"]

    client.force_login(th_admin)
    page = client.get(reverse("workflow:detail", args=[application.pk]))
    assert 'data-testid="credit-code-warning"' in page.text
    listing = client.get(reverse("organizations:list"))
    assert LEGACY_CODE in listing.text and "badge text-bg-warning" in listing.text


def test_unexpected_prefix_is_a_warning_only(client):
    other = make_credit_code("12440106", "MJA00003")  # a public institution's code for a service organization
    response = sign_up(client, credit_code=other)
    assert response.status_code == 302
    assert "52" in Organization.objects.get(credit_code=other).credit_code_warning


def test_registering_authority_outside_the_region_is_a_warning(client):
    elsewhere = make_credit_code("52510107", "MJA00004")  # registered in 武侯区, signing up in 天河区
    sign_up(client, credit_code=elsewhere)
    assert "510107" in Organization.objects.get(credit_code=elsewhere).credit_code_warning


def test_signed_in_users_are_sent_away(client, th_admin):
    client.force_login(th_admin)
    assert client.get(reverse("organizations:signup")).status_code == 302


def test_pending_account_sees_waiting_for_approval(client):
    sign_up(client)
    user = User.objects.get(username="th_org")
    client.force_login(user)
    response = client.get(reverse("organizations:mine"))
    assert response.status_code == 200 and 'data-testid="waiting-for-approval"' in response.text
    # An account of a pending organization is held back from business pages.
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.views import View

    from shegong.organizations.views import ActiveOrganizationRequiredMixin

    class Business(ActiveOrganizationRequiredMixin, View):
        def get(self, request):
            return HttpResponse("ok")

    request = RequestFactory().get("/x")
    request.user = User.objects.get(pk=user.pk)
    assert Business.as_view()(request).status_code == 302
    Organization.objects.update(status="active")
    request.user = User.objects.get(pk=user.pk)
    assert Business.as_view()(request).status_code == 200


def test_county_admin_approves(client, th_admin, django_capture_on_commit_callbacks):
    sign_up(client)
    application = Application.objects.get(flow=services.SIGNUP_FLOW)
    assert list(wf.inbox_for(th_admin)) == [application]
    client.force_login(th_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workflow:act", args=[application.pk]), {"action": "approve", "opinion": "同意"})
    assert response.status_code == 302
    organization = Organization.objects.get()
    assert organization.status == "active" and organization.approved_at is not None
    user = User.objects.get(username="th_org")
    assert "approved" in Notification.objects.filter(user=user).latest("pk").text
    assert AuditEvent.objects.filter(action="organizations.activate", actor=th_admin).exists()
    client.force_login(user)
    assert 'data-testid="waiting-for-approval"' not in client.get(reverse("organizations:mine")).text


def test_another_county_cannot_approve(client, yx_admin):
    sign_up(client)
    application = Application.objects.get(flow=services.SIGNUP_FLOW)
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, actor=yx_admin)
    assert list(wf.inbox_for(yx_admin)) == []
    client.force_login(yx_admin)
    assert client.post(reverse("workflow:act", args=[application.pk]), {"action": "approve"}).status_code == 404
    assert Organization.objects.get().status == "pending"


def test_the_prefecture_cannot_approve_a_county_step(client):
    sign_up(client)
    application = Application.objects.get(flow=services.SIGNUP_FLOW)
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, actor=official("440100", username="gz_admin"))


def test_rejection_records_the_reason_and_tells_the_applicant(client, th_admin, django_capture_on_commit_callbacks):
    sign_up(client)
    application = Application.objects.get(flow=services.SIGNUP_FLOW)
    client.force_login(th_admin)
    response = client.post(reverse("workflow:act", args=[application.pk]), {"action": "reject", "opinion": ""})
    assert response.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("workflow:act", args=[application.pk]), {"action": "reject", "opinion": "非本区登记机构"})
    assert Organization.objects.get().status == "rejected"
    assert application.decisions.latest("at").opinion == "非本区登记机构"
    user = User.objects.get(username="th_org")
    assert "非本区登记机构" in Notification.objects.filter(user=user).latest("pk").text
    client.force_login(user)
    assert "非本区登记机构" in client.get(reverse("organizations:mine")).text


def test_returned_sign_up_is_corrected_and_resubmitted(client, th_admin):
    sign_up(client)
    application = Application.objects.get(flow=services.SIGNUP_FLOW)
    wf.return_for_revision(application, "登记机关应为武侯区，请核对", actor=th_admin)
    user = User.objects.get(username="th_org")
    client.force_login(user)
    page = client.get(reverse("organizations:mine"))
    assert "登记机关应为武侯区" in page.text and 'name="contact_phone"' in page.text
    detail = client.get(reverse("workflow:detail", args=[application.pk]))
    assert f'href="{reverse("organizations:mine")}"' in detail.text and 'value="resubmit"' in detail.text
    data = form_data(region_0="510000", region_1="510100", region_2="510107", contact_phone="13900000000")
    response = client.post(reverse("organizations:mine"), data)
    assert response.status_code == 302
    organization = Organization.objects.get()
    assert organization.region_id == "510107" and organization.contact_phone == "13900000000"
    client.post(reverse("workflow:act", args=[application.pk]), {"action": "resubmit"})
    application.refresh_from_db()
    assert application.state == "pending" and application.acting_region_id == "510107"
    assert application.data["contact_phone"] == "13900000000"
    with pytest.raises(wf.NotAllowed):
        wf.approve(application, actor=th_admin)
    wf.approve(application, actor=official("510107", username="wh_admin"))
    organization.refresh_from_db()
    assert organization.status == "active"
    # Once under review or decided, the form is gone and posts are refused.
    response = client.post(reverse("organizations:mine"), data)
    assert response.status_code == 302


def test_withdrawn_sign_up(client):
    sign_up(client)
    application = Application.objects.get(flow=services.SIGNUP_FLOW)
    user = User.objects.get(username="th_org")
    wf.withdraw(application, actor=user)
    assert Organization.objects.get().status == "withdrawn"


def test_organization_scope(client, th_admin, yx_admin):
    tianhe = OrganizationFactory(region_id="440106")
    wuhou = OrganizationFactory(region_id="510107")
    member = organization_user(tianhe, username="member")
    visible = Organization.objects.visible_to
    assert list(visible(th_admin)) == [tianhe]
    assert list(visible(yx_admin)) == []
    assert set(visible(official("440000", username="gd_admin"))) == {tianhe}
    assert set(visible(official("000000", username="mca_admin"))) == {tianhe, wuhou}
    assert list(visible(member)) == [tianhe]
    assert list(Organization.objects.editable_by(official("440106", Role.STAFF, username="th_staff"))) == []
    assert list(Membership.objects.visible_to(yx_admin)) == []
    client.force_login(yx_admin)
    assert client.get(reverse("organizations:detail", args=[tianhe.pk])).status_code == 404
    assert tianhe.name not in client.get(reverse("organizations:list")).text
    client.force_login(th_admin)
    assert client.get(reverse("organizations:detail", args=[tianhe.pk])).status_code == 200
    response = client.get(reverse("organizations:list"), {"name": "测试", "status": "active", "within": "440106"})
    assert tianhe.name in response.text and wuhou.name not in response.text
    response = client.get(reverse("organizations:list"), {"within_1": "440100", "within_2": "440104"})
    assert tianhe.name not in response.text
    client.force_login(member)
    assert client.get(reverse("organizations:detail", args=[wuhou.pk])).status_code == 404
    assert client.get(reverse("organizations:mine")).status_code == 200


def test_an_account_without_organization_is_sent_home_from_my_organization(client, th_admin):
    client.force_login(th_admin)
    assert client.get(reverse("organizations:mine")).status_code == 302


def test_demo_seeder_is_idempotent():
    call_command("seed_demo", quiet=True)
    call_command("seed_demo", quiet=True)
    organizations = Organization.objects.filter(name__endswith="（演示）")
    assert organizations.filter(status="active").count() == 3
    assert organizations.filter(status="active", region_id="440106").count() == 2
    assert organizations.filter(status="active", region_id="510107").count() == 1
    assert organizations.filter(status="active", kind="association").count() == 1
    for organization in organizations:
        assert validate_credit_code(organization.credit_code).valid_check, organization.credit_code
    org_demo = User.objects.get(username="org_demo")
    assert org_demo.membership.organization.status == "active" and org_demo.role == Role.ORG_ADMIN
    pending = Application.objects.filter(flow=services.SIGNUP_FLOW, state="pending")
    assert pending.count() == 1 and pending.get().acting_region_id == "440106"

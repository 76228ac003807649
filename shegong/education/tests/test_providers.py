"""Providers: filing, publishing, revoking, their accounts, and who sees them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shegong.accounts.roles import Role
from shegong.core.models import AuditEvent
from shegong.education.models import Provider, ProviderMembership, ProviderStatus
from shegong.education.services import providers as P
from shegong.regions.models import Region
from tests.factories import ProviderFactory, UserFactory, official, worker_with_person

pytestmark = pytest.mark.django_db

FIELDS = {"name": "广东测试培训学院", "contact_name": "王老师", "contact_phone": "020-88886666"}


def guangdong():
    return Region.objects.get(code="440000")


def test_province_admin_files_and_publishes():
    admin = official("440000")
    provider = P.file_provider(guangdong(), **FIELDS, actor=admin)
    assert provider.status == ProviderStatus.FILED and provider.province_id == "440000"
    P.publish_provider(provider, actor=admin)
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.PUBLISHED and provider.published_at is not None
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "education.provider_file",
        "education.provider_publish",
    }


@pytest.mark.parametrize(
    "code,role",
    [("440106", Role.ADMIN), ("440100", Role.ADMIN), ("510000", Role.ADMIN), ("440000", Role.STAFF)],
)
def test_filing_refused_below_province_other_province_or_read_only(code, role):
    with pytest.raises(PermissionDenied):
        P.file_provider(guangdong(), **FIELDS, actor=official(code, role=role))


def test_national_admin_files_for_any_province():
    provider = P.file_provider(guangdong(), **FIELDS, actor=official("000000", username="mca"), publish=True)
    assert provider.status == ProviderStatus.PUBLISHED


def test_filing_checks_the_fields():
    admin = official("440000")
    with pytest.raises(ValidationError) as caught:
        P.file_provider(guangdong(), actor=admin, name="", contact_name="王", contact_phone="电话")
    assert {"name", "contact_phone"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as caught:
        P.file_provider(guangdong(), **FIELDS, actor=admin, credit_code="12345")
    assert "credit_code" in caught.value.message_dict
    with pytest.raises(ValidationError):
        P.file_provider(Region.objects.get(code="440106"), **FIELDS, actor=admin)  # not a province


def test_revoke_needs_a_reason_and_the_right_province():
    provider = ProviderFactory()
    with pytest.raises(PermissionDenied):
        P.revoke_provider(provider, "违规", actor=official("510000"))
    with pytest.raises(ValidationError):
        P.revoke_provider(provider, " ", actor=official("440000"))
    P.revoke_provider(provider, "年检不合格", actor=official("440000"))
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.REVOKED and provider.revoked_reason == "年检不合格"


def test_provider_accounts():
    admin = official("440000")
    provider = ProviderFactory()
    user, password = P.create_provider_account(provider, actor=admin, username="gd_train", full_name="李老师")
    assert user.role == Role.PROVIDER and user.must_change_password and user.check_password(password)
    assert user.provider_membership.provider == provider and user.region_id == "440000"
    assert password not in str(AuditEvent.objects.get(action="education.provider_account_create").changes)
    with pytest.raises(ValidationError) as caught:
        P.create_provider_account(provider, actor=admin, username="gd_train", full_name="")
    assert {"username", "full_name"} <= set(caught.value.message_dict)
    with pytest.raises(PermissionDenied):
        P.create_provider_account(provider, actor=official("510000"), username="sc_x", full_name="某")
    new_password = P.reset_provider_password(provider, user, actor=admin)
    user.refresh_from_db()
    assert new_password != password and user.check_password(new_password) and user.must_change_password
    P.set_provider_account_active(provider, user, False, actor=admin)
    user.refresh_from_db()
    assert not user.is_active
    other = ProviderFactory()
    with pytest.raises(PermissionDenied):
        P.reset_provider_password(other, user, actor=admin)  # not one of other's accounts


def test_revoked_provider_gets_no_new_account():
    provider = ProviderFactory(status=ProviderStatus.REVOKED)
    with pytest.raises(ValidationError):
        P.create_provider_account(provider, actor=official("440000"), username="late", full_name="某")
    assert not ProviderMembership.objects.exists()


def test_who_sees_providers():
    guangdong_provider = ProviderFactory(status=ProviderStatus.FILED)
    sichuan_provider = ProviderFactory(province_id="510000")
    visible = lambda user: set(Provider.objects.visible_to(user))  # noqa: E731
    assert visible(official("440000")) == {guangdong_provider}
    assert visible(official("440106")) == {guangdong_provider}  # a county inside the province
    assert visible(official("510107")) == {sichuan_provider}
    assert visible(official("000000", username="mca")) == {guangdong_provider, sichuan_provider}
    # Social workers see published providers only; providers their own; others nothing.
    assert visible(worker_with_person()) == {sichuan_provider}
    from tests.factories import provider_user

    assert visible(provider_user(guangdong_provider)) == {guangdong_provider}
    assert visible(UserFactory(role=Role.ORG_ADMIN, username="orgx")) == set()
    # Editing: province (or national) administrators only.
    assert set(Provider.objects.editable_by(official("440106", username="th2"))) == set()
    assert set(Provider.objects.editable_by(official("440000", role=Role.STAFF, username="gds"))) == set()
    assert set(Provider.objects.editable_by(official("440000", username="gda"))) == {guangdong_provider}

"""Provider verbs: filing (备案), publishing, revoking, and the provider's accounts.

Administrators at province level file the providers of their province; national administrators may
act for any province. Provider accounts (role ``provider``) are created here, not through the
account administration pages (which issue only officials' roles): the province hands out the user
name and the one-time password, which must be replaced at the first sign-in.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.accounts.models import User
from shegong.accounts.roles import Role
from shegong.accounts.services.users import initial_password_for, validate_phone, validate_username
from shegong.core import capabilities
from shegong.core.audit import record
from shegong.core.identifiers import IdentifierError, validate_credit_code
from shegong.education import actions
from shegong.education.models import Provider, ProviderMembership, ProviderStatus
from shegong.regions.models import Level, Region

PROVIDER_FIELDS = ("name", "credit_code", "contact_name", "contact_phone", "address", "website", "description")


def can_file_providers(user, province=None):
    """Administrators at province level or above (for a province in their subtree): ``capabilities.files_providers``."""
    return capabilities.files_providers(user, province)


def _require_filer(actor, province):
    if province is None or province.level != Level.PROVINCE:
        raise ValidationError({"province": _("Choose a province.")})
    if not can_file_providers(actor, province):
        raise PermissionDenied(
            _("Only administrators of %(province)s (or above) file its providers.") % {"province": province}
        )


def _require_editable(actor, provider):
    if not Provider.objects.editable_by(actor).filter(pk=provider.pk).exists():
        raise PermissionDenied(_("You cannot manage this provider."))
    return Provider.objects.select_for_update().get(pk=provider.pk)


def _clean(fields):
    """The provider's fields, trimmed and checked; every problem at once, keyed by field."""
    data = {name: (fields.get(name) or "").strip() for name in PROVIDER_FIELDS if name in fields}
    errors = {}
    if "name" in data and not data["name"]:
        errors["name"] = [_("Enter the provider's name.")]
    if data.get("credit_code"):
        try:
            data["credit_code"] = validate_credit_code(data["credit_code"]).code
        except IdentifierError as exc:
            errors["credit_code"] = exc.messages
    if "contact_phone" in data:
        if not data["contact_phone"]:
            errors["contact_phone"] = [_("Enter a contact phone number.")]
        else:
            try:
                validate_phone(data["contact_phone"])
            except ValidationError as exc:
                errors["contact_phone"] = exc.messages
    if "contact_name" in data and not data["contact_name"]:
        errors["contact_name"] = [_("Enter the contact person.")]
    if errors:
        raise ValidationError(errors)
    return data


def _save(provider):
    try:
        with transaction.atomic():
            provider.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"credit_code": _("A provider with this credit code is already filed in this province.")}
        ) from exc


@transaction.atomic
def file_provider(province, *, actor, filed_on=None, publish=False, **fields):
    """File (备案) a provider with ``province``; optionally publish it at once."""
    if isinstance(province, str):
        province = Region.objects.filter(code=province).first()
    _require_filer(actor, province)
    data = _clean({name: fields.get(name, "") for name in PROVIDER_FIELDS})
    provider = Provider(province=province, filed_on=filed_on or timezone.localdate(), **data)
    if publish:
        provider.status = ProviderStatus.PUBLISHED
        provider.published_at = timezone.now()
    _save(provider)
    record(
        actor,
        actions.PROVIDER_FILE,
        provider,
        changes={**data, "province": province.code, "status": provider.status},
    )
    return provider


@transaction.atomic
def update_provider(provider, *, actor, **fields):
    provider = _require_editable(actor, provider)
    data = _clean(fields)
    changes = {}
    for name, value in data.items():
        if getattr(provider, name) != value:
            changes[name] = [getattr(provider, name), value]
            setattr(provider, name, value)
    if changes:
        _save(provider)
        record(actor, actions.PROVIDER_EDIT, provider, changes=changes)
    return provider


@transaction.atomic
def publish_provider(provider, *, actor):
    """Publish a filed provider: it appears on the public list and its activities count."""
    provider = _require_editable(actor, provider)
    if provider.status == ProviderStatus.PUBLISHED:
        return provider
    old = provider.status
    provider.status = ProviderStatus.PUBLISHED
    provider.published_at = timezone.now()
    provider.revoked_at = None
    provider.revoked_reason = ""
    provider.save()
    record(actor, actions.PROVIDER_PUBLISH, provider, changes={"status": [old, provider.status]})
    return provider


@transaction.atomic
def revoke_provider(provider, reason, *, actor):
    """Revoke a provider's filing: it leaves the public list and can no longer record hours."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for revoking the filing.")})
    provider = _require_editable(actor, provider)
    if provider.status == ProviderStatus.REVOKED:
        raise ValidationError(_("This provider's filing is already revoked."))
    old = provider.status
    provider.status = ProviderStatus.REVOKED
    provider.revoked_at = timezone.now()
    provider.revoked_reason = reason
    provider.save()
    record(actor, actions.PROVIDER_REVOKE, provider, changes={"status": [old, provider.status], "reason": reason})
    return provider


# --- accounts --------------------------------------------------------------------------------------------
@transaction.atomic
def create_provider_account(provider, *, actor, username, full_name, phone=""):
    """An account acting for ``provider``; returns ``(user, initial_password)`` (shown once, never stored)."""
    provider = _require_editable(actor, provider)
    if provider.status == ProviderStatus.REVOKED:
        raise ValidationError(_("The provider's filing is revoked: no new accounts."))
    username, full_name, phone = (username or "").strip(), (full_name or "").strip(), (phone or "").strip()
    errors = {}
    for name, check, value in (("username", validate_username, username), ("phone", validate_phone, phone)):
        try:
            check(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    if not full_name:
        errors["full_name"] = [_("Enter the account holder's name.")]
    if errors:
        raise ValidationError(errors)
    user = User(username=username, full_name=full_name, role=Role.PROVIDER, region=provider.province, phone=phone)
    password = initial_password_for(user)
    user.set_password(password)
    user.must_change_password = True
    user.save()
    ProviderMembership.objects.create(user=user, provider=provider)
    record(
        actor,
        actions.PROVIDER_ACCOUNT_CREATE,
        user,
        changes={"provider": provider.pk, "username": username, "full_name": full_name},
        region_code=provider.province_id,
    )
    return user, password


def _membership(actor, provider, user):
    provider = _require_editable(actor, provider)
    membership = ProviderMembership.objects.filter(provider=provider, user=user).select_related("user").first()
    if membership is None:
        raise PermissionDenied(_("This account does not act for this provider."))
    return membership.user


@transaction.atomic
def reset_provider_password(provider, user, *, actor):
    """A new one-time password for one of the provider's accounts (returned, shown once)."""
    user = _membership(actor, provider, user)
    password = initial_password_for(user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    record(
        actor,
        actions.PROVIDER_ACCOUNT_RESET,
        user,
        changes={"provider": provider.pk},
        region_code=provider.province_id,
    )
    return password


@transaction.atomic
def set_provider_account_active(provider, user, active, *, actor):
    user = _membership(actor, provider, user)
    if user.is_active != bool(active):
        user.is_active = bool(active)
        user.save(update_fields=["is_active"])
        record(
            actor,
            actions.PROVIDER_ACCOUNT_ENABLE if active else actions.PROVIDER_ACCOUNT_DISABLE,
            user,
            changes={"provider": provider.pk, "is_active": [not active, bool(active)]},
            region_code=provider.province_id,
        )
    return user


def provider_of(user):
    """The provider ``user`` acts for, or None."""
    membership = getattr(user, "provider_membership", None) if getattr(user, "is_authenticated", False) else None
    return membership.provider if membership is not None else None

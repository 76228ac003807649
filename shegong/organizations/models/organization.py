"""Organizations (社会工作服务机构), associations (行业协会) and the accounts that act for them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shegong.core.scoping import ScopedQuerySet, standard_scope_q


class OrganizationKind(models.TextChoices):
    # The values match shegong.core.identifiers.EXPECTED_PREFIXES (soft credit-code prefix check).
    SERVICE = "service_organization", _("Social work service organization")
    ASSOCIATION = "association", _("Industry association")
    OTHER = "other", _("Other organization")


class OrganizationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Sign-up withdrawn")
    SUSPENDED = "suspended", _("Suspended")


class OrganizationQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        # Officials: their region's subtree; organization users: their own organization.
        return standard_scope_q(user, purpose, region_field="region__code", organization_field="pk")

    def active(self):
        return self.filter(status=OrganizationStatus.ACTIVE)


class Organization(models.Model):
    """A registered legal person keyed by its unified social credit code; it belongs to its county."""

    Kind = OrganizationKind
    Status = OrganizationStatus

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=24, choices=OrganizationKind.choices, db_index=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    address = models.CharField(pgettext_lazy("postal", "address"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=OrganizationStatus.choices,
        default=OrganizationStatus.PENDING,
        db_index=True,
    )
    credit_code_warning = models.TextField(
        _("credit code warning"),
        blank=True,
        help_text=_("What the credit-code check found (e.g. a legacy code failing its check character)."),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["region", "status"], name="organization_region_status")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("organizations:detail", args=[self.pk])

    @property
    def is_active(self):
        return self.status == OrganizationStatus.ACTIVE


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    STAFF = "staff", _("Staff")


class MembershipQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        return standard_scope_q(
            user, purpose, region_field="organization__region__code", organization_field="organization_id"
        )


class Membership(models.Model):
    """The organization an account acts for (one per account)."""

    Role = MembershipRole

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="membership"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.ADMIN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} · {self.organization}"

"""Continuing-education providers (继续教育机构), filed (备案) and published by a province, and their accounts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shegong.core.scoping import ScopedQuerySet

from .choices import ProviderStatus
from .scope import provider_scope_q


class ProviderQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        return provider_scope_q(user, purpose)

    def published(self):
        return self.filter(status=ProviderStatus.PUBLISHED)


class Provider(models.Model):
    """A continuing-education provider, filed with the civil affairs department of a province."""

    Status = ProviderStatus

    name = models.CharField(_("name"), max_length=200, db_index=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    province = models.ForeignKey(
        "regions.Region",
        verbose_name=_("filing province"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 1},
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ProviderStatus.choices, default=ProviderStatus.FILED, db_index=True
    )
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    address = models.CharField(pgettext_lazy("postal", "address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    filed_on = models.DateField(_("filed on"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("continuing-education provider")
        verbose_name_plural = _("continuing-education providers")
        ordering = ["province", "name", "pk"]
        indexes = [models.Index(fields=["province", "status"], name="edu_provider_province_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "credit_code"],
                condition=~models.Q(credit_code=""),
                name="edu_provider_unique_code_per_province",
                violation_error_message=_("A provider with this credit code is already filed in this province."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("education:provider-detail", args=[self.pk])

    @property
    def region_id(self):
        # For the audit log, which files events under the object's region.
        return self.province_id

    @property
    def is_published(self):
        return self.status == ProviderStatus.PUBLISHED


class ProviderMembershipQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        return provider_scope_q(user, purpose, prefix="provider__")


class ProviderMembership(models.Model):
    """The provider an account (role ``provider``) acts for; one per account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="provider_membership",
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="memberships"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ProviderMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("provider account")
        verbose_name_plural = _("provider accounts")

    def __str__(self):
        return f"{self.user} · {self.provider}"

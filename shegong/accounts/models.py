from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.regions.models import Level

from .roles import REGION_ROLES, Role


class User(AbstractUser):
    """An account. ``role`` is its one primary role; officials carry the region they serve."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.WORKER, db_index=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    full_name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"), default=False, help_text=_("Set for initial and reset passwords.")
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [models.Index(fields=["region", "role"], name="user_region_role")]

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username

    @property
    def is_official(self):
        return self.role in REGION_ROLES and self.region_id is not None

    @property
    def is_auditor(self):
        return self.role == Role.AUDITOR

    # The links to a person (workers app) and an organization (organizations app) live on the
    # higher apps' side, so that accounts never imports them; these read them back.
    @property
    def person_id(self):
        person = getattr(self, "person", None)
        return person.pk if person is not None else None

    @property
    def organization_id(self):
        membership = getattr(self, "membership", None)
        return membership.organization_id if membership is not None else None

    @property
    def level(self):
        return self.region.level if self.region_id else None

    @property
    def level_label(self):
        return Level(self.region.level).label if self.region_id else ""

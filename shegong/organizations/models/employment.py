"""Staff (人员管理): one employment relation between an organization and a person, seen from both sides.

A certified social worker is linked through ``person`` (matched by the ID number's blind index and
confirmed by the worker); staff without certificates are recorded by name only (``person`` empty).
The registry's employer of a person follows their current confirmed employment (see services)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.roles import BUSINESS_REGION_ROLES, READ_ONLY_ROLES
from shegong.core.scoping import EDIT, ScopedQuerySet, region_subtree_q, standard_scope_q


class EmploymentStatus(models.TextChoices):
    AWAITING_CONFIRMATION = "awaiting", _("Awaiting the worker's confirmation")
    ACTIVE = "active", _("Employed")
    DECLINED = "declined", _("Declined by the worker")
    ENDED = "ended", _("Ended")


class EmploymentQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        # Officials: employments of their subtree's organizations, and of their subtree's persons
        # (the registry page shows a person's employer wherever it is); organization users: their
        # organization's; a social worker: their own.
        role = getattr(user, "role", None)
        if role in BUSINESS_REGION_ROLES and user.region_id is not None:
            if purpose == EDIT and role in READ_ONLY_ROLES:
                return None
            return region_subtree_q(user.region, "organization__region__code") | region_subtree_q(
                user.region, "person__region__code"
            )
        return standard_scope_q(
            user,
            purpose,
            region_field="organization__region__code",
            organization_field="organization_id",
            person_field="person_id",
        )

    def current(self):
        return self.filter(status=EmploymentStatus.ACTIVE, ended_on__isnull=True)


class Employment(models.Model):
    Status = EmploymentStatus

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="employments",
    )
    person = models.ForeignKey(
        "workers.Person",
        verbose_name=_("social worker"),
        on_delete=models.PROTECT,
        related_name="employments",
        null=True,
        blank=True,
    )
    staff_name = models.CharField(
        _("name"),
        max_length=100,
        blank=True,
        help_text=_("The staff member's name (the person's name when linked to the registry)."),
    )
    post = models.CharField(_("post"), max_length=100, blank=True)
    full_time = models.BooleanField(_("full time"), default=True)
    contract_type = models.CharField(_("contract type"), max_length=40, blank=True)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.ACTIVE,
        db_index=True,
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EmploymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        ordering = ["organization", "staff_name", "pk"]
        indexes = [
            models.Index(fields=["organization", "status"], name="employment_org_status"),
            models.Index(fields=["person", "status"], name="employment_person_status"),
        ]
        constraints = [
            # The registry's employer of a person is their one current full-time employment.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="active", ended_on__isnull=True, full_time=True),
                name="employment_one_full_time_per_person",
            )
        ]

    def __str__(self):
        return f"{self.staff_name} · {self.organization}"

    def save(self, *args, **kwargs):
        if not self.staff_name and self.person_id:
            self.staff_name = self.person.name
        super().save(*args, **kwargs)

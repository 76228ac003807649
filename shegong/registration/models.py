"""证书登记: one row per registration event, the requests reviewed through the review engine, counters, reminders.

A certificate's registration history is its ``Registration`` rows in order: a first registration,
re-registrations (each a new number and validity), changes (same number and validity, new details),
a cancellation or a revocation. The row in force is the latest one with status ``registered``; an
event that follows it marks it ``superseded``. The person's and certificate's stored state
(workers.status) is recomputed from these rows by ``services.sync_status`` and by nothing else.

Scope: a registration belongs to the county where it was filed (``region``: the household or the
work county the applicant chose) and is also visible to the officials of the person's work region.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shegong.core.roles import Role
from shegong.core.scoping import ORGANIZATION_ROLES, VIEW, ScopedQuerySet, standard_scope_q


class RegistrationKind(models.TextChoices):
    # Translators: 首次登记
    FIRST = "first", _("First registration")
    # Translators: 再登记
    RENEWAL = "renewal", _("Re-registration")
    # Translators: 变更登记
    CHANGE = "change", _("Change of registration")
    # Translators: 注销登记
    CANCELLATION = "cancellation", _("Cancellation")
    # Translators: 撤销登记
    REVOCATION = "revocation", _("Revocation")


class RowStatus(models.TextChoices):
    REGISTERED = "registered", _("In force")
    SUPERSEDED = "superseded", _("Superseded by a later event")
    LAPSED = "lapsed", _("Lapsed")
    CANCELLED = "cancelled", pgettext_lazy("registration", "Cancelled")
    REVOKED = "revoked", pgettext_lazy("registration", "Revoked")


def registration_scope_q(user, purpose, prefix=""):
    """Officials: filed in their subtree or the person works there; organizations: their staff; a worker: their own."""
    if getattr(user, "role", None) in ORGANIZATION_ROLES:
        from shegong.workers.models import Person, PersonQuerySet

        hook = PersonQuerySet.organization_scope
        q = hook(user, purpose) if hook is not None else None
        return models.Q(**{f"{prefix}person__in": Person.objects.filter(q)}) if q is not None else None
    filed = standard_scope_q(user, purpose, region_field=f"{prefix}region__code", person_field=f"{prefix}person")
    works = standard_scope_q(user, purpose, region_field=f"{prefix}person__region__code")
    if filed is None:
        return None
    return filed | works if works is not None else filed


class RegistrationQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        if getattr(user, "role", None) == Role.WORKER and purpose != VIEW:
            return None  # a holder never edits registration rows
        return registration_scope_q(user, purpose)

    def in_force(self):
        return self.filter(status=RowStatus.REGISTERED)


class Registration(models.Model):
    Kind = RegistrationKind
    Status = RowStatus

    person = models.ForeignKey(
        "workers.Person", verbose_name=_("social worker"), on_delete=models.PROTECT, related_name="registrations"
    )
    certificate = models.ForeignKey(
        "workers.Certificate", verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="registrations"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RegistrationKind.choices)
    number = models.CharField(_("registration number"), max_length=40, db_index=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"))
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("filed with"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The county-level unit the application was filed with."),
    )
    authority_region = models.ForeignKey(
        "regions.Region", verbose_name=_("registration authority"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=RowStatus.choices, default=RowStatus.REGISTERED)
    application = models.ForeignKey(
        "core.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous registration"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # 已出证: the electronic certificate was produced for the first time.
    certificate_issued_at = models.DateTimeField(_("e-certificate first issued"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["certificate", "-id"], name="registration_certificate"),
            models.Index(fields=["person", "-id"], name="registration_person"),
            models.Index(fields=["status", "valid_to"], name="registration_status_expiry"),
            models.Index(fields=["region", "status"], name="registration_region"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                condition=models.Q(kind__in=["first", "renewal"]),
                name="registration_number_unique",
                violation_error_message=_("This registration number is already issued."),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")), name="registration_valid_dates"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    def get_absolute_url(self):
        return self.person.get_absolute_url()

    @property
    def in_force(self):
        return self.status == RowStatus.REGISTERED


class RequestPlace(models.TextChoices):
    # Where the applicant files (民发〔2009〕44号 art. 6): household registration or workplace.
    WORK = "work", _("Where I work")
    HOUSEHOLD = "household", _("Where my household is registered")


class RegistrationRequestQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        if getattr(user, "role", None) == Role.WORKER:
            return models.Q(applicant=user)
        return registration_scope_q(user, purpose)


class RegistrationRequest(models.Model):
    """What an applicant asks for; the subject of an application in the review engine (core.workflow)."""

    kind = models.CharField(_("kind"), max_length=12, choices=RegistrationKind.choices)
    person = models.ForeignKey(
        "workers.Person",
        verbose_name=_("social worker"),
        on_delete=models.PROTECT,
        related_name="registration_requests",
    )
    certificate = models.ForeignKey(
        "workers.Certificate", verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="+"
    )
    previous = models.ForeignKey(
        Registration,
        verbose_name=_("registration concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("file with"), max_length=10, choices=RequestPlace.choices, default=RequestPlace.WORK)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("filed with"), on_delete=models.PROTECT, related_name="+"
    )
    # 承诺声明: the applicant promised that the information is true.
    declared_at = models.DateTimeField(_("declaration accepted at"), null=True, blank=True)
    changes = models.JSONField(_("requested changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    application = models.OneToOneField(
        "core.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registration_request",
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("resulting registration"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RegistrationRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration request")
        verbose_name_plural = _("registration requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "-created_at"], name="registration_request_person")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.person}"


class RegistrationCounter(models.Model):
    """The last sequence number issued per numbering prefix (e.g. province + year + level)."""

    key = models.CharField(_("key"), max_length=40, unique=True)
    value = models.PositiveBigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("registration number counter")
        verbose_name_plural = _("registration number counters")

    def __str__(self):
        return f"{self.key}: {self.value}"


class RegistrationReminder(models.Model):
    """An expiry reminder sent for one registration at one threshold (so each goes out exactly once)."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="reminders"
    )
    days_before = models.PositiveSmallIntegerField(_("days before expiry"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(fields=["registration", "days_before"], name="registration_reminder_once"),
        ]

    def __str__(self):
        return f"{self.registration} −{self.days_before}"

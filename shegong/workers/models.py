"""Social workers (persons) of the registry and their qualification certificates.

Scoping field: ``Person.region`` is the person's *work* region (a county-level unit), the place
the record belongs to; officials see the persons of their region's subtree through
``region__code`` (a code-prefix match on the ``region_id`` column, no join). ``household_region``
is the household registration (户籍) place, kept for the applicant's choice of authority and
never used for scoping. A certificate belongs to its person's region.

Identity numbers are stored encrypted (``id_encrypted``) with a blind index (``id_blind_index``)
for exact lookup and uniqueness; sex, birth date and kind derive from the number when it is
registered (services.register_person). Writes go through services.py.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shegong.core.crypto import EncryptedTextField
from shegong.core.identifiers import IdKind, Sex
from shegong.core.scoping import ORGANIZATION_ROLES, VIEW, ScopedQuerySet, standard_scope_q


class PersonQuerySet(ScopedQuerySet):
    # Hook for the organizations app (which sits beside workers and must not be imported here):
    # a function ``(user, purpose) -> Q | None`` selecting the persons an organization or
    # association user may see (through Employment). Set it in OrganizationsConfig.ready(), e.g.
    #     PersonQuerySet.organization_scope = staticmethod(lambda user, purpose: Q(pk__in=...))
    # Until it is set, organization users see no persons (deny by default).
    organization_scope = None

    def scope_q(self, user, purpose):
        if getattr(user, "role", None) in ORGANIZATION_ROLES:
            hook = type(self).organization_scope
            return hook(user, purpose) if hook is not None else None
        return standard_scope_q(user, purpose, region_field="region__code", person_field="pk")


class Person(models.Model):
    """A social worker in the national registry (社工库)."""

    id_blind_index = models.CharField(_("ID number index"), max_length=64, unique=True)
    id_encrypted = EncryptedTextField(_("ID number (encrypted)"), blind_index_field="id_blind_index")
    id_kind = models.CharField(_("kind of ID"), max_length=20, choices=IdKind.choices, default=IdKind.CITIZEN)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    household_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("household registration region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("work region"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The county-level unit where the person works; the record belongs to it."),
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    # Translators: 核对 — the record was checked against the certificate holder database.
    checked = models.BooleanField(_("checked"), default=False, help_text=_("Checked against the holder database."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("social worker")
        verbose_name_plural = _("social workers")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["region", "name"], name="person_region_name")]

    def __str__(self):
        return self.name

    @property
    def work_region(self):
        return self.region


class CertificateLevel(models.TextChoices):
    """The qualification levels; keep extensible (a future 正高级 is one more member)."""

    # Translators: 助理社会工作师
    ASSISTANT = "assistant", pgettext_lazy("certificate level", "Assistant social worker")
    # Translators: 社会工作师 (the intermediate level; not the role 社会工作者)
    INTERMEDIATE = "intermediate", pgettext_lazy("certificate level", "Social worker")
    # Translators: 高级社会工作师
    SENIOR = "senior", pgettext_lazy("certificate level", "Senior social worker")


class CertificateQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        if getattr(user, "role", None) in ORGANIZATION_ROLES:
            hook = PersonQuerySet.organization_scope
            q = hook(user, purpose) if hook is not None else None
            return models.Q(person__in=Person.objects.filter(q)) if q is not None else None
        return standard_scope_q(user, purpose, region_field="person__region__code", person_field="person")


class Certificate(models.Model):
    """A qualification certificate (职业水平证书) obtained by the national exam."""

    person = models.ForeignKey(
        Person, verbose_name=_("social worker"), on_delete=models.PROTECT, related_name="certificates"
    )
    level = models.CharField(_("level"), max_length=20, choices=CertificateLevel.choices, db_index=True)
    # Translators: 管理号
    management_no = models.CharField(
        _("management number"),
        max_length=40,
        unique=True,
        help_text=_("The number printed on the certificate (管理号); treated as an opaque string."),
    )
    exam_year = models.PositiveSmallIntegerField(_("exam year"))
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["person", "-exam_year", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(exam_year__gte=2008), name="certificate_exam_year_from_2008"),
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.management_no}"


class SignupStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class WorkerSignupQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        # Officials: sign-ups claimed for their subtree. The signing-up worker reads their own
        # (to follow the decision) and never changes it.
        if getattr(user, "role", None) == "worker":
            return models.Q(user=user) if purpose == VIEW else None
        return standard_scope_q(user, purpose, region_field="claimed_region__code")


class WorkerSignup(models.Model):
    """A social worker's sign-up that did not match the registry and waits for an official."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="worker_signup"
    )
    name = models.CharField(_("name"), max_length=100)
    id_blind_index = models.CharField(_("ID number index"), max_length=64, db_index=True)
    id_encrypted = EncryptedTextField(_("ID number (encrypted)"), blind_index_field="id_blind_index")
    phone = models.CharField(_("mobile phone"), max_length=20)
    claimed_region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    registry_person = models.ForeignKey(
        Person,
        verbose_name=_("registry record with this ID number"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Set when the registry has the ID number under a different name."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SignupStatus.choices, default=SignupStatus.PENDING, db_index=True
    )
    person = models.ForeignKey(
        Person, verbose_name=_("social worker"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    objects = WorkerSignupQuerySet.as_manager()

    class Meta:
        verbose_name = _("social worker sign-up")
        verbose_name_plural = _("social worker sign-ups")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_blind_index"],
                condition=models.Q(status="pending"),
                name="worker_signup_one_pending_per_id",
                violation_error_message=_("A sign-up with this ID number is already waiting for confirmation."),
            )
        ]
        indexes = [models.Index(fields=["claimed_region", "status"], name="worker_signup_region_status")]

    def __str__(self):
        return self.name

    @property
    def region_id(self):
        # For the audit log, which files events under the object's region.
        return self.claimed_region_id

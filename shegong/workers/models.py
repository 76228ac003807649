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

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shegong.core.crypto import EncryptedTextField
from shegong.core.identifiers import IdKind, Sex
from shegong.core.roles import Role
from shegong.core.scoping import BUSINESS_REGION_ROLES, ORGANIZATION_ROLES, VIEW, ScopedQuerySet, standard_scope_q

from .status import RegistrationState, status_of


class PersonQuerySet(ScopedQuerySet):
    # Hook for the organizations app (which sits beside workers and must not be imported here):
    # a function ``(user, purpose) -> Q | None`` selecting the persons an organization or
    # association user may see (through Employment). Set it in OrganizationsConfig.ready(), e.g.
    #     PersonQuerySet.organization_scope = staticmethod(lambda user, purpose: Q(pk__in=...))
    # Until it is set, organization users see no persons (deny by default).
    # Set in WorkersConfig.ready() to ``employees_scope_q`` below: an organization user sees the
    # persons currently employed by their organization (confirmed Employment rows without an end date).
    organization_scope = None

    def scope_q(self, user, purpose):
        if getattr(user, "role", None) in ORGANIZATION_ROLES:
            hook = type(self).organization_scope
            return hook(user, purpose) if hook is not None else None
        q = standard_scope_q(user, purpose, region_field="region__code", person_field="pk")
        return county_equality(user, q)


def county_equality(user, q, field="region_id"):
    """The same rows as the standard rule for an official of a county, written as an equality.

    A county-level unit is a leaf of the tree whose subtree is itself, so ``region_id = code`` selects
    exactly what the prefix match selects; the database estimates it correctly and reads a county's
    persons in name order from the (region, name) index (bench/workers.py shows the plans).
    """
    from shegong.regions.models import Level

    region = (
        getattr(user, "region", None)
        if q is not None and getattr(user, "role", None) in BUSINESS_REGION_ROLES
        else None
    )
    if region is not None and region.level == Level.COUNTY:
        return models.Q(**{field: region.code})
    return q


def employees_scope_q(user, purpose):
    """Organization and association users: read their current employees; nobody there edits registry rows."""
    if purpose != VIEW:
        return None
    organization_id = getattr(user, "organization_id", None)
    if organization_id is None:
        return None
    from shegong.organizations.models import Employment  # beside workers; loaded after it

    return models.Q(pk__in=Employment.objects.current().filter(organization_id=organization_id).values("person_id"))


class EmployerType(models.TextChoices):
    """单位类别: the fixed enumeration of docs/domain.md, Personal information table."""

    # Translators: 社会工作服务机构
    SERVICE_ORGANIZATION = "service_organization", _("Social work service organization")
    # Translators: 社会团体
    SOCIAL_GROUP = "social_group", _("Social group")
    # Translators: 基金会
    FOUNDATION = "foundation", _("Foundation")
    # Translators: 党政机关
    PARTY_GOVERNMENT = "party_government", _("Party or government body")
    # Translators: 事业单位
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    # Translators: 村（居）委会
    VILLAGE_COMMITTEE = "village_committee", _("Village or residents' committee")
    # Translators: 企业
    ENTERPRISE = "enterprise", _("Enterprise")
    # Translators: 其他
    OTHER = "other", _("Other")


class Education(models.TextChoices):
    BELOW_HIGH_SCHOOL = "below_high_school", _("Below high school")
    # Translators: 高中/中专
    HIGH_SCHOOL = "high_school", _("High school or technical secondary school")
    # Translators: 大专
    JUNIOR_COLLEGE = "junior_college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTORATE = "doctorate", _("Doctorate")


def photo_path(instance, filename):
    """Photos are stored under a random name: no personal data in file names."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"workers/photos/{uuid.uuid4().hex}.{extension}"


class Person(models.Model):
    """A social worker in the national registry (社工库).

    Employer: ``employer_type`` from the fixed list; for a social work service organization the
    employer is ``employer_organization`` (an organization in the system), otherwise the typed
    ``employer_name``. ``registration_state`` / ``registration_valid_to`` are maintained only by the
    registration services (see status.py); read the status through ``registration_status``.
    """

    # Unique through a constraint rather than unique=True: on PostgreSQL that would add a second,
    # text-pattern index on a hash nobody searches by prefix, which costs every bulk import.
    id_blind_index = models.CharField(_("ID number index"), max_length=64)
    id_encrypted = EncryptedTextField(_("ID number (encrypted)"), blind_index_field="id_blind_index")
    id_kind = models.CharField(_("kind of ID"), max_length=20, choices=IdKind.choices, default=IdKind.CITIZEN)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    # No index: nothing selects by household region, and regions are never deleted (abolished
    # codes are marked inactive), so the index would only slow every write down.
    household_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("household registration region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # Indexed by person_region_prefix below (equality and the prefix matches of scoping).
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("work region"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
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
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(pgettext_lazy("postal", "address"), max_length=200, blank=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    major = models.CharField(_("major"), max_length=100, blank=True)
    employer_type = models.CharField(_("employer type"), max_length=24, choices=EmployerType.choices, blank=True)
    employer_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("employer (organization in the system)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    photo = models.FileField(_("photo"), upload_to=photo_path, blank=True, max_length=200)
    # Translators: 核对 — the record was checked against the certificate holder database.
    checked = models.BooleanField(_("checked"), default=False, help_text=_("Checked against the holder database."))
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    # No index: nothing selects by who checked, and accounts are deactivated, never deleted.
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    registration_state = models.CharField(
        _("registration state"),
        max_length=12,
        choices=RegistrationState.choices,
        default=RegistrationState.NONE,
        editable=False,
    )
    registration_valid_to = models.DateField(_("registration valid until"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("social worker")
        verbose_name_plural = _("social workers")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["region", "name"], name="person_region_name"),
            # Scoping selects a subtree by code prefix (LIKE '44%'); the opclass makes that usable on
            # PostgreSQL whatever the collation (ignored elsewhere). One index instead of Django's two.
            models.Index(fields=["region"], name="person_region_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["registration_state", "registration_valid_to"], name="person_registration"),
            models.Index(fields=["region", "checked"], name="person_region_checked"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_blind_index"],
                name="person_id_number_unique",
                violation_error_message=_("A social worker with this ID number already exists."),
            ),
            models.CheckConstraint(
                condition=~models.Q(employer_type="service_organization") | models.Q(employer_name=""),
                name="person_service_employer_is_an_organization",
                violation_error_message=_("A social work service organization is chosen from the list."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("workers:person-detail", args=[self.pk])

    @property
    def work_region(self):
        return self.region

    @property
    def registration_status(self):
        """THE status (status.derive_status): not registered, registered, expiring, lapsed, cancelled, revoked."""
        return status_of(self)

    @property
    def employer_display(self):
        if self.employer_organization_id:
            return str(self.employer_organization)
        return self.employer_name


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
        q = standard_scope_q(user, purpose, region_field="person__region__code", person_field="person")
        return county_equality(user, q, "person__region_id")


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
    exam_year = models.PositiveSmallIntegerField(_("exam year"), db_index=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    registration_state = models.CharField(
        _("registration state"),
        max_length=12,
        choices=RegistrationState.choices,
        default=RegistrationState.NONE,
        editable=False,
    )
    registration_valid_to = models.DateField(_("registration valid until"), null=True, blank=True, editable=False)
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
        indexes = [
            models.Index(fields=["registration_state", "registration_valid_to"], name="certificate_registration"),
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.management_no}"

    @property
    def registration_status(self):
        return status_of(self)

    @property
    def region_id(self):
        # For the audit log, which files events under the object's region.
        return self.person.region_id


class FeedbackStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the civil affairs bureau")
    RESOLVED = "resolved", _("Resolved: certificate added")
    REJECTED = "rejected", _("Rejected")


class RegistryFeedbackQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        if getattr(user, "role", None) == Role.WORKER:
            return models.Q(person_id=user.person_id) if purpose == VIEW and user.person_id else None
        return standard_scope_q(user, purpose, region_field="person__region__code")


class RegistryFeedback(models.Model):
    """反馈: a holder whose certificate is not found in the registry asks the civil affairs bureau to add it."""

    Status = FeedbackStatus

    person = models.ForeignKey(
        Person, verbose_name=_("social worker"), on_delete=models.CASCADE, related_name="feedback"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=20, choices=CertificateLevel.choices)
    management_no = models.CharField(_("management number"), max_length=40)
    exam_year = models.PositiveSmallIntegerField(_("exam year"))
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.OPEN, db_index=True
    )
    reason = models.TextField(_("reason"), blank=True)
    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    objects = RegistryFeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("registry feedback")
        verbose_name_plural = _("registry feedback")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.person} · {self.management_no}"

    @property
    def region_id(self):
        return self.person.region_id


class SignupStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class WorkerSignupQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        # Officials: sign-ups claimed for their subtree. The signing-up worker reads their own
        # (to follow the decision) and never changes it.
        if getattr(user, "role", None) == Role.WORKER:
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

"""Declarations (学时申报): hours a social worker earned elsewhere, with evidence, reviewed through the review engine."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.scoping import ScopedQuerySet

from .choices import StudyForm
from .scope import person_row_scope_q


class DeclarationQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        return person_row_scope_q(user, purpose)


class Declaration(models.Model):
    """What the worker claims; the review application (core workflow) carries its state and decisions."""

    Form = StudyForm

    person = models.ForeignKey(
        "workers.Person", verbose_name=_("social worker"), on_delete=models.PROTECT, related_name="study_declarations"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("declared by"), on_delete=models.PROTECT, related_name="+"
    )
    form = models.CharField(_("form"), max_length=24, choices=StudyForm.choices)
    title = models.CharField(_("title"), max_length=200, help_text=_("The course, paper, project or activity."))
    organizer = models.CharField(
        _("organizer or publisher"), max_length=200, blank=True, help_text=_("Who ran it, published it or awarded it.")
    )
    occurred_on = models.DateField(
        _("date"), help_text=_("The day it ended (the degree's award date, the paper's publication date).")
    )
    hours_claimed = models.DecimalField(_("hours claimed"), max_digits=6, decimal_places=1)
    description = models.TextField(_("description"), blank=True)
    application = models.OneToOneField(
        "core.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="study_declaration",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = _("study-hour declaration")
        verbose_name_plural = _("study-hour declarations")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["person", "-created_at"], name="edu_declaration_person")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("education:declaration-detail", args=[self.pk])

    @property
    def region_id(self):
        return self.person.region_id

    @property
    def state(self):
        return self.application.state if self.application_id else "draft"


def evidence_path(instance, filename):
    # The stored name is random: the original name (which may carry personal data) stays in the row.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"education/evidence/{instance.declaration_id}/{uuid.uuid4().hex}.{suffix}"


class EvidenceQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        return person_row_scope_q(user, purpose, person="declaration__person")


class Evidence(models.Model):
    """A file proving a declaration (certificate of completion, diploma, paper, contract...)."""

    declaration = models.ForeignKey(
        Declaration, verbose_name=_("declaration"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["declaration", "pk"]

    def __str__(self):
        return self.name

"""The review engine's records: applications, their insert-only decision log, notices, the workday calendar.

The rules (who may act, what each action does) live in ``shegong.core.workflow``; these models only
store state. ``Decision`` rows are never changed or deleted: the model, its queryset and (on
PostgreSQL) a database trigger refuse it.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..scoping import ScopedQuerySet, standard_scope_q


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Under review")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


DECIDED_STATES = {ApplicationState.APPROVED, ApplicationState.REJECTED, ApplicationState.WITHDRAWN}


def application_scope_q(user, purpose, prefix=""):
    """Which applications ``user`` may see: officials their subtree, organizations their own, applicants theirs.

    ``prefix`` lets related models (decisions) reuse the rule through their foreign key.
    """
    q = standard_scope_q(
        user,
        purpose,
        region_field=f"{prefix}region__code",
        organization_field=f"{prefix}organization_ref",
    )
    own = models.Q(**{f"{prefix}applicant": user})
    # The unit acting on the current step sees the application too. For a step at a level above the
    # application's region this adds nothing; it matters for a step with its own ``unit`` (a transfer).
    acting = standard_scope_q(user, purpose, region_field=f"{prefix}acting_region__code")
    if acting is not None and getattr(user, "region_id", None) is not None:
        own |= acting & models.Q(**{f"{prefix}state": ApplicationState.PENDING})
    return own if q is None else (q | own)


class ApplicationQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        return application_scope_q(user, purpose)

    def pending(self):
        return self.filter(state=ApplicationState.PENDING)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(state=ApplicationState.PENDING, due_on__lt=today)


class Application(models.Model):
    """Someone asks for something; one or more levels review it (see core/workflow.py)."""

    State = ApplicationState

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    flow = models.CharField(_("process"), max_length=60, db_index=True)
    flow_version = models.PositiveSmallIntegerField(_("process version"), default=1)
    title = models.CharField(_("title"), max_length=200, blank=True)
    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("subject type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(_("subject id"), max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="applications"
    )
    # The organization the application belongs to, if any (its users see it). A plain id, because
    # core sits below the organizations app.
    organization_ref = models.BigIntegerField(_("organization"), null=True, blank=True, db_index=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("status"), max_length=12, choices=ApplicationState.choices, default=ApplicationState.DRAFT, db_index=True
    )
    current_step = models.CharField(_("current step"), max_length=40, blank=True)
    # The unit whose officials act on the current step (the ancestor of ``region`` at the step's
    # level); empty for steps assigned to a role rather than a level. Kept on the row so that an
    # official's to-do list is one indexed query.
    acting_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("reviewing unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["acting_region", "state", "due_on"], name="application_inbox"),
            models.Index(fields=["applicant", "-created_at"], name="application_applicant"),
            models.Index(fields=["subject_type", "subject_id"], name="application_subject"),
            models.Index(fields=["state", "due_on"], name="application_due"),
        ]

    def __str__(self):
        return self.title or f"{self.flow} {self.pk}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("workflow:detail", args=[self.pk])

    @property
    def is_decided(self):
        return self.state in DECIDED_STATES

    @property
    def is_overdue(self):
        return self.state == ApplicationState.PENDING and self.due_on is not None and timezone.localdate() > self.due_on

    def set_subject(self, obj):
        self.subject_type = ContentType.objects.get_for_model(obj)
        self.subject_id = str(obj.pk)


class DecisionAction(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    APPROVE = "approve", _("Approved")
    RETURN = "return", _("Returned for revision")
    REJECT = "reject", _("Rejected")
    WITHDRAW = "withdraw", _("Withdrawn")
    RESUBMIT = "resubmit", _("Resubmitted")


INSERT_ONLY_MESSAGE = "The decision log is insert-only."


class DecisionQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        if purpose != "view":
            return None  # nobody edits the log
        return application_scope_q(user, purpose, prefix="application__")

    def update(self, **kwargs):
        raise PermissionError(INSERT_ONLY_MESSAGE)

    def delete(self):
        raise PermissionError(INSERT_ONLY_MESSAGE)


class Decision(models.Model):
    """One act on an application: who, in what role and unit, at which step, what, and why. Never edited."""

    Action = DecisionAction

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="decisions"
    )
    step = models.CharField(_("step"), max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    actor_region = models.CharField(_("unit"), max_length=6, blank=True)
    action = models.CharField(_("action"), max_length=12, choices=DecisionAction.choices)
    opinion = models.TextField(_("opinion"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["application", "at"], name="decision_application")]

    def __str__(self):
        return f"{self.get_action_display()} {self.step}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError(INSERT_ONLY_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(INSERT_ONLY_MESSAGE)


class NotificationQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        return models.Q(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app notice to one user (an application moved, was returned, approved...)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_user")]

    def __str__(self):
        return self.text[:60]


class WorkdayOverride(models.Model):
    """A day that breaks the weekday rule: a public holiday on a weekday, or a make-up workday (调休) on a weekend."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.note}"

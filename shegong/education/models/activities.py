"""Activities that providers offer, the social workers' enrolments, and staged attendance imports."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.roles import Role
from shegong.core.scoping import ScopedQuerySet

from .choices import ACTIVITY_FORMS, ActivityKind, ActivityStatus, AttendanceMethod, EnrolmentStatus
from .scope import activity_scope_q, person_row_scope_q, provider_id_of

# Translators: 已结束 (an activity past its end)
ENDED_LABEL = _("Ended")
ENDED = "ended"  # a status the filter offers, derived from the end time; never stored


class ActivityQuerySet(ScopedQuerySet):
    def with_status(self, status, now=None):
        """Activities whose status, as shown (``Activity.get_status_display``), is ``status``."""
        now = now or timezone.now()
        if status == ENDED:
            return self.exclude(status=ActivityStatus.CANCELLED).filter(ends_at__lt=now)
        if status == ActivityStatus.CANCELLED:
            return self.filter(status=status)
        return self.filter(status=status, ends_at__gte=now)

    def scope_q(self, user, purpose):
        return activity_scope_q(user, purpose)


class Activity(models.Model):
    """A training course, conference, online course or other recognised form offered by a provider."""

    Kind = ActivityKind
    Status = ActivityStatus

    provider = models.ForeignKey(
        "education.Provider", verbose_name=_("provider"), on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind.choices, default=ActivityKind.COURSE)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    link = models.URLField(_("link"), blank=True, help_text=_("For online courses and live streams."))
    hours = models.DecimalField(_("hours offered"), max_digits=5, decimal_places=1)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True, help_text=_("Empty: no limit."))
    status = models.CharField(
        _("status"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.OPEN, db_index=True
    )
    # The code the provider shows during the activity; attendees type it to sign in.
    sign_in_code = models.CharField(_("sign-in code"), max_length=8, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "pk"]
        indexes = [
            models.Index(fields=["provider", "-starts_at"], name="edu_activity_provider"),
            models.Index(fields=["status", "starts_at"], name="edu_activity_open"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gte=models.F("starts_at")), name="edu_activity_dates"),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="edu_activity_hours_positive"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("education:activity-detail", args=[self.pk])

    @property
    def form(self):
        return ACTIVITY_FORMS[self.kind]

    @property
    def region_id(self):
        return self.provider.province_id

    def is_over(self, now=None):
        return self.ends_at < (now or timezone.now())

    def get_status_display(self):
        """The status as shown everywhere (pages, API, exports): an activity past its end is "ended",
        never "open for enrolment", whatever its stored status says (nobody closes it by hand)."""
        if self.status != ActivityStatus.CANCELLED and self.is_over():
            return ENDED_LABEL
        return ActivityStatus(self.status).label

    def in_window(self, now=None):
        """Whether sign-in by code is open now: between the start and the end of the activity."""
        now = now or timezone.now()
        return self.starts_at <= now <= self.ends_at


class EnrolmentQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        if getattr(user, "role", None) == Role.PROVIDER:
            provider_id = provider_id_of(user)
            return models.Q(activity__provider_id=provider_id) if provider_id is not None else None
        return person_row_scope_q(user, purpose)

    def active(self):
        return self.exclude(status=EnrolmentStatus.CANCELLED)


class Enrolment(models.Model):
    """A social worker's place in an activity, and their attendance."""

    Status = EnrolmentStatus

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="enrolments"
    )
    person = models.ForeignKey(
        "workers.Person", verbose_name=_("social worker"), on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED, db_index=True
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    attended_at = models.DateTimeField(_("attended at"), null=True, blank=True)
    hours = models.DecimalField(_("hours attended"), max_digits=5, decimal_places=1, null=True, blank=True)
    method = models.CharField(_("recorded by"), max_length=10, choices=AttendanceMethod.choices, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["activity", "enrolled_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"],
                name="edu_enrolment_once_per_activity",
                violation_error_message=_("This social worker is already enrolled in this activity."),
            )
        ]
        indexes = [models.Index(fields=["person", "-enrolled_at"], name="edu_enrolment_person")]

    def __str__(self):
        return f"{self.person} · {self.activity}"

    @property
    def region_id(self):
        return self.person.region_id


class AttendanceImportQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        if getattr(user, "role", None) != Role.PROVIDER:
            return None
        provider_id = provider_id_of(user)
        return models.Q(activity__provider_id=provider_id) if provider_id is not None else None


class AttendanceImport(models.Model):
    """An attendance sheet uploaded before the import engine took these over (no longer written).

    Attendance lists are now import jobs of the table ``attendance`` (education/attendance_table.py).
    The model and its rows stay for the record: removing them would need a destructive migration."""

    class State(models.TextChoices):
        STAGED = "staged", _("Checked, waiting for confirmation")
        COMMITTED = "committed", _("Recorded")
        DISCARDED = "discarded", _("Discarded")

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=200)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.STAGED)
    # Valid rows: [{"row": 2, "person": 17, "name": "...", "hours": "6.0"}]; errors: [{"row", "column", "reason"}].
    rows = models.JSONField(_("valid rows"), default=list)
    errors = models.JSONField(_("errors"), default=list)
    total_rows = models.PositiveIntegerField(_("rows read"), default=0)
    recorded = models.PositiveIntegerField(_("rows recorded"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    committed_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    objects = AttendanceImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance import")
        verbose_name_plural = _("attendance imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.filename

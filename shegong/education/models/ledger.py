"""The study-hour ledger (学时台账) and each person's standing in their current registration period.

``StudyRecord`` has one row per credited item per person and is written only by
``shegong.education.ledger.credit``. A row counts toward the registration period in which it took
place (``occurred_on``): the period is derived from the date, never stored, so that re-dating a
registration cannot leave rows filed under a stale period.

``StudyStanding`` is the per-person summary that compliance counts and lists read: the current
period, the hours required and credited in it, and the date until which the person is on track.
The ledger services keep it current in the same transaction as every ledger write; a daily task
(``refresh_standings``) rolls periods over and picks up changes made elsewhere (a new certificate, a
new registration, a move to another region).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.roles import Role
from shegong.core.scoping import ScopedQuerySet, standard_scope_q

from .choices import ComplianceStatus, Source, StudyForm
from .scope import person_row_scope_q


class StudyRecordQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        return person_row_scope_q(user, purpose, provider_field="provider_id")


class StudyRecord(models.Model):
    Form = StudyForm
    Source = Source

    # Indexed by edu_record_person_date, which starts with it.
    person = models.ForeignKey(
        "workers.Person",
        verbose_name=_("social worker"),
        on_delete=models.PROTECT,
        related_name="study_records",
        db_index=False,
    )
    form = models.CharField(_("form"), max_length=24, choices=StudyForm.choices)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=200)
    provider = models.ForeignKey(
        "education.Provider",
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="study_records",
        db_index=False,  # edu_record_provider starts with it
    )
    activity = models.ForeignKey(
        "education.Activity",
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="study_records",
    )
    declaration = models.OneToOneField(
        "education.Declaration",
        verbose_name=_("declaration"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="study_record",
    )
    hours_claimed = models.DecimalField(_("hours claimed"), max_digits=6, decimal_places=1)
    hours_credited = models.DecimalField(_("hours credited"), max_digits=6, decimal_places=1)
    occurred_on = models.DateField(_("date"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # never looked up by reviewer; saves an index on the largest table
        help_text=_("The official who approved the declaration, or the provider account that recorded attendance."),
    )
    decision = models.CharField(_("decision"), max_length=400, blank=True)
    created_at = models.DateTimeField(_("credited at"), auto_now_add=True)

    objects = StudyRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("study record")
        verbose_name_plural = _("study records")
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "activity"],
                condition=models.Q(activity__isnull=False),
                name="edu_record_once_per_activity",
                violation_error_message=_("Hours for this activity are already in this person's ledger."),
            ),
            models.CheckConstraint(
                condition=models.Q(hours_credited__gte=0, hours_claimed__gte=0), name="edu_record_hours_not_negative"
            ),
        ]
        indexes = [
            # Sums per person and period: an index-only range scan.
            models.Index(fields=["person", "occurred_on", "hours_credited"], name="edu_record_person_date"),
            models.Index(fields=["provider", "-created_at"], name="edu_record_provider"),
        ]

    def __str__(self):
        return f"{self.person} · {self.title}"

    @property
    def region_id(self):
        return self.person.region_id


class StudyStandingQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        # Officials: by the standing's region (kept equal to the person's work region) AND the person's
        # current region, so that a person who just moved is never listed to their former region.
        q = standard_scope_q(user, purpose, region_field="region__code", person_field="person")
        if q is None:
            return None
        if getattr(user, "role", None) == Role.WORKER:
            return q
        return q & person_row_scope_q(user, purpose)

    def with_status(self, status, today):
        complete = models.Q(credited__gte=models.F("required"))
        if status == ComplianceStatus.COMPLETE:
            return self.filter(complete)
        if status == ComplianceStatus.ON_TRACK:
            return self.filter(~complete, track_until__gte=today)
        if status == ComplianceStatus.SHORT:
            return self.filter(~complete, track_until__lt=today)
        return self


class StudyStanding(models.Model):
    """A person's hours in their current registration period (a summary of the ledger, kept current)."""

    person = models.OneToOneField(
        "workers.Person",
        verbose_name=_("social worker"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="study_standing",
    )
    # The person's work region, copied for per-region counts without a join.
    # Indexed by edu_standing_region, which starts with it.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    level = models.CharField(_("level"), max_length=20)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    period_source = models.CharField(_("period from"), max_length=24)
    required = models.DecimalField(_("hours required"), max_digits=6, decimal_places=1)
    credited = models.DecimalField(_("hours credited"), max_digits=7, decimal_places=1, default=0)
    # The last day on which ``credited`` is at least the pro-rata share of ``required``
    # (period_start + credited / required × the period's length): on track while today <= track_until.
    track_until = models.DateField(_("on track until"))
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    objects = StudyStandingQuerySet.as_manager()

    class Meta:
        verbose_name = _("study-hour standing")
        verbose_name_plural = _("study-hour standings")
        ordering = ["region", "person"]
        indexes = [
            # Per-region counts read only this index: a region-code prefix (LIKE '44%') needs the
            # pattern operator class on PostgreSQL (the C.UTF-8 collation is not "C" to the planner),
            # and the other columns make it an index-only scan. Equality on region_id uses it too.
            models.Index(
                fields=["region", "track_until", "credited", "required"],
                opclasses=["varchar_pattern_ops", "date_ops", "numeric_ops", "numeric_ops"],
                name="edu_standing_region",
            ),
        ]

    def __str__(self):
        return f"{self.person_id} {self.period_start}..{self.period_end}"

    @property
    def remaining(self):
        return max(self.required - self.credited, 0)

    def status(self, today):
        if self.credited >= self.required:
            return ComplianceStatus.COMPLETE
        return ComplianceStatus.ON_TRACK if self.track_until >= today else ComplianceStatus.SHORT

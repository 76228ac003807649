"""Bulk import records (core/tabular): the staged file, its validation and its commit.

An ``ImportJob`` is one uploaded file for one table: who, when, the file and its SHA-256, the
options, the counts, the progress and where a commit stopped (``committed_row``). Its issues
(every rejected cell or row and every warning) are ``ImportIssue`` rows. The job's ``batch_id``
is written into every audit event of the commit. Exports run as ordinary background jobs
(``TaskRun``) through ``core.tabular.export``.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.roles import CIVIL_AFFAIRS_ROLES

from ..scoping import ScopedQuerySet, region_subtree_q


def new_batch_id():
    return f"{timezone.localdate():%Y%m%d}-{secrets.token_hex(4).upper()}"


class ImportJobQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        # The uploader, and every official whose region contains the job's region (colleagues of
        # the same office and the levels above), may open the record; only the uploader acts on it.
        own = models.Q(user=user)
        if purpose != "view":
            return own
        if getattr(user, "role", None) in CIVIL_AFFAIRS_ROLES and user.region_id:
            return own | region_subtree_q(user.region, "region__code")
        return own


class ImportJob(models.Model):
    class Status(models.TextChoices):
        STAGED = "staged", _("Uploaded, waiting for validation")
        VALIDATING = "validating", _("Validating")
        VALIDATED = "validated", _("Validated, waiting for confirmation")
        INVALID = "invalid", _("The file cannot be read")
        COMMITTING = "committing", _("Importing")
        COMMITTED = "committed", _("Imported")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Discarded")

    class Strategy(models.TextChoices):
        INSERT = "insert", _("Add new records only")
        UPDATE = "update", _("Update existing records only")
        UPSERT = "upsert", _("Add new and update existing records")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("All or nothing: import only if every row is valid")
        VALID_ONLY = "valid", _("Import the valid rows, skip the rejected ones")

    ACTIVE = (Status.STAGED, Status.VALIDATING, Status.COMMITTING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    batch_id = models.CharField(_("batch"), max_length=20, unique=True, default=new_batch_id)
    table = models.CharField(_("table"), max_length=40, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Rows outside this region are rejected."),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8)
    size = models.BigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    strategy = models.CharField(_("strategy"), max_length=8, choices=Strategy.choices, default=Strategy.UPSERT)
    mode = models.CharField(_("rejected rows"), max_length=8, choices=Mode.choices, default=Mode.VALID_ONLY)
    options = models.JSONField(_("options"), default=dict, blank=True)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.STAGED)
    percent = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), default=0)
    columns = models.JSONField(_("columns found"), default=list, blank=True)

    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    count_new = models.PositiveIntegerField(_("new"), default=0)
    count_updated = models.PositiveIntegerField(_("updated"), default=0)
    count_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    count_rejected = models.PositiveIntegerField(_("rejected"), default=0)
    count_warnings = models.PositiveIntegerField(_("warnings"), default=0)

    stage_table = models.CharField(_("staging table"), max_length=63, blank=True)
    staged_rows = models.PositiveIntegerField(_("staged rows"), default=0)
    last_row = models.PositiveIntegerField(_("last row number"), default=0)
    committed_row = models.PositiveIntegerField(
        _("committed up to row"), default=0, help_text=_("Every row up to this row number is written.")
    )
    committed_batches = models.PositiveIntegerField(_("committed batches"), default=0)
    committed_new = models.PositiveIntegerField(_("added"), default=0)
    committed_updated = models.PositiveIntegerField(_("changed"), default=0)
    committed_skipped = models.PositiveIntegerField(
        _("skipped at commit"), default=0, help_text=_("Rows changed by someone else between validation and commit.")
    )
    annotated_file = models.FileField(_("annotated file"), upload_to="imports/annotated/%Y/%m/", blank=True)

    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["region", "-created_at"], name="importjob_region_recent")]

    def __str__(self):
        return f"{self.batch_id} {self.original_name}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("tabular:detail", args=[self.pk])

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    @property
    def stalled(self):
        """A validation or commit whose worker has shown no sign of life for a while (killed, restarted)."""
        if self.status not in (self.Status.VALIDATING, self.Status.COMMITTING) or self.heartbeat_at is None:
            return False
        limit = getattr(settings, "IMPORT_STALLED_SECONDS", 120)
        return (timezone.now() - self.heartbeat_at).total_seconds() > limit

    @property
    def can_commit(self):
        if self.status != self.Status.VALIDATED:
            return False
        if self.count_new + self.count_updated == 0:
            return False
        return self.mode == self.Mode.VALID_ONLY or self.count_rejected == 0


class ImportIssue(models.Model):
    class Severity(models.TextChoices):
        ERROR = "error", _("Rejected")
        WARNING = "warning", _("Warning")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(
        _("row"), help_text=_("The row number as the spreadsheet shows it (0: the file).")
    )
    column = models.CharField(_("column"), max_length=100, blank=True)
    column_index = models.IntegerField(_("column number"), null=True, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    code = models.CharField(_("code"), max_length=40)
    message = models.TextField(_("reason"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.ERROR)

    class Meta:
        verbose_name = _("import issue")
        verbose_name_plural = _("import issues")
        ordering = ["job", "row", "id"]
        indexes = [models.Index(fields=["job", "severity", "row"], name="importissue_job_row")]

    def __str__(self):
        return f"{self.row}: {self.message}"

    @property
    def column_letter(self):
        if self.column_index is None or self.column_index < 0:
            return ""
        return column_letter(self.column_index)


def column_letter(index):
    """0 -> A, 25 -> Z, 26 -> AA (spreadsheet column names)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters

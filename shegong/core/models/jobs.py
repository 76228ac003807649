import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..scoping import ScopedQuerySet


class TaskRunQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        # A job, its progress and its result file belong to the person who started it.
        return models.Q(user=user)


class TaskRun(models.Model):
    """One background job as its user sees it: progress, message, result file or error."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_runs")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    percent = models.PositiveSmallIntegerField(_("progress"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    result_file = models.FileField(_("result file"), upload_to="results/%Y/%m/", blank=True)
    result_name = models.CharField(_("result file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # The request that started the job: the audit events the job writes carry them.
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=64, blank=True)

    objects = TaskRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="taskrun_user_recent")]

    def __str__(self):
        return self.title

    @property
    def is_finished(self):
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    @property
    def error_words(self):
        """The failure as its user reads it, never an internal name (``KeyError: 'x'``).

        ``error`` keeps ``Type: message`` for the operator; the page shows the message of an error
        written for people (a refusal, a validation error, a message in Chinese), otherwise one
        sentence that sends the user to the operator with the job's number.
        """
        import re

        from django.utils.translation import gettext

        kind, _sep, message = (self.error or "").partition(": ")
        message = message.strip()
        if message.startswith("[") and message.endswith("]"):  # ValidationError(["..."])
            message = message[1:-1].strip().strip("'\"")
        meant_for_people = kind in {"ValidationError", "PermissionDenied", "Refused", "ImportRefused", "NotAllowed"}
        if message and (meant_for_people or re.search(r"[\u3400-\u9fff]", message)):
            return message
        if not self.error:
            return ""
        return gettext("An internal error stopped the job. Please tell the system operator the job number %(id)s.") % {
            "id": self.pk
        }


class WorkerHeartbeat(models.Model):
    """Written every few seconds by each running worker, so /healthz can tell whether one is alive."""

    worker_id = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.hostname}:{self.pid}"

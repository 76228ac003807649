"""Housekeeping that runs on a schedule, never inside a request."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from shegong.core.schedule import register_periodic


@task()
def prune_expired_results():
    """Delete the files of jobs whose result has expired (exports carry personal data)."""
    from shegong.core.models import TaskRun

    expired = (
        TaskRun.objects.unscoped("maintenance: every user's expired result files")
        .filter(expires_at__lt=timezone.now())
        .exclude(result_file="")
    )
    count = 0
    for run in expired.iterator():
        run.result_file.delete(save=False)
        TaskRun.objects.unscoped("maintenance: every user's expired result files").filter(pk=run.pk).update(
            result_file="", message=_("The result file has expired and was deleted.")
        )
        count += 1
    return count


register_periodic(prune_expired_results, every=timedelta(hours=1))

"""Background jobs of account administration: issuing admin accounts in bulk.

The account list's export is the engine's export job (accounts/tables.py).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from shegong.core.tasks import job_task


@task()
@job_task
def issue_accounts_job(job, root, levels, role):
    """Create the accounts, then store one xlsx per province, zipped, as the job's result.

    The file is written inside the accounts' transaction: when it cannot be stored, no account is
    created, so no initial password is ever lost.
    """
    from shegong.accounts.services import users

    user = job.run.user
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")

    def deliver(result):
        job.progress(90, _("Writing the files"))
        content = users.issued_zip(result, issued_by=user.username)
        job.save_result(f"{users.ISSUE_USERNAME_PREFIX[role]}-accounts-{result.root.code}-{stamp}.zip", content)

    result = users.issue_region_admins(root, levels, role, actor=user, progress=job.progress, deliver=deliver)
    job.progress(
        100,
        _("%(created)s accounts created, %(skipped)s regions already had one.")
        % {"created": len(result.accounts), "skipped": result.skipped},
    )

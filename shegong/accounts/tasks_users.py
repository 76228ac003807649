"""Background jobs of account administration: issuing admin accounts in bulk, exporting the account list."""

import csv
import io

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from shegong.core.audit import record
from shegong.core.tasks import job_task

EXPORT_FORMATS = {"xlsx", "csv"}
# Generous for any official's scope (the whole country has a few tens of thousands of official accounts).
EXPORT_MAX_ROWS = 200_000


@task()
@job_task
def issue_accounts_job(job, root, levels, role):
    """Create the accounts, then store one xlsx per province, zipped, as the job's result.

    The file is written inside the accounts' transaction: when it cannot be stored, no account is
    created, so no initial password is ever lost.
    """
    from . import services_users

    user = job.run.user
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")

    def deliver(result):
        job.progress(90, _("Writing the files"))
        content = services_users.issued_zip(result, issued_by=user.username)
        job.save_result(
            f"{services_users.ISSUE_USERNAME_PREFIX[role]}-accounts-{result.root.code}-{stamp}.zip", content
        )

    result = services_users.issue_region_admins(user, root, levels, role, progress=job.progress, deliver=deliver)
    job.progress(
        100,
        _("%(created)s accounts created, %(skipped)s regions already had one.")
        % {"created": len(result.accounts), "skipped": result.skipped},
    )


EXPORT_COLUMNS = [
    ("username", gettext_lazy("User name")),
    ("full_name", gettext_lazy("Name")),
    ("role", gettext_lazy("Role")),
    ("region_code", gettext_lazy("Region code")),
    ("region", gettext_lazy("Region")),
    ("phone", gettext_lazy("Telephone")),
    ("active", gettext_lazy("Active")),
    ("must_change_password", gettext_lazy("Initial password not yet changed")),
    ("last_login", gettext_lazy("Last sign-in")),
    ("date_joined", gettext_lazy("Created")),
]


def user_rows(queryset):
    yield [str(title) for _key, title in EXPORT_COLUMNS]
    for user in queryset.select_related("region").iterator(chunk_size=2000):
        yield [
            user.username,
            user.full_name,
            str(user.get_role_display()),
            user.region_id or "",
            str(user.region) if user.region_id else "",
            user.phone,
            _("Yes") if user.is_active else _("No"),
            _("Yes") if user.must_change_password else _("No"),
            timezone.localtime(user.last_login).strftime("%Y-%m-%d %H:%M") if user.last_login else "",
            timezone.localtime(user.date_joined).strftime("%Y-%m-%d %H:%M"),
        ]


@task()
@job_task
def export_users_job(job, filters, fmt):
    from .filters import UserFilter
    from .models import User

    user = job.run.user
    # The scope is applied again when the job runs, not when it was requested.
    queryset = UserFilter(filters, queryset=User.objects.visible_to(user)).qs.order_by("region_id", "username")
    total = min(queryset.count(), EXPORT_MAX_ROWS)
    job.progress(5, _("Collecting %(count)s rows") % {"count": total})
    rows = []
    for index, row in enumerate(user_rows(queryset[:EXPORT_MAX_ROWS])):
        rows.append(row)
        if index and index % 1000 == 0:
            job.progress(
                5 + 80 * index // max(total, 1), _("%(done)s of %(total)s rows") % {"done": index, "total": total}
            )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerows(rows)
        content = ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8
    else:
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet(_("Accounts"))
        text = workbook.add_format({"num_format": "@"})
        bold = workbook.add_format({"bold": True})
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write_string(r, c, str(value), bold if r == 0 else text)
        sheet.set_column(0, 1, 18)
        sheet.set_column(2, 4, 24)
        sheet.freeze_panes(1, 0)
        workbook.close()
        content = buffer.getvalue()
    job.progress(95, _("Writing the file"))
    job.save_result(f"accounts-{stamp}.{fmt}", content)
    record(
        user, "export", None, changes={"table": "accounts", "filters": filters, "rows": len(rows) - 1, "format": fmt}
    )

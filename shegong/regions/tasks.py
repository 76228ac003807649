import io

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from shegong.core import audit_actions
from shegong.core.audit import record
from shegong.core.tasks import job_task


@task()
@job_task
def export_regions(job, filters, fmt):
    from .filters import RegionFilter
    from .models import Region
    from .views import region_rows, rows_to_csv

    user = job.run.user
    # Scope is applied again when the job runs, not when it was requested.
    queryset = RegionFilter(filters, queryset=Region.objects.visible_to(user)).qs.select_related("parent")
    total = queryset.count() or 1
    job.progress(5, _("Collecting %(count)s rows") % {"count": total})
    rows, done = [], 0
    for row in region_rows(queryset):
        rows.append(row)
        done += 1
        if done % 500 == 0:
            job.progress(5 + 80 * done // total, _("%(done)s of %(total)s rows") % {"done": done, "total": total})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        content = rows_to_csv(rows)
    else:
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet(_("Divisions"))
        text = workbook.add_format({"num_format": "@"})
        bold = workbook.add_format({"bold": True})
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, [str(c) for c in row], bold if r == 0 else text)
        sheet.set_column(0, 0, 10)
        sheet.set_column(1, 2, 30)
        sheet.freeze_panes(1, 0)
        workbook.close()
        content = buffer.getvalue()
    job.progress(95, _("Writing the file"))
    job.save_result(f"regions-{stamp}.{fmt}", content)
    record(
        user,
        audit_actions.EXPORT,
        None,
        changes={"table": "regions", "filters": filters, "rows": len(rows) - 1, "format": fmt},
    )

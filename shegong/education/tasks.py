"""Background work: the compliance export, and the daily refresh of standings (periods roll over)."""

import csv
import io
from datetime import timedelta

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from shegong.core.audit import record
from shegong.core.schedule import register_periodic
from shegong.core.tasks import job_task

from . import rules as R

EXPORT_MAX_ROWS = 1_000_000
EXPORT_COLUMNS = [
    gettext_lazy("Name"),
    gettext_lazy("Work region"),
    gettext_lazy("Region code"),
    gettext_lazy("Level"),
    gettext_lazy("Period starts"),
    gettext_lazy("Period ends"),
    gettext_lazy("Hours required"),
    gettext_lazy("Hours credited"),
    gettext_lazy("Hours still needed"),
    gettext_lazy("Compliance"),
]


def standing_rows(queryset, today):
    from shegong.workers.models import CertificateLevel

    from .models import ComplianceStatus

    levels = dict(CertificateLevel.choices)
    statuses = dict(ComplianceStatus.choices)
    for standing in queryset.iterator(chunk_size=5000):
        yield [
            standing.person.name,
            str(standing.region),
            standing.region_id,
            str(levels.get(standing.level, standing.level)),
            f"{standing.period_start:%Y-%m-%d}",
            f"{standing.period_end:%Y-%m-%d}",
            R.format_hours(standing.required),
            R.format_hours(standing.credited),
            R.format_hours(standing.remaining),
            str(statuses[standing.status(today)]),
        ]


@task()
@job_task
def export_compliance(job, filters, fmt):
    from .filters import StandingFilter
    from .models import StudyStanding

    user = job.run.user
    today = timezone.localdate()
    # The scope is applied again when the job runs, not when it was asked for.
    queryset = (
        StandingFilter(filters, queryset=StudyStanding.objects.visible_to(user))
        .qs.select_related("person", "region")
        .order_by("region_id", "person_id")
    )
    job.progress(2, _("Collecting the rows"))
    header = [str(title) for title in EXPORT_COLUMNS]
    rows, truncated = 0, False
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for row in standing_rows(queryset, today):
            if rows >= EXPORT_MAX_ROWS:
                truncated = True
                break
            writer.writerow(row)
            rows += 1
            if rows % 20_000 == 0:
                job.progress(min(90, 2 + rows * 88 // EXPORT_MAX_ROWS), _("%(done)s rows") % {"done": rows})
        content = ("\ufeff" + out.getvalue()).encode("utf-8")
    else:
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
        sheet = workbook.add_worksheet(_("Compliance"))
        text = workbook.add_format({"num_format": "@"})
        bold = workbook.add_format({"bold": True})
        sheet.set_column(0, 1, 18)
        sheet.set_column(2, 9, 12)
        for col, title in enumerate(header):
            sheet.write_string(0, col, title, bold)
        for row in standing_rows(queryset, today):
            if rows >= EXPORT_MAX_ROWS:
                truncated = True
                break
            rows += 1
            for col, value in enumerate(row):
                sheet.write_string(rows, col, value, text)
            if rows % 20_000 == 0:
                job.progress(min(90, 2 + rows * 88 // EXPORT_MAX_ROWS), _("%(done)s rows") % {"done": rows})
        workbook.close()
        content = buffer.getvalue()
    job.progress(95, _("Writing the file"))
    job.save_result(f"education-compliance-{stamp}.{fmt}", content)
    record(
        user,
        "export",
        None,
        changes={
            "table": "education_compliance",
            "filters": filters,
            "rows": rows,
            "format": fmt,
            "truncated": truncated,
        },
    )


@task()
def refresh_all_standings():
    """Daily: recompute every standing (periods roll over, certificates and registrations change)."""
    from .ledger import refresh_standings

    return refresh_standings()


register_periodic(refresh_all_standings, every=timedelta(days=1))


@task()
def refresh_region_standings(region_code):
    """Recompute the standings of one region's subtree (after its province changed its rules)."""
    from shegong.regions.models import Region

    from .ledger import refresh_standings

    region = Region.objects.unscoped("division tree: public reference data").filter(code=region_code).first()
    return refresh_standings(region) if region is not None else 0

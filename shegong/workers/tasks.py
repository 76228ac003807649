"""Background jobs of the registry: export of the filtered persons or certificates (xlsx or csv).

Written like regions/tasks.py (shegong.core.tabular had no export API when this was written).
The scope is applied again when the job runs; rows stream from the database in chunks and the
workbook is written in xlsxwriter's constant-memory mode, so a province-wide export does not hold
its rows in memory twice. ID numbers are masked in exports.
"""

import csv
import io

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from shegong.core import identifiers
from shegong.core.audit import record
from shegong.core.tasks import job_task

CHUNK = 2000


def _masked_id(token):
    from shegong.core import crypto

    try:
        return identifiers.mask_id_number(crypto.decrypt(token))
    except crypto.DecryptionError:
        return ""


def _date(value):
    return f"{value:%Y-%m-%d}" if value else ""


def person_rows(queryset):
    from .models import Certificate

    yield [
        _("Name"),
        _("ID number"),
        _("Sex"),
        _("Date of birth"),
        _("Work region code"),
        _("Work region"),
        _("Employer type"),
        _("Employer"),
        _("Registration status"),
        _("Registration valid until"),
        _("Certificates"),
        _("Checked"),
    ]
    batch = []

    def flush(rows):
        certificates = {}
        for certificate in Certificate.objects.filter(person_id__in=[p.pk for p in rows]).order_by("exam_year"):
            certificates.setdefault(certificate.person_id, []).append(
                f"{certificate.get_level_display()} {certificate.management_no}"
            )
        for person in rows:
            yield [
                person.name,
                _masked_id(person.id_encrypted),
                person.get_sex_display(),
                _date(person.birth_date),
                person.region_id,
                str(person.region),
                person.get_employer_type_display() if person.employer_type else "",
                person.employer_display,
                person.registration_status.label,
                _date(person.registration_valid_to),
                "; ".join(certificates.get(person.pk, [])),
                _("Yes") if person.checked else _("No"),
            ]

    for person in queryset.select_related("region", "employer_organization").iterator(chunk_size=CHUNK):
        batch.append(person)
        if len(batch) >= CHUNK:
            yield from flush(batch)
            batch = []
    if batch:
        yield from flush(batch)


def certificate_rows(queryset):
    yield [
        _("Management number"),
        _("Level"),
        _("Exam year"),
        _("Issued on"),
        _("Name"),
        _("ID number"),
        _("Work region"),
        _("Registration status"),
        _("Registration valid until"),
    ]
    for certificate in queryset.select_related("person", "person__region").iterator(chunk_size=CHUNK):
        yield [
            certificate.management_no,
            certificate.get_level_display(),
            certificate.exam_year,
            _date(certificate.issued_on),
            certificate.person.name,
            _masked_id(certificate.person.id_encrypted),
            str(certificate.person.region),
            certificate.registration_status.label,
            _date(certificate.registration_valid_to),
        ]


def write_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    count = -1
    for row in rows:
        writer.writerow([str(cell) for cell in row])
        count += 1
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), count


def write_xlsx(rows, sheet_name, progress=None):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = workbook.add_worksheet(sheet_name[:31])
    text = workbook.add_format({"num_format": "@"})
    bold = workbook.add_format({"bold": True})
    count = -1
    for index, row in enumerate(rows):
        # Everything as text: ID numbers and management numbers must not become numbers.
        sheet.write_row(index, 0, [str(cell) for cell in row], bold if index == 0 else text)
        count += 1
        if progress and count and count % 5000 == 0:
            progress(count)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue(), count


@task()
@job_task
def export_registry(job, table, filters, fmt):
    from .filters import CertificateFilter, PersonFilter
    from .models import Certificate, Person

    user = job.run.user
    if table == "persons":
        queryset = PersonFilter(filters, queryset=Person.objects.visible_to(user)).qs.order_by("name", "pk")
        rows, sheet = person_rows(queryset), _("Social workers")
    else:
        queryset = CertificateFilter(filters, queryset=Certificate.objects.visible_to(user)).qs.order_by(
            "management_no", "pk"
        )
        rows, sheet = certificate_rows(queryset), _("Certificates")
    job.progress(5, _("Collecting the rows"))

    def progress(done):
        job.progress(min(90, 5 + done // 2000), _("%(done)s rows written") % {"done": done})

    if fmt == "csv":
        content, count = write_csv(rows)
    else:
        content, count = write_xlsx(rows, sheet, progress)
    job.progress(95, _("Writing the file"))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    job.save_result(f"{table}-{stamp}.{fmt}", content)
    record(
        user, "export", None, changes={"table": f"workers.{table}", "filters": filters, "rows": count, "format": fmt}
    )

"""Attendance sheets (xlsx or csv): read, check every row, show the result, then record on confirmation.

The generic import engine (core/tabular) does not exist yet, so this one import is implemented here,
simply: the sheet is at most MAX_ROWS rows (one activity's attendees), read with python-calamine
(csv with the csv module), every row checked with all persons looked up in two queries (ID numbers
through the blind index, management numbers), errors reported as (row, column, reason). Nothing is
recorded until the provider confirms; then the valid rows are recorded in one transaction.

Columns (header row, Chinese or English names): 身份证号 / ID number, or 管理号 / management number;
学时 / hours; 姓名 / name (optional: checked against the registry when given).
"""

import csv
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from shegong.core import crypto
from shegong.core.audit import record
from shegong.core.identifiers import IdentifierError, validate_id_number
from shegong.education import actions
from shegong.workers.models import Certificate, Person
from shegong.workers.queries import names_match
from shegong.workers.services import validate_management_no

from . import rules as R
from .models import AttendanceImport, Enrolment, EnrolmentStatus, StudyRecord
from .services_activities import _own_activity, _recordable, record_imported_attendance

MAX_ROWS = 5000
MAX_FILE_BYTES = 5 * 1024 * 1024
HEADERS = {
    "id_number": {"身份证号", "身份证号码", "公民身份号码", "证件号码", "id number", "id_number", "id"},
    "management_no": {"管理号", "证书管理号", "management number", "management_no"},
    "hours": {"学时", "学时数", "hours"},
    "name": {"姓名", "name"},
}


def column_label(key):
    return {
        "id_number": _("ID number"),
        "management_no": _("Management number"),
        "hours": _("Hours"),
        "name": _("Name"),
    }.get(key, key)


def read_table(uploaded):
    """The sheet's rows as lists of cell values (first sheet of a workbook, or a csv file)."""
    name = (getattr(uploaded, "name", "") or "").lower()
    if getattr(uploaded, "size", 0) > MAX_FILE_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."))
    data = uploaded.read()
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError(_("The csv file is neither UTF-8 nor GB18030 text."))
        return list(csv.reader(io.StringIO(text)))
    if name.endswith((".xlsx", ".xls", ".ods")):
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except (CalamineError, ValueError, OSError) as exc:
            raise ValidationError(_("The file could not be read as a spreadsheet.")) from exc
    raise ValidationError(_("Upload an .xlsx or .csv file."))


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _header_map(header):
    columns = {}
    for index, cell in enumerate(header):
        label = _text(cell).lower().replace("（", "(").split("(")[0].strip()
        for key, names in HEADERS.items():
            if label in {n.lower() for n in names} and key not in columns:
                columns[key] = index
    return columns


def check_rows(activity, table):
    """(valid rows, errors, rows read). Valid rows: {"row", "person", "name", "hours"}."""
    errors, candidates = [], []
    if not table:
        return [], [{"row": 1, "column": "", "reason": _("The file is empty.")}], 0
    columns = _header_map(table[0])
    missing = []
    if "id_number" not in columns and "management_no" not in columns:
        missing.append(_("a column 身份证号 (ID number) or 管理号 (management number)"))
    if "hours" not in columns:
        missing.append(_("a column 学时 (hours)"))
    if missing:
        return (
            [],
            [{"row": 1, "column": "", "reason": _("The header row needs %(what)s.") % {"what": "; ".join(missing)}}],
            0,
        )

    def cell(row, key):
        index = columns.get(key)
        return row[index] if index is not None and index < len(row) else None

    body = [(number, row) for number, row in enumerate(table[1:], start=2) if any(_text(c) for c in row)]
    if len(body) > MAX_ROWS:
        return (
            [],
            [{"row": "", "column": "", "reason": _("At most %(max)s rows per file.") % {"max": MAX_ROWS}}],
            len(body),
        )
    for number, row in body:
        entry = {"row": number}
        raw_id, raw_no = cell(row, "id_number"), cell(row, "management_no")
        if isinstance(raw_id, float):
            errors.append(
                {
                    "row": number,
                    "column": str(column_label("id_number")),
                    "reason": _("The ID number is stored as a number and has lost digits; format the column as text."),
                }
            )
            continue
        id_text, no_text = _text(raw_id), _text(raw_no)
        if id_text:
            try:
                entry["id"] = validate_id_number(id_text).number
            except IdentifierError as exc:
                errors.append(
                    {"row": number, "column": str(column_label("id_number")), "reason": " ".join(exc.messages)}
                )
                continue
        elif no_text:
            try:
                entry["no"] = validate_management_no(no_text)
            except ValidationError as exc:
                errors.append(
                    {"row": number, "column": str(column_label("management_no")), "reason": " ".join(exc.messages)}
                )
                continue
        else:
            errors.append(
                {
                    "row": number,
                    "column": str(column_label("id_number")),
                    "reason": _("Give the ID number or the management number."),
                }
            )
            continue
        try:
            value = R.hours(_text(cell(row, "hours")))
        except InvalidOperation:
            value = Decimal(-1)
        if value <= 0 or value > activity.hours:
            errors.append(
                {
                    "row": number,
                    "column": str(column_label("hours")),
                    "reason": _("Hours must lie between 0.1 and the %(hours)s hours the activity offers.")
                    % {"hours": R.format_hours(activity.hours)},
                }
            )
            continue
        entry["hours"] = value
        entry["given_name"] = _text(cell(row, "name"))
        candidates.append(entry)
    # Two queries for every person on the sheet.
    indexes = {}
    for entry in candidates:
        if "id" in entry:
            for candidate in crypto.blind_index_candidates(entry["id"]):
                indexes[candidate] = entry["id"]
    by_id = {}
    for person in Person.objects.filter(id_blind_index__in=list(indexes)).only("pk", "name", "id_blind_index"):
        by_id[indexes[person.id_blind_index]] = person
    numbers = [entry["no"] for entry in candidates if "no" in entry]
    by_no = {
        certificate.management_no: certificate.person
        for certificate in Certificate.objects.filter(management_no__in=numbers).select_related("person")
    }
    recorded = set(StudyRecord.objects.filter(activity=activity).values_list("person_id", flat=True)) | set(
        Enrolment.objects.filter(activity=activity, status=EnrolmentStatus.ATTENDED).values_list("person_id", flat=True)
    )
    valid, seen = [], {}
    for entry in candidates:
        number = entry["row"]
        if "id" in entry:
            person, column = by_id.get(entry["id"]), column_label("id_number")
        else:
            person, column = by_no.get(entry["no"]), column_label("management_no")
        if person is None:
            errors.append(
                {"row": number, "column": str(column), "reason": _("No social worker in the registry has this number.")}
            )
            continue
        if entry["given_name"] and not names_match(entry["given_name"], person.name):
            errors.append(
                {
                    "row": number,
                    "column": str(column_label("name")),
                    "reason": _("The name does not match the registry record of this number."),
                }
            )
            continue
        if person.pk in seen:
            errors.append(
                {
                    "row": number,
                    "column": str(column),
                    "reason": _("The same person is already on row %(row)s.") % {"row": seen[person.pk]},
                }
            )
            continue
        if person.pk in recorded:
            errors.append(
                {"row": number, "column": str(column), "reason": _("Attendance of this person is already recorded.")}
            )
            continue
        seen[person.pk] = number
        valid.append({"row": number, "person": person.pk, "name": person.name, "hours": str(entry["hours"])})
    errors.sort(key=lambda e: e["row"] if isinstance(e["row"], int) else 0)
    return valid, errors, len(body)


@transaction.atomic
def stage_import(actor, activity, uploaded):
    """Read and check a sheet; nothing is recorded yet. Returns the AttendanceImport to show."""
    activity = _own_activity(actor, activity, published=True)
    _recordable(activity)
    table = read_table(uploaded)
    valid, errors, total = check_rows(activity, table)
    staged = AttendanceImport.objects.create(
        activity=activity,
        uploaded_by=actor,
        filename=(getattr(uploaded, "name", "") or "upload")[:200],
        rows=valid,
        errors=errors,
        total_rows=total,
    )
    record(
        actor,
        actions.IMPORT_STAGE,
        staged,
        changes={"activity": activity.pk, "rows": total, "valid": len(valid), "errors": len(errors)},
        region_code=activity.provider.province_id,
    )
    return staged


@transaction.atomic
def commit_import(actor, staged):
    """Record the valid rows of a checked sheet. Returns (ledger rows, names skipped as already recorded)."""
    staged = AttendanceImport.objects.select_for_update().get(pk=staged.pk)
    activity = _own_activity(actor, staged.activity, published=True)
    if staged.state != AttendanceImport.State.STAGED:
        raise ValidationError(_("This file was already recorded or discarded."))
    if (
        staged.uploaded_by_id != actor.pk
        and not AttendanceImport.objects.visible_to(actor).filter(pk=staged.pk).exists()
    ):
        raise PermissionDenied(_("This import belongs to another provider."))
    _recordable(activity)
    persons = Person.objects.in_bulk([row["person"] for row in staged.rows])
    pairs = [(persons[row["person"]], Decimal(row["hours"])) for row in staged.rows if row["person"] in persons]
    rows, skipped = record_imported_attendance(actor, activity, pairs)
    staged.state = AttendanceImport.State.COMMITTED
    staged.recorded = len(rows)
    staged.committed_at = timezone.now()
    staged.save(update_fields=["state", "recorded", "committed_at"])
    record(
        actor,
        actions.IMPORT_COMMIT,
        staged,
        changes={"activity": activity.pk, "recorded": len(rows), "skipped": len(skipped)},
        region_code=activity.provider.province_id,
    )
    return rows, skipped


@transaction.atomic
def discard_import(actor, staged):
    staged = AttendanceImport.objects.select_for_update().get(pk=staged.pk)
    _own_activity(actor, staged.activity)
    if staged.state == AttendanceImport.State.STAGED:
        staged.state = AttendanceImport.State.DISCARDED
        staged.save(update_fields=["state"])
    return staged


def template_csv():
    """A sample sheet to fill in (UTF-8 with BOM so that Excel opens it as UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["身份证号", "管理号", "姓名", "学时"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


__all__ = ["check_rows", "commit_import", "discard_import", "read_table", "stage_import", "template_csv"]

"""The attendance list (签到表) of one activity, imported by its provider through the import engine.

The provider uploads the list on the activity's attendance page; the page stages the file with the
activity in the job's ``options`` (checked by ``check_options`` at upload and again at confirmation:
the activity must be the uploader's own, published provider's, started and not cancelled). Each row
names a social worker by ID number (through its blind index) or by certificate management number, the
hours attended (0.1 up to the activity's hours) and optionally the name, checked against the registry.

Persons are found wherever they work: providers record attendees from every region, so there is no
region check, and a refusal never tells more than the provider knows: a number that matches nobody
"is not in the registry", a name that differs "does not match", without naming the registry's name or
region. The same person twice (even once by ID number and once by management number) and attendance
already recorded are refused. Enrolled persons are "updated" (their enrolment becomes attended), the
others "new" (enrolled by the list; capacity does not apply). The commit credits each batch through
``record_imported_attendance``, the same service as before, so the ledger and standings move as for
attendance recorded on screen.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.identifiers import mask_id_number
from shegong.core.tabular import columns as c
from shegong.core.tabular.keys import BlindIndexer, refuse_during_rotation
from shegong.core.tabular.spec import Match, StageColumn, TableSpec, register
from shegong.core.tabular.stage import q
from shegong.workers.models import Certificate, Person
from shegong.workers.queries import names_match
from shegong.workers.services import validate_management_no

from . import rules as R
from .models import Activity, Enrolment, EnrolmentStatus, StudyRecord
from .models.scope import PROVIDER_ROLE, provider_id_of

TABLE = "attendance"
# Which file column a refusal made after the lookups points at: the row's own number column.
_NUMBER_COLUMN = "CASE WHEN person_key IS NOT NULL THEN 'id_number' ELSE 'management_no' END"


def _refused(message):
    from shegong.core.tabular.engine import ImportRefused

    return ImportRefused(message)


def attendance_activity(user, options):
    """The activity of an attendance list staged by ``user``: their own provider's, published, recordable."""
    from shegong.education.services.activities import _own_activity, _recordable

    try:
        activity_id = int((options or {}).get("activity"))
    except (TypeError, ValueError):
        raise _refused(_("An attendance list is uploaded on the attendance page of its activity.")) from None
    activity = (
        Activity.objects.unscoped("attendance: the activity the list names, checked as the provider's own next")
        .select_related("provider")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None:
        raise _refused(_("This activity belongs to another provider."))
    try:
        with transaction.atomic():
            activity = _own_activity(user, activity, published=True)
            _recordable(activity)
    except PermissionDenied as exc:
        raise _refused(str(exc)) from exc
    except ValidationError as exc:
        raise _refused(" ".join(exc.messages)) from exc
    return activity


class AttendanceTable(TableSpec):
    has_personal_ids = True

    # --- who ---------------------------------------------------------------------------------------------
    def can_import(self, user):
        return getattr(user, "role", None) == PROVIDER_ROLE and provider_id_of(user) is not None

    def check_options(self, user, options):
        return {"activity": attendance_activity(user, options).pk}

    def import_scope(self, user, region):
        # No region check of the rows: attendees come from everywhere. The job belongs to the
        # provider's province (its record, audit events and officials' view of it).
        from shegong.core.tabular.scope import ImportScope

        return ImportScope(user=None, region=region)

    def can_export(self, user):
        return False

    # --- rows --------------------------------------------------------------------------------------------
    def prepare(self, context):
        from shegong.core.tabular.readers import FileRejected

        refuse_during_rotation()
        context.cache["blind_index"] = BlindIndexer()
        context.cache["activity"] = attendance_activity(context.user, context.job.options)
        if "id_number" not in context.positions and "management_no" not in context.positions:
            raise FileRejected(
                _("The header row needs %(what)s.")
                % {"what": _("a column 身份证号 (ID number) or 管理号 (management number)")}
            )

    def clean_row(self, values, row):
        context = row.context
        activity = context.cache["activity"]
        parsed, number = values.get("id_number"), values.get("management_no")
        if parsed is not None:
            person_key, number = context.cache["blind_index"](parsed.number), None
            display = mask_id_number(parsed.number)
        elif number is not None:
            try:
                number = validate_management_no(number)
            except ValidationError as exc:
                row.error("management_no", "bad_management_no", " ".join(exc.messages), number)
                return None
            person_key, display = None, number
        else:
            row.error("id_number", "no_number", _("Give the ID number or the management number."))
            return None
        hours = R.hours(values["hours"])
        if hours <= 0 or hours > activity.hours:
            row.error(
                "hours",
                "bad_hours",
                _("Hours must lie between 0.1 and the %(hours)s hours the activity offers.")
                % {"hours": R.format_hours(activity.hours)},
                values["hours"],
            )
            return None
        # Every row has a key of its own: the same person is found (by either number) after the lookups.
        return str(row.number), display, (person_key, number, None, values.get("name"), hours, activity.pk)

    def after_lookups(self, stage, context):
        s = stage.table
        activity = context.cache["activity"]
        stage.execute(
            f"UPDATE {s} SET person_id = p.id FROM {q(Person._meta.db_table)} p "
            f"WHERE p.id_blind_index = {s}.person_key AND {s}.action = 'n'"
        )
        stage.execute(
            f"UPDATE {s} SET person_id = t.person_id FROM {q(Certificate._meta.db_table)} t "
            f"WHERE t.management_no = {s}.management_no AND {s}.person_key IS NULL AND {s}.action = 'n'"
        )
        stage.execute(
            f"UPDATE {s} SET action = 'r', reason = 'unknown_person:' || {_NUMBER_COLUMN} "
            f"WHERE action = 'n' AND person_id IS NULL"
        )
        self._reject_other_names(stage)
        stage.execute(
            f"""
            UPDATE {s} SET action = 'r', reason = 'same_person:' || {_NUMBER_COLUMN}, ref = d.first_row
            FROM (
                SELECT person_id, MIN(row_no) AS first_row FROM {s} WHERE action = 'n'
                GROUP BY person_id HAVING COUNT(*) > 1
            ) d
            WHERE {s}.person_id = d.person_id AND {s}.action = 'n' AND {s}.row_no > d.first_row
            """
        )
        stage.execute(
            f"""
            UPDATE {s} SET action = 'r', reason = 'recorded:' || {_NUMBER_COLUMN}
            WHERE action = 'n' AND (
                person_id IN (SELECT person_id FROM {q(StudyRecord._meta.db_table)} WHERE activity_id = %s)
                OR person_id IN (
                    SELECT person_id FROM {q(Enrolment._meta.db_table)} WHERE activity_id = %s AND status = %s
                )
            )
            """,
            [activity.pk, activity.pk, EnrolmentStatus.ATTENDED],
        )

    @staticmethod
    def _reject_other_names(stage):
        """Rows whose name differs from the registry's (compared as before the engine, by ``names_match``);
        the preview shows the name as given (``kdisp``), never the registry's."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT row_no, person_id, holder_name FROM {stage.table} "
                "WHERE action = 'n' AND holder_name IS NOT NULL AND holder_name <> ''"
            )
            given = cursor.fetchall()
        if not given:
            return
        names = dict(
            Person.objects.unscoped("attendance: the name check of attendees matched by their numbers")
            .filter(pk__in={person for _row, person, _name in given})
            .values_list("pk", "name")
        )
        wrong = [row for row, person, name in given if not names_match(name, names.get(person, ""))]
        for start in range(0, len(wrong), 500):
            chunk = wrong[start : start + 500]
            stage.execute(
                f"UPDATE {stage.table} SET action = 'r', reason = 'name_mismatch:name', kdisp = holder_name "
                f"WHERE row_no IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )

    def reason_message(self, reason, ref, context):
        code = (reason or "").split(":")[0]
        if code == "unknown_person":
            return _("No social worker in the registry has this number.")
        if code == "name_mismatch":
            return _("The name does not match the registry record of this number.")
        if code == "same_person":
            return _("The same person is already on row %(row)s.") % {"row": ref}
        if code == "recorded":
            return _("Attendance of this person is already recorded.")
        return None

    def reason_column(self, reason, ref, context):
        if (
            reason
            and ":" in reason
            and reason.split(":")[0]
            in {
                "unknown_person",
                "name_mismatch",
                "same_person",
                "recorded",
            }
        ):
            return reason.split(":", 1)[1]
        return None

    # --- the write -----------------------------------------------------------------------------------------
    def commit_batch(self, stage, lo, hi, context):
        from django.db import connection

        from shegong.education.services.activities import _own_activity, _recordable, record_imported_attendance

        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT person_id, hours, action FROM {stage.table} "
                "WHERE action IN ('n', 'u') AND row_no > %s AND row_no <= %s ORDER BY row_no",
                [lo, hi],
            )
            staged = cursor.fetchall()
        if not staged:
            return 0, 0
        activity = Activity.objects.unscoped("attendance: the job's activity, checked as the provider's own next").get(
            pk=context.job.options["activity"]
        )
        activity = _own_activity(context.user, activity, published=True)
        _recordable(activity)
        persons = Person.objects.unscoped("attendance: providers record attendees from every region").in_bulk(
            [person for person, _hours, _action in staged]
        )
        pairs = [
            (persons[person], R.hours(Decimal(str(hours)))) for person, hours, _action in staged if person in persons
        ]
        credited, _skipped = record_imported_attendance(activity, pairs, actor=context.user)
        kinds = {person: action for person, _hours, action in staged}
        inserted = sum(1 for row in credited if kinds.get(row.person_id) == "n")
        return inserted, len(credited) - inserted


attendance = register(
    AttendanceTable(
        name=TABLE,
        title=gettext_lazy("Attendance list"),
        description=gettext_lazy(
            "Who attended one activity and for how many hours, uploaded by its provider on the activity's attendance "
            "page: one row per social worker, named by ID number or management number. The hours are credited when the "
            "provider confirms."
        ),
        model=Enrolment,
        order=60,
        key=("id_number",),
        key_label=gettext_lazy("person"),
        strategies=("upsert",),
        generic_upload=False,
        region_field="activity__provider__province__code",
        columns=[
            c.id_number_column(
                required=False,
                example="440106199001011234",
                help=gettext_lazy("The ID number, or else the management number."),
            ),
            c.IdentifierTextColumn(
                "management_no",
                "管理号",
                gettext_lazy("Management number"),
                aliases=("证书管理号", "管理编号"),
                example="",
                max_length=40,
                help=gettext_lazy("The certificate's management number, when the ID number is not given."),
            ),
            c.TextColumn(
                "name",
                "姓名",
                gettext_lazy("Name"),
                example="张三",
                max_length=100,
                width=12,
                help=gettext_lazy("Optional; when given it must match the registry's name for the number."),
            ),
            c.DecimalColumn(
                "hours",
                "学时",
                gettext_lazy("Hours"),
                required=True,
                aliases=("学时数", "出勤学时"),
                example=6,
                help=gettext_lazy("Hours attended: from 0.1 up to the activity's hours."),
            ),
        ],
        stage=(
            StageColumn("person_key"),
            StageColumn("management_no"),
            StageColumn("person_id", "bigint"),
            StageColumn("holder_name"),
            StageColumn("hours", "decimal"),
            StageColumn("activity_id", "bigint"),
        ),
        # Enrolled persons are found (and their enrolment becomes attended); the others are new.
        match=Match(
            model=Enrolment,
            target_key="person_id",
            stage_key="person_id",
            compare=(("hours", "hours"),),
            target_filter="t.activity_id = {stage}.activity_id",
        ),
    )
)

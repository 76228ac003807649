"""Import and export table of study-hour records (学时记录) kept before this system or by a provincial one.

Historical records are taken as they were decided: the file gives the hours credited (and, if known,
the hours claimed); the rows enter the ledger with source "import" and are not converted again by
today's rules (``ledger.credit`` does that for new items). Each row is identified within its person
by the source system's record number, or, without one, by a fingerprint of the person, date, title,
form and hours, kept as the row's source reference: importing the same file again changes nothing.
The standings (hours per registration period) of the region are refreshed after the last batch.
"""

import hashlib

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.tabular import columns as c
from shegong.core.tabular.spec import Match, StageColumn, TableSpec, register
from shegong.core.tabular.stage import q
from shegong.workers.holder_tables import (
    HOLDER_STAGE,
    holder_columns,
    holder_lookup,
    holder_reason,
    holder_staged,
    prepare_holders,
    reject_name_mismatch,
)
from shegong.workers.models import Certificate

from . import attendance_table  # noqa: F401  (registers the attendance list of an activity)
from . import rules as R
from .filters import StandingFilter
from .models import StudyRecord, StudyStanding
from .models.choices import Source, StudyForm
from .queries import policy_for, policy_for_province

FORM_WORDS = {
    StudyForm.TRAINING: "继续教育机构培训",
    StudyForm.AUTHORITY_TRAINING: "主管部门培训",
    StudyForm.CONFERENCE: "会议研讨",
    StudyForm.ONLINE: "网络课程",
    StudyForm.DEGREE: "学历教育",
    StudyForm.DEGREE_COURSES: "学历课程",
    StudyForm.PAPER: "论文及案例",
    StudyForm.RESEARCH: "课题研究",
    StudyForm.SUPERVISION_GIVEN: "提供督导",
    StudyForm.SUPERVISION_RECEIVED: "接受督导",
    StudyForm.OTHER: "其他",
}
FORM_ALIASES = {
    StudyForm.TRAINING: ("培训", "面授培训", "机构培训"),
    StudyForm.CONFERENCE: ("会议", "研讨会", "学术会议", "讲座"),
    StudyForm.ONLINE: ("网络学习", "在线课程", "网课", "远程教育"),
    StudyForm.DEGREE: ("学历", "学位教育"),
    StudyForm.PAPER: ("论文", "调研报告", "案例"),
    StudyForm.RESEARCH: ("课题",),
    StudyForm.SUPERVISION_GIVEN: ("督导",),
    StudyForm.OTHER: ("其它",),
}


class StudyRecordTable(TableSpec):
    has_personal_ids = True

    def prepare(self, context):
        prepare_holders(context)
        # The province's rules (those of the importer's region; national defaults above province level).
        region = context.job.region
        context.cache["policy"] = policy_for(region) if region is not None else policy_for_province(None)

    def clean_row(self, values, row):
        context = row.context
        parsed = values["id_number"]
        occurred = values.get("occurred_on")
        form = values.get("form")
        title = values.get("title")
        credited = values.get("hours_credited")
        if None in (parsed, occurred, form, title, credited):
            return None
        claimed = values.get("hours_claimed")
        claimed = credited if claimed is None else claimed
        for name, hours in (("hours_credited", credited), ("hours_claimed", claimed)):
            if hours < 0 or hours > R.MAX_HOURS_PER_ITEM:
                row.error(
                    name, "bad_hours", _("Hours must lie between 0 and %(max)s.") % {"max": R.MAX_HOURS_PER_ITEM}, hours
                )
                return None
        if credited > claimed:
            row.error("hours_credited", "credited_above_claimed", _("More hours credited than claimed."), credited)
            return None
        # The province's rule for the form (education/rules.py, as ledger.credit applies it to new items).
        rule = context.cache["policy"].rule(form)
        if not rule.accepted:
            row.error(
                "form",
                "form_not_recognised",
                _("This form of study is not recognised by the province's continuing-education rules."),
                values.get("form"),
            )
            return None
        allowed, words = R.convert(rule, claimed)
        if credited > allowed:
            row.error(
                "hours_credited",
                "over_rule",
                _(
                    "More hours than the province's rule gives for one item of this form (%(rule)s: at most "
                    "%(allowed)s hours; 民发〔2009〕123号 art. 10 and the province's conversion rules)."
                )
                % {"rule": words, "allowed": R.format_hours(allowed)},
                credited,
            )
            return None
        holder = holder_staged(values, context)
        reference = values.get("record_no")
        if not reference:
            fingerprint = "|".join((parsed.number, occurred.isoformat(), title, form, str(credited), str(claimed)))
            reference = "H-" + hashlib.sha256(fingerprint.encode()).hexdigest()[:24]
        staged = holder + (
            form,
            title[:200],
            claimed,
            credited,
            occurred,
            reference[:100],
            occurred.year,
            bool(rule.once),
        )
        return f"{holder[0]}|{reference}", reference, staged

    def after_lookups(self, stage, context):
        reject_name_mismatch(stage)
        t = stage.table
        records = q(StudyRecord._meta.db_table)
        certificates = q(Certificate._meta.db_table)
        # A once-only form (a degree, 民发〔2009〕123号 art. 10: 90 hours once) is credited once in a life:
        # not when one is recorded already, nor a second time in the file.
        stage.reject(
            f"""{t}.once AND {t}.person_id IS NOT NULL AND (
                EXISTS (SELECT 1 FROM {records} r WHERE r.person_id = {t}.person_id AND r.form = {t}.form
                        AND r.hours_credited > 0 AND r.source_ref <> {t}.source_ref)
                OR EXISTS (SELECT 1 FROM {t} o WHERE o.person_id = {t}.person_id AND o.form = {t}.form
                           AND o.row_no < {t}.row_no AND o.action <> 'r' AND o.hours_credited > 0))""",
            "second_once:form",
            shown=f"{t}.form",
        )
        # Continuing education is that of a certificate holder: study before the person's first
        # certificate (its issue date, or the exam year when the date is unknown) does not count.
        stage.reject(
            f"""{t}.person_id IS NOT NULL
              AND EXISTS (SELECT 1 FROM {certificates} c WHERE c.person_id = {t}.person_id)
              AND NOT EXISTS (
                SELECT 1 FROM {certificates} c WHERE c.person_id = {t}.person_id AND (
                    (c.issued_on IS NOT NULL AND c.issued_on <= {t}.occurred_on)
                    OR (c.issued_on IS NULL AND c.exam_year <= {t}.occurred_year)))""",
            "before_certificate:occurred_on",
            ref=f"""(SELECT MIN(COALESCE(CAST(c.issued_on AS text), CAST(c.exam_year AS text)))
                FROM {certificates} c WHERE c.person_id = {t}.person_id)""",
            shown=f"{t}.occurred_on",
        )

    def reason_message(self, reason, ref, context):
        code = (reason or "").split(":")[0]
        if code == "second_once":
            return _(
                "A degree counts once (民发〔2009〕123号 art. 10: 90 hours, once), and this person already has one "
                "credited (recorded, or on a row above)."
            )
        if code == "before_certificate":
            return _(
                "The study took place before the person's certificate (%(date)s): continuing education counts from "
                "the certificate on (民发〔2009〕123号 art. 2–3)."
            ) % {"date": ref}
        return holder_reason(reason, ref)

    def commit_batch(self, stage, lo, hi, context):
        batch = context.job.batch_id
        inserted = stage.insert_new(
            StudyRecord,
            {
                "person_id": "s.person_id",
                "form": "s.form",
                "source_ref": "s.source_ref",
                "title": "s.title",
                "hours_claimed": "s.hours_claimed",
                "hours_credited": "s.hours_credited",
                "occurred_on": "s.occurred_on",
            },
            lo,
            hi,
            constants={"source": Source.IMPORT, "decision": _("Imported (batch %(batch)s)") % {"batch": batch}},
        )
        keep = stage.keep
        updated = stage.update_existing(
            StudyRecord,
            {
                "form": keep(StudyRecord, "form"),
                "title": keep(StudyRecord, "title"),
                "hours_claimed": keep(StudyRecord, "hours_claimed"),
                "hours_credited": keep(StudyRecord, "hours_credited"),
                "occurred_on": keep(StudyRecord, "occurred_on"),
            },
            lo,
            hi,
        )
        return inserted, updated

    def finish(self, stage, context):
        from shegong.education.services.ledger import refresh_standings

        refresh_standings(context.scope.region if not context.scope.national else None)

    def export_rows(self, queryset, context):
        from shegong.core import crypto
        from shegong.core.identifiers import mask_id_number

        form = self.by_name["form"]
        rows = queryset.order_by("pk").values_list(
            "person__id_encrypted",
            "person__name",
            "occurred_on",
            "form",
            "title",
            "hours_credited",
            "hours_claimed",
            "source_ref",
        )
        for token, name, occurred, study_form, title, credited, claimed, reference in rows.iterator(chunk_size=5000):
            try:
                number = crypto.decrypt(token)
            except crypto.DecryptionError:
                number = ""
            yield [
                number if context.unmask else mask_id_number(number),
                name,
                occurred,
                form.to_cell(study_form),
                title,
                credited,
                claimed,
                reference,
            ]


study_records = register(
    StudyRecordTable(
        name="study-records",
        title=gettext_lazy("Study-hour records"),
        description=gettext_lazy(
            "Continuing-education hours already credited (by a provincial system or on paper): one row per item, "
            "recorded as it was decided. The social worker must be in the registry."
        ),
        model=StudyRecord,
        order=50,
        key=("record_no",),
        key_label=gettext_lazy("record (its number, or its person, date, title and hours)"),
        region_field="person__region__code",
        columns=[
            *holder_columns(),
            c.DateColumn(
                "occurred_on",
                "学习日期",
                gettext_lazy("Date"),
                required=True,
                aliases=("日期", "培训日期", "完成日期"),
                example="2022-05-20",
                past_only=True,
            ),
            c.EnumColumn(
                "form",
                "学习形式",
                gettext_lazy("Form"),
                required=True,
                choices=StudyForm,
                words=FORM_WORDS,
                value_aliases=FORM_ALIASES,
                aliases=("形式", "学习方式", "继续教育形式"),
                example="继续教育机构培训",
                width=18,
            ),
            c.TextColumn(
                "title",
                "学习内容",
                gettext_lazy("Title"),
                required=True,
                aliases=("项目名称", "课程名称", "培训名称", "内容"),
                example="社会工作伦理与实务",
                max_length=200,
                width=30,
            ),
            c.DecimalColumn(
                "hours_credited",
                "认定学时",
                gettext_lazy("Hours credited"),
                required=True,
                aliases=("学时", "学时数", "获得学时"),
                example=12,
                places=1,
            ),
            c.DecimalColumn(
                "hours_claimed",
                "申报学时",
                gettext_lazy("Hours claimed"),
                aliases=("申请学时",),
                example=12,
                places=1,
                help=gettext_lazy("Optional: the hours credited when empty."),
            ),
            c.IdentifierTextColumn(
                "record_no",
                "记录编号",
                gettext_lazy("Record number"),
                aliases=("原系统编号", "编号", "流水号"),
                example="",
                max_length=100,
                help=gettext_lazy(
                    "The record's number in the source system; without it, a row is recognised by its content."
                ),
            ),
        ],
        stage=(
            *HOLDER_STAGE,
            StageColumn("form"),
            StageColumn("title"),
            StageColumn("hours_claimed", "decimal"),
            StageColumn("hours_credited", "decimal"),
            StageColumn("occurred_on", "date"),
            StageColumn("source_ref"),
            StageColumn("occurred_year", "int", volatile=True),
            StageColumn("once", "bool", volatile=True),
        ),
        lookups=(holder_lookup(),),
        match=Match(
            model=StudyRecord,
            target_key="source_ref",
            stage_key="source_ref",
            compare=(
                ("form", "form"),
                ("title", "title"),
                ("hours_claimed", "hours_claimed"),
                ("hours_credited", "hours_credited"),
                ("occurred_on", "occurred_on"),
            ),
            target_region="tp.region_id",
            region_join="JOIN workers_person tp ON tp.id = t.person_id",
            target_filter="t.person_id = {stage}.person_id AND t.source = 'import'",
        ),
    )
)


# --- the compliance list (export only) -------------------------------------------------------------------

COMPLIANCE_MAX_ROWS = 1_000_000


class ComplianceTable(TableSpec):
    """The continuing-education compliance list (persons and their standing), as the page filters it."""

    def can_export(self, user):
        return getattr(user, "is_official", False) and super().can_export(user)

    def export_queryset(self, user, filters):
        return (
            super().export_queryset(user, filters).select_related("person", "region").order_by("region_id", "person_id")
        )

    def export_rows(self, queryset, context):
        from django.utils import timezone

        from shegong.workers.models import CertificateLevel

        from .models import ComplianceStatus

        today = timezone.localdate()
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


def _column(kind, name, label, width):
    return kind(name, label, label, width=width)


compliance = register(
    ComplianceTable(
        name="education_compliance",
        title=gettext_lazy("Continuing-education compliance"),
        description=gettext_lazy("The compliance list of continuing education, with its filters."),
        model=StudyStanding,
        order=930,
        key=("region_code",),
        importable=False,
        filterset_class=StandingFilter,
        region_field="region__code",
        export_kind="education.compliance_export",
        export_name="education-compliance",
        export_sheet=gettext_lazy("Compliance"),
        export_max_rows=COMPLIANCE_MAX_ROWS,
        columns=[
            _column(c.TextColumn, "name", gettext_lazy("Name"), 18),
            _column(c.TextColumn, "region", gettext_lazy("Work region"), 18),
            _column(c.IdentifierTextColumn, "region_code", gettext_lazy("Region code"), 12),
            _column(c.TextColumn, "level", gettext_lazy("Level"), 12),
            _column(c.TextColumn, "period_start", gettext_lazy("Period starts"), 12),
            _column(c.TextColumn, "period_end", gettext_lazy("Period ends"), 12),
            _column(c.TextColumn, "required", gettext_lazy("Hours required"), 12),
            _column(c.TextColumn, "credited", gettext_lazy("Hours credited"), 12),
            _column(c.TextColumn, "remaining", gettext_lazy("Hours still needed"), 12),
            _column(c.TextColumn, "status", gettext_lazy("Compliance"), 12),
        ],
    )
)

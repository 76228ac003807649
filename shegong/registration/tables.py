"""Import and export table of historical registrations (登记/再登记 decided before or outside this system).

One row per registration event: the holder (ID number), the certificate (management number, which
must be the holder's), the kind (first registration or re-registration), the registration number (the
natural key), the validity and the county it was filed with. It does in bulk what
``services.import_registration`` does for one row:

- the registration authority is the province of the county;
- a row expired before today is recorded as lapsed, otherwise as registered;
- a new event supersedes the certificate's registration in force, and links to it as ``previous``;
- the person's and certificate's stored state is recomputed as ``services.sync_status`` does (from
  the latest event by id), in a few set-based statements per batch, inside the batch's transaction.

Because "latest" means "recorded last", a certificate's history must arrive in date order: a row
older than the certificate's latest recorded registration, or than a row above it in the file, is
rejected with that reason (import the history sorted by date).
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.tabular import columns as c
from shegong.core.tabular.spec import Lookup, Match, StageColumn, TableSpec, register
from shegong.core.tabular.stage import q
from shegong.workers import services as worker_services
from shegong.workers.holder_tables import (
    HOLDER_STAGE,
    holder_columns,
    holder_lookup,
    holder_reason,
    holder_staged,
    prepare_holders,
    reject_name_mismatch,
)
from shegong.workers.models import Certificate, Person
from shegong.workers.status import add_years

from . import conf
from .filters import RegistrationFilter
from .models import Registration, RegistrationKind, RowStatus
from .services import ROW_STATE

KIND_WORDS = {RegistrationKind.FIRST: "首次登记", RegistrationKind.RENEWAL: "再登记"}
KIND_ALIASES = {
    RegistrationKind.FIRST: ("首次", "初次登记", "初始登记"),
    RegistrationKind.RENEWAL: ("再次登记", "续期登记", "再注册"),
}
IMPORTED_KINDS = (RegistrationKind.FIRST, RegistrationKind.RENEWAL)


def _province(regions, code):
    node = regions.nodes.get(code)
    while node is not None and node[2] > 1:
        code = node[3]
        node = regions.nodes.get(code)
    return code


class RegistrationTable(TableSpec):
    has_personal_ids = True

    def prepare(self, context):
        prepare_holders(context)
        context.cache["validity_years"] = conf.validity_years()

    def clean_row(self, values, row):
        context = row.context
        parsed = values["id_number"]
        management_no = values.get("management_no")
        number = values.get("number")
        kind = values.get("kind")
        valid_from = values.get("valid_from")
        region = values.get("region")
        if None in (parsed, management_no, number, kind, valid_from, region):
            return None
        if kind not in IMPORTED_KINDS:
            row.error("kind", "kind", _("Only first registrations and re-registrations can be imported."), kind)
            return None
        try:
            management_no = worker_services.validate_management_no(management_no)
        except Exception as exc:
            messages = getattr(exc, "message_dict", {}).get("management_no") or [str(exc)]
            row.error("management_no", "bad_management_no", " ".join(messages), management_no)
            return None
        years = context.cache["validity_years"]
        rule_end = add_years(valid_from, years) - timedelta(days=1)
        valid_to = values.get("valid_to") or rule_end
        if valid_to < valid_from:
            row.error("valid_to", "valid_to_before_from", _("The validity ends before it starts."), valid_to)
            return None
        if valid_to != rule_end:
            row.warn(
                "valid_to",
                "validity_length",
                _(
                    "The validity is not the rule's: a registration is valid for %(years)s years (《社会工作者职业水平证书"
                    "登记办法》, 民发〔2009〕44号, art. 4), so this one would end on %(end)s. It is recorded as the file "
                    "says; check it."
                )
                % {"years": years, "end": rule_end.isoformat()},
                values.get("valid_to"),
            )
        if not context.scope.contains(region):
            row.error(
                "region",
                "out_of_scope",
                context.scope.refusal(region, lambda code: f"{context.regions.full_name(code)} ({code})"),
                region,
            )
            return None
        status = RowStatus.LAPSED if valid_to < context.today else RowStatus.REGISTERED
        staged = holder_staged(values, context) + (
            management_no,
            None,
            kind,
            valid_from,
            valid_to,
            region,
            _province(context.regions, region),
            status,
            valid_from.year,
        )
        return number, number, staged

    def after_lookups(self, stage, context):
        table = stage.table
        registrations = q(Registration._meta.db_table)
        certificates = q(Certificate._meta.db_table)
        stage.execute(
            f"""
            UPDATE {table} SET action = 'r', reason = 'cert_owner'
            FROM {certificates} c
            WHERE c.id = {table}.certificate_id AND {table}.action = 'n' AND c.person_id <> {table}.person_id
            """
        )
        reject_name_mismatch(stage)
        # The rows of a certificate's history: not those rejected because the certificate is someone else's.
        own = f"COALESCE({table}.reason, '') <> 'cert_owner' AND {table}.certificate_id IS NOT NULL"
        # A registration cannot start before the year of the exam that gave the certificate (art. 4:
        # first registration follows the passing of the evaluation).
        stage.reject(
            f"{own} AND c.id = {table}.certificate_id AND {table}.valid_year < c.exam_year",
            "before_exam:valid_from",
            ref="c.exam_year",
            shown=f"{table}.valid_from",
            from_=f"{certificates} c",
        )
        # A re-registration renews an earlier registration (art. 4; a holder applies with the registration
        # certificate): one must be recorded or come earlier in the file.
        stage.reject(
            f"""{own} AND {table}.kind = 'renewal'
              AND NOT EXISTS (
                SELECT 1 FROM {table} o
                WHERE o.certificate_id = {table}.certificate_id AND o.row_no <> {table}.row_no
                  AND o.valid_from < {table}.valid_from AND o.action <> 'r')
              AND NOT EXISTS (
                SELECT 1 FROM {registrations} r
                WHERE r.certificate_id = {table}.certificate_id AND r.number <> {table}.skey
                  AND r.valid_from < {table}.valid_from)""",
            "renewal_without_first:kind",
            shown=f"{table}.kind",
        )
        # History in date order: not older than a row above it in the file for the same certificate...
        stage.reject(
            f"""{own} AND EXISTS (
                SELECT 1 FROM {table} o
                WHERE o.certificate_id = {table}.certificate_id AND o.row_no < {table}.row_no
                  AND o.valid_from >= {table}.valid_from AND o.action = 'n')""",
            "out_of_order",
            ref=f"""(SELECT MIN(o.row_no) FROM {table} o
                WHERE o.certificate_id = {table}.certificate_id AND o.row_no < {table}.row_no
                  AND o.valid_from >= {table}.valid_from AND o.action = 'n')""",
        )
        # ... whose periods do not overlap (a registration starts after the one before it has ended)...
        stage.reject(
            f"""{own} AND EXISTS (
                SELECT 1 FROM {table} o
                WHERE o.certificate_id = {table}.certificate_id AND o.row_no <> {table}.row_no
                  AND o.valid_from < {table}.valid_from AND o.valid_to >= {table}.valid_from AND o.action <> 'r')""",
            "overlap:valid_from",
            ref=f"""(SELECT MIN(o.row_no) FROM {table} o
                WHERE o.certificate_id = {table}.certificate_id AND o.row_no <> {table}.row_no
                  AND o.valid_from < {table}.valid_from AND o.valid_to >= {table}.valid_from AND o.action <> 'r')""",
            shown=f"{table}.valid_from",
        )
        stage.reject(
            f"""{own} AND EXISTS (
                SELECT 1 FROM {registrations} r
                WHERE r.certificate_id = {table}.certificate_id AND r.number <> {table}.skey
                  AND r.kind IN ('first', 'renewal') AND r.valid_from < {table}.valid_from
                  AND r.valid_to >= {table}.valid_from)
              AND NOT EXISTS (  -- an older row is said to be older (below), not also overlapping
                SELECT 1 FROM {registrations} r
                WHERE r.certificate_id = {table}.certificate_id AND r.number <> {table}.skey
                  AND r.valid_from >= {table}.valid_from)
              AND NOT EXISTS (
                SELECT 1 FROM {registrations} m WHERE m.number = {table}.skey AND m.kind IN ('first', 'renewal'))""",
            "overlap_recorded:valid_from",
            ref=f"""(SELECT MAX(r.valid_to) FROM {registrations} r
                WHERE r.certificate_id = {table}.certificate_id AND r.number <> {table}.skey
                  AND r.kind IN ('first', 'renewal') AND r.valid_from < {table}.valid_from)""",
            shown=f"{table}.valid_from",
        )
        # ... nor older than what is recorded for the certificate (other registration numbers).
        stage.reject(
            f"""{own} AND EXISTS (
                SELECT 1 FROM {registrations} r
                WHERE r.certificate_id = {table}.certificate_id AND r.number <> {table}.skey
                  AND r.valid_from >= {table}.valid_from)
              AND NOT EXISTS (
                SELECT 1 FROM {registrations} m WHERE m.number = {table}.skey AND m.kind IN ('first', 'renewal'))""",
            "older",
            ref=f"""(SELECT MAX(r.valid_from) FROM {registrations} r
                WHERE r.certificate_id = {table}.certificate_id AND r.number <> {table}.skey)""",
        )

    def reason_message(self, reason, ref, context):
        if reason == "cert_owner":
            return _("The certificate with this management number belongs to another person.")
        if reason == "out_of_order":
            return _(
                "Row %(row)s above has a registration of the same certificate starting on the same day or later: "
                "import each certificate's history in date order."
            ) % {"row": ref}
        if reason == "older":
            return _(
                "The certificate already has a registration starting on %(date)s or later: import each certificate's "
                "history in date order."
            ) % {"date": ref}
        if reason == "owner":
            return _("This registration number belongs to another certificate.")
        code = (reason or "").split(":")[0]
        if code == "before_exam":
            return _(
                "The registration starts before %(year)s, the year of the exam that gave the certificate: a "
                "certificate is registered after the exam is passed (民发〔2009〕44号, art. 4)."
            ) % {"year": ref}
        if code == "renewal_without_first":
            return _(
                "A re-registration renews an earlier registration (民发〔2009〕44号, art. 4), and none of this "
                "certificate is recorded or comes earlier in the file: import the first registration too."
            )
        if code == "overlap":
            return _(
                "The period overlaps the registration of row %(row)s: a certificate's registrations follow one "
                "another, each starting after the one before has ended (民发〔2009〕44号, art. 4)."
            ) % {"row": ref}
        if code == "overlap_recorded":
            return _(
                "The period overlaps a recorded registration of this certificate valid until %(date)s: a "
                "certificate's registrations follow one another (民发〔2009〕44号, art. 4)."
            ) % {"date": ref}
        return holder_reason(reason, ref)

    def commit_batch(self, stage, lo, hi, context):
        inserted = stage.insert_new(
            Registration,
            {
                "person_id": "s.person_id",
                "certificate_id": "s.certificate_id",
                "kind": "s.kind",
                "number": "s.skey",
                "valid_from": "s.valid_from",
                "valid_to": "s.valid_to",
                "region_id": "s.region_id",
                "authority_region_id": "s.authority_region_id",
                "status": "s.status",
            },
            lo,
            hi,
            constants={"created_at": timezone.now()},
            conflict=None,
        )
        keep = stage.keep
        updated = stage.update_existing(
            Registration,
            {
                "valid_from": keep(Registration, "valid_from"),
                "valid_to": keep(Registration, "valid_to"),
                "region_id": keep(Registration, "region_id"),
                "authority_region_id": keep(Registration, "authority_region_id"),
            },
            lo,
            hi,
        )
        sync_batch(stage, lo, hi)
        return inserted, updated

    def export_rows(self, queryset, context):
        from shegong.core import crypto
        from shegong.core.identifiers import mask_id_number

        kind = self.by_name["kind"]
        names = context.region_names()
        rows = queryset.order_by("pk").values_list(
            "person__id_encrypted",
            "person__name",
            "certificate__management_no",
            "kind",
            "number",
            "valid_from",
            "valid_to",
            "region_id",
            "status",
        )
        for token, name, management_no, event, number, valid_from, valid_to, region, status in rows.iterator(
            chunk_size=5000
        ):
            try:
                id_number = crypto.decrypt(token)
            except crypto.DecryptionError:
                id_number = ""
            yield [
                id_number if context.unmask else mask_id_number(id_number),
                name,
                management_no,
                kind.to_cell(event),
                number,
                valid_from,
                valid_to,
                region,
                names.get(region, ""),
                str(RowStatus(status).label) if status in RowStatus.values else status,
            ]


def sync_batch(stage, lo, hi):
    """``services.import_registration``'s bookkeeping for the batch's certificates, set-based.

    Links each new event to the certificate's previous one, supersedes the previous registration in
    force, and recomputes the stored state of the certificates and persons touched (``sync_status``:
    a certificate takes its latest event's state, a person their latest event's).
    """
    table = stage.table
    registrations = q(Registration._meta.db_table)
    certificates = q(Certificate._meta.db_table)
    persons = q(Person._meta.db_table)
    touched = (
        f"SELECT s.certificate_id FROM {table} s WHERE s.row_no > %s AND s.row_no <= %s AND s.action IN ('n', 'u')"
    )
    new_numbers = f"SELECT s.skey FROM {table} s WHERE s.row_no > %s AND s.row_no <= %s AND s.action = 'n'"
    kinds = "('first', 'renewal')"
    stage.execute(
        f"""
        UPDATE {registrations} SET previous_id = (
            SELECT MAX(p.id) FROM {registrations} p
            WHERE p.certificate_id = {registrations}.certificate_id AND p.id < {registrations}.id)
        WHERE kind IN {kinds} AND number IN ({new_numbers})
        """,
        [lo, hi],
    )
    stage.execute(
        f"""
        UPDATE {registrations} SET status = 'superseded'
        WHERE status = 'registered' AND certificate_id IN ({touched})
          AND id < (SELECT MAX(x.id) FROM {registrations} x WHERE x.certificate_id = {registrations}.certificate_id)
        """,
        [lo, hi],
    )
    state = (
        "CASE r.status "
        + " ".join(f"WHEN '{row}' THEN '{value}'" for row, value in ROW_STATE.items())
        + " ELSE 'none' END"
    )
    now = timezone.now()
    stage.execute(
        f"""
        UPDATE {certificates} SET registration_state = {state}, registration_valid_to = r.valid_to, updated_at = %s
        FROM {registrations} r
        WHERE {certificates}.id IN ({touched})
          AND r.id = (SELECT MAX(x.id) FROM {registrations} x WHERE x.certificate_id = {certificates}.id)
        """,
        [now, lo, hi],
    )
    stage.execute(
        f"""
        UPDATE {persons} SET registration_state = {state}, registration_valid_to = r.valid_to, updated_at = %s
        FROM {registrations} r
        WHERE {persons}.id IN (SELECT s.person_id FROM {table} s WHERE s.row_no > %s AND s.row_no <= %s AND s.action IN ('n', 'u'))
          AND r.id = (SELECT MAX(x.id) FROM {registrations} x WHERE x.person_id = {persons}.id)
        """,
        [now, lo, hi],
    )


registrations = register(
    RegistrationTable(
        name="registrations",
        title=gettext_lazy("Historical registrations"),
        description=gettext_lazy(
            "Registrations and re-registrations decided before this system (or by a provincial system): one row per "
            "event, identified by the registration number. The holder and the certificate must already be in the "
            "registry; import each certificate's history in date order."
        ),
        model=Registration,
        order=40,
        key=("number",),
        filterset_class=RegistrationFilter,
        region_field="region__code",
        columns=[
            *holder_columns(),
            c.IdentifierTextColumn(
                "management_no",
                "管理号",
                gettext_lazy("Management number"),
                required=True,
                aliases=("证书管理号", "证书编号"),
                example="20204401060000001",
            ),
            c.EnumColumn(
                "kind",
                "登记类型",
                gettext_lazy("Kind"),
                required=True,
                choices=[(k, RegistrationKind(k).label) for k in IMPORTED_KINDS],
                words=KIND_WORDS,
                value_aliases=KIND_ALIASES,
                aliases=("类型", "登记种类"),
                example="首次登记",
            ),
            c.IdentifierTextColumn(
                "number",
                "登记证书编号",
                gettext_lazy("Registration number"),
                required=True,
                aliases=("登记号", "登记证号", "登记编号", "登记证书号"),
                example="DJ440106202100001",
            ),
            c.DateColumn(
                "valid_from",
                "有效期起",
                gettext_lazy("Valid from"),
                required=True,
                aliases=("登记日期", "生效日期", "有效期开始", "有效期自"),
                example="2021-03-01",
                past_only=True,
            ),
            c.DateColumn(
                "valid_to",
                "有效期止",
                gettext_lazy("Valid until"),
                aliases=("有效期至", "到期日期", "有效期结束", "截止日期"),
                example="2024-02-29",
                help=gettext_lazy("Optional: three years less a day from the start when empty."),
            ),
            c.RegionColumn(
                "region",
                "登记地区",
                gettext_lazy("Filed with"),
                required=True,
                aliases=("受理地区", "登记机关所在地", "申请地区", "地区"),
                example="440106",
            ),
        ],
        stage=(
            *HOLDER_STAGE,
            StageColumn("cert_key"),
            StageColumn("certificate_id", "bigint"),
            StageColumn("kind"),
            StageColumn("valid_from", "date"),
            StageColumn("valid_to", "date"),
            StageColumn("region_id"),
            StageColumn("authority_region_id"),
            StageColumn("status", volatile=True),
            StageColumn("valid_year", "int", volatile=True),
        ),
        lookups=(
            holder_lookup(),
            Lookup(
                column="management_no",
                stage_key="cert_key",
                model=Certificate,
                target_key="management_no",
                into="certificate_id",
                missing=gettext_lazy(
                    "No certificate with this management number is in the registry; import the certificate first."
                ),
                shown="cert_key",
            ),
        ),
        match=Match(
            model=Registration,
            target_key="number",
            compare=(
                ("kind", "kind"),
                ("valid_from", "valid_from"),
                ("valid_to", "valid_to"),
                ("region_id", "region_id"),
            ),
            target_region="t.region_id",
            owner_check=(("certificate_id", "certificate_id"),),
            target_filter="t.kind IN ('first', 'renewal')",
        ),
        export_only_headers=("登记地区名称", "状态"),
    )
)

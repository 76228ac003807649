"""The part shared by every import table whose rows name a social worker already in the registry
(qualification certificates, historical registrations, study-hour records).

Such a row carries the holder's ID number and, optionally, name. The ID number becomes its blind
index in Python (no query per row); one set-based lookup over the staging table finds the person and
refuses rows whose person is missing or outside the importer's region; one UPDATE refuses rows whose
name differs from the registry's. A table puts ``HOLDER_STAGE`` first among its staging columns and
``holder_staged`` first in each staged tuple.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.identifiers import mask_id_number
from shegong.core.tabular import columns as c
from shegong.core.tabular.keys import BlindIndexer, refuse_during_rotation
from shegong.core.tabular.spec import Lookup, StageColumn
from shegong.core.tabular.stage import q
from shegong.workers import queries

from .models import Person

HOLDER_NAME_ALIASES = ("持证人姓名", "社工姓名")

HOLDER_STAGE = (
    StageColumn("person_key"),
    StageColumn("person_id", "bigint"),
    StageColumn("person_region"),
    StageColumn("holder_name"),
    StageColumn("holder_shown", volatile=True),  # the ID number as messages show it (masked)
)


def holder_columns(*, id_help="", example="440106199001011235"):
    """The ID number (required) and name (optional, checked against the registry) columns."""
    return [
        c.id_number_column(help=id_help, example=example),
        c.TextColumn(
            "name",
            "姓名",
            gettext_lazy("Name"),
            aliases=HOLDER_NAME_ALIASES,
            example="张三",
            max_length=100,
            width=12,
            help=gettext_lazy("Optional; when given it must match the registry's name for the ID number."),
        ),
    ]


def holder_lookup():
    """Finds the person by the blind index of the ID number; refuses a missing or out-of-scope one."""
    return Lookup(
        column="id_number",
        stage_key="person_key",
        model=Person,
        target_key="id_blind_index",
        into="person_id",
        region_into="person_region",
        target_region="region_id",
        missing=gettext_lazy(
            "No social worker with this ID number is in the registry; import the social worker first."
        ),
        # Never which region (an existence oracle across regions): that it is elsewhere, and how to ask for a transfer.
        out_of_scope=gettext_lazy(
            "This person is already registered by the civil affairs department of another region. If the person "
            "now works in your region, ask for a transfer (Social workers → Request a transfer) with the ID number "
            "and name; both civil affairs departments approve it."
        ),
        shown="holder_shown",
    )


def prepare_holders(context):
    """Once per import: no import while the keys rotate; one blind-index function for all rows."""
    refuse_during_rotation()
    context.cache["blind_index"] = BlindIndexer()


def holder_staged(values, context):
    """The HOLDER_STAGE values of a row (person and region are filled in by the lookup)."""
    name = values.get("name")
    number = values["id_number"].number
    return (
        context.cache["blind_index"](number),
        None,
        None,
        queries.normalise_name(name) if name is not None else None,
        mask_id_number(number),
    )


def reject_name_mismatch(stage):
    """Refuse rows whose holder name differs from the registry's (reason ``name_mismatch:name``,
    reported under the name column with the name as the file gives it)."""
    persons = q(Person._meta.db_table)
    stage.reject(
        f"p.id = {stage.table}.person_id AND {stage.table}.holder_name IS NOT NULL AND p.name <> {stage.table}.holder_name",
        "name_mismatch:name",
        ref="p.name",
        shown=f"{stage.table}.holder_name",
        from_=f"{persons} p",
    )


def holder_reason(reason, ref):
    """The message of a refusal made here, or None for another reason."""
    if reason in ("name_mismatch", "name_mismatch:name"):
        return _("The registry has this ID number under the name %(name)s, not the name in the file.") % {"name": ref}
    return None

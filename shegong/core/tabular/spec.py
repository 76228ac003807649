"""Table specs: one declaration per importable (or exportable) entity, and the registry of them all.

A domain app declares its specs in ``<app>/tables.py`` (found by ``autodiscover``) and registers them
with ``@register``. A spec says:

- ``columns``: what the file holds (see columns.py), in template order;
- ``key``: the natural key column(s) rows are matched on (ID number, management number, credit code);
- ``strategies``: which of insert / update / upsert it supports;
- ``stage``: the typed columns a valid row is staged as (``StageColumn``), and ``clean_row`` which
  turns the parsed cells of one row into that staged tuple (or rejects it);
- ``match``: how staged rows find existing records (``Match``), and ``lookups``: foreign keys found
  by a natural key (``Lookup``: a certificate's person by ID number);
- ``commit_batch(stage, lo, hi, context)``: the write, delegated to the owning app's bulk module;
- ``export_rows(queryset, context)`` and ``export_queryset(user, filters)`` for exports.

Everything else (reading files, header detection, template, validation run, preview, annotated file,
the commit loop with its crash-safe watermark, exports, the documentation page) is the engine's.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from shegong.core.roles import REGION_WRITER_ROLES

from .columns import Column


@dataclass(frozen=True)
class StageColumn:
    """A typed column of the staging table; ``kind`` is text, int, bigint, date, bool, decimal or timestamp."""

    name: str
    kind: str = "text"
    volatile: bool = False  # differs on every import of the same value (an encryption token): not compared


@dataclass(frozen=True)
class Match:
    """How a staged row finds its existing record.

    ``target_key``: the model's column holding the natural key (unique). ``compare``: pairs
    (stage column, model column) whose difference makes a row "updated" rather than "unchanged"; an
    empty (NULL) staged value means "not given" and never counts as a change. ``target_region``: the
    model column (or SQL expression over alias ``t``) holding the existing record's region code,
    checked against the importer's scope (an SQL expression over ``t`` and the tables joined by
    ``region_join``, e.g. ``t.region_id``). ``owner_check``: optional pairs (stage column, model column)
    that must be equal for an update (a certificate must stay with its person).
    """

    model: type
    target_key: str
    compare: tuple
    target_region: str | None = None
    region_join: str = ""
    owner_check: tuple = ()
    # Extra SQL condition of the match, over ``t`` and ``{stage}`` (the staging table's name), e.g.
    # when the key is unique only within a person or for some kinds of rows.
    target_filter: str = ""
    stage_key: str = "skey"  # the staging column compared with ``target_key``


@dataclass(frozen=True)
class Lookup:
    """A foreign key found through another table's natural key, e.g. a certificate's person by ID number.

    ``stage_key`` holds the key (a blind index), ``into`` receives the found primary key and
    ``region_into`` the found row's region (checked against the scope).
    """

    column: str  # the file column the key came from (for messages)
    stage_key: str
    model: type
    target_key: str
    into: str
    region_into: str | None = None
    target_region: str | None = None
    missing: str = ""
    out_of_scope: str = ""
    # The stage column holding the file's value as the messages show it (a masked ID number), when
    # ``stage_key`` cannot be shown (a blind index); without it nothing is shown.
    shown: str = ""


STRATEGIES = ("insert", "update", "upsert")


@dataclass
class TableSpec:
    name: str
    title: str
    model: type
    columns: list
    key: tuple
    description: str = ""
    strategies: tuple = STRATEGIES
    stage: tuple = ()
    match: Match | None = None
    lookups: tuple = ()
    importable: bool = True
    # False: the table is uploaded from its own page (which passes the job's ``options``), not offered
    # by the generic upload form.
    generic_upload: bool = True
    order: int = 100
    # Headers that exports add for reading (a region's full name...); an import ignores them quietly.
    export_only_headers: tuple = ()
    filterset_class: type | None = None
    region_field: str = "region__code"  # the rows' region code, for system exports limited to a region
    key_label: str = ""
    notes: tuple = field(default_factory=tuple)
    # Exports: the background job's kind (its progress page and the job list show it), the result
    # file's name stem (default: the spec's name), the worksheet's name (default: the title) and a row
    # limit (None: all rows; an xlsx sheet stops at its 1,048,575 rows in any case).
    export_kind: str = "tabular.export"
    export_name: str = ""
    export_sheet: str = ""
    export_max_rows: int | None = None

    def __post_init__(self):
        self.by_name = {column.name: column for column in self.columns}
        for column in self.columns:
            assert isinstance(column, Column), column

    def __str__(self):
        return str(self.title)

    # --- import hooks (override) ---------------------------------------------------------------------
    def prepare(self, context):
        """Load what rows are checked against (caches of small tables); called once per validation."""

    def clean_row(self, values, row):
        """The staged tuple (in ``stage`` order) for one row's parsed values, or None (errors on ``row``).

        The engine adds row_no, key, key display and digest; ``values`` maps column names to parsed
        values (None when empty).
        """
        raise NotImplementedError

    def after_lookups(self, stage, context):
        """Extra set-based checks once foreign keys are found (reject rows with ``reason`` codes)."""

    def reason_message(self, reason, ref, context):
        """The message for a spec-specific ``reason`` code set by ``after_lookups`` (or None)."""
        return None

    def finish(self, stage, context):
        """After the last batch (idempotent: a resumed commit runs it again): summaries, derived state."""

    def commit_batch(self, stage, lo, hi, context):
        """Write staged rows lo < row_no <= hi; return (inserted, updated). Runs inside the batch's transaction."""
        raise NotImplementedError

    def check_options(self, user, options):
        """The job's ``options`` (from the page that staged the file), checked for ``user``; returns them
        cleaned or raises ``engine.ImportRefused``. Checked at upload and again at confirmation."""
        return dict(options or {})

    def import_scope(self, user, region):
        """The region codes rows may belong to (see scope.py); THE access rule by default."""
        from .scope import ImportScope

        return ImportScope(user=user, region=region)

    def reason_column(self, reason, ref, context):
        """The column (spec column name) a spec-specific ``reason`` refers to, or None for the key column."""
        return None

    def can_import(self, user):
        from shegong.core.scoping import EDIT, standard_scope_q

        return (
            self.importable
            and getattr(user, "role", None) in REGION_WRITER_ROLES
            and standard_scope_q(user, EDIT, region_field="code") is not None
        )

    # --- export hooks --------------------------------------------------------------------------------
    def export_columns(self):
        return [column for column in self.columns if column.exportable]

    def export_headers(self):
        return [column.header for column in self.export_columns()] + list(self.export_only_headers)

    def export_queryset(self, user, filters):
        queryset = self.model.objects.visible_to(user)
        if self.filterset_class is not None and filters:
            filterset = self.filterset_class(filters, queryset=queryset)
            queryset = filterset.qs if filterset.is_valid() else queryset.none()
        return queryset

    def export_rows(self, queryset, context):
        """Rows (lists in ``export_headers`` order) for the queryset, streamed."""
        raise NotImplementedError

    def can_export(self, user):
        return self.model.objects.visible_to(user).query.is_empty() is False

    def example_row(self):
        return [column.example for column in self.columns if column.importable]

    def import_columns(self):
        return [column for column in self.columns if column.importable]


_registry: dict[str, TableSpec] = {}
_discovered = False


def register(spec):
    _registry[spec.name] = spec
    return spec


def autodiscover():
    global _discovered
    if not _discovered:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tables")
        _discovered = True


def get_spec(name):
    autodiscover()
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(name) from None


def all_specs():
    autodiscover()
    return sorted(_registry.values(), key=lambda spec: (spec.order, spec.name))


def importable_specs(user=None):
    """The specs the generic upload form offers (to ``user``)."""
    return [
        spec
        for spec in all_specs()
        if spec.importable and spec.generic_upload and (user is None or spec.can_import(user))
    ]


STRATEGY_LABELS = {
    "insert": _("Add new records only"),
    "update": _("Update existing records only"),
    "upsert": _("Add new and update existing records"),
}

"""The staging table of one import: valid rows, typed, waiting to be classified and committed.

Validation streams every valid row into ``tabular_stage_<job>`` (COPY on PostgreSQL, an UNLOGGED
table without indexes; batched INSERTs on SQLite). Classification then runs as a handful of set-based
statements over the whole file (duplicates inside the file, foreign keys found by natural key,
matching against existing records, the strategy, the scope of existing records), never one query
per row. The commit copies rows from here into the real table batch by batch
(``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` and ``UPDATE ... FROM``), the same SQL on both
databases.

Fixed columns: ``row_no`` (the file's row number), ``action`` (n: valid and new unless a step below
finds its record; u: update; s: unchanged; r: rejected), ``skey`` (natural key), ``kdisp`` (how the key is shown in
messages, e.g. a masked ID number), ``digest`` (compares duplicate rows), ``target_id`` and
``target_region`` (the matched record), ``reason``/``ref``/``shown`` (why a row was rejected here, and
the value shown with the reason), ``more`` (the row's further problems: every check runs on rejected
rows too, so that the preview reports all of a row's problems, not only the first).
"""

import re
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction

PG_TYPES = {
    "text": "text",
    "int": "integer",
    "bigint": "bigint",
    "date": "date",
    "bool": "boolean",
    "decimal": "numeric",
    "timestamp": "timestamp with time zone",
}
SQLITE_TYPES = {
    "text": "text",
    "int": "integer",
    "bigint": "integer",
    "date": "date",
    "bool": "bool",
    "decimal": "decimal",
    "timestamp": "datetime",
}
FIXED = ("row_no", "action", "skey", "kdisp", "digest")
_NAME_RE = re.compile(r"^tabular_stage_[0-9a-f]{32}$")


def is_postgres():
    return connection.vendor == "postgresql"


def q(name):
    return connection.ops.quote_name(name)


@contextmanager
def asynchronous_commit():
    """PostgreSQL: while an import job runs, its commits do not wait for the disk.

    Every write of an import is a batch (with its watermark and audit event, in one transaction) or
    bookkeeping of the job. After a crash of the database server, at most the last fraction of a
    second of them is lost, whole and in commit order, so the watermark never runs ahead of the rows
    and resuming completes the import. It saves a disk flush for every batch and status update.
    (Stopping the worker, even with kill -9, loses nothing: the server has the commits.)
    """
    if not is_postgres():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except Exception:  # a broken connection is discarded anyway; keep the original error
            pass


class Stage:
    def __init__(self, name, spec):
        if not _NAME_RE.match(name):
            raise ValueError(f"Not a staging table name: {name}")
        # Set by the commit from the job's counts: a batch skips the statement it has no rows for.
        self.has_new = self.has_updates = True
        self.name = name
        self.spec = spec
        self.columns = [column.name for column in spec.stage]
        self.table = q(name)

    @classmethod
    def name_for(cls, job):
        return f"tabular_stage_{job.pk.hex}"

    # --- life cycle ----------------------------------------------------------------------------------
    def create(self):
        types = PG_TYPES if is_postgres() else SQLITE_TYPES
        columns = [
            "row_no integer PRIMARY KEY",
            "action char(1) NOT NULL",
            "skey text NOT NULL",
            "kdisp text",
            "digest bigint",
            "target_id bigint",
            f"target_region {types['text']}",
            "reason varchar(40)",
            "ref text",
            "shown text",
            "more text",
        ] + [f"{q(column.name)} {types[column.kind]}" for column in self.spec.stage]
        unlogged = "UNLOGGED " if is_postgres() else ""
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(f"CREATE {unlogged}TABLE {self.table} ({', '.join(columns)})")

    def drop(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def exists(self):
        if is_postgres():
            with connection.cursor() as cursor:
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [self.name])
                return cursor.fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [self.name])
            return cursor.fetchone() is not None

    def count(self, where="1=1", params=()):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self.table} WHERE {where}", list(params))
            return cursor.fetchone()[0]

    # --- loading -------------------------------------------------------------------------------------
    def load(self, rows):
        """Append rows: tuples (row_no, key, display, digest, *stage values)."""
        if not rows:
            return
        names = ["row_no", "skey", "kdisp", "digest"] + self.columns
        if is_postgres():
            with connection.cursor() as cursor:
                statement = f"COPY {self.table} (action, {', '.join(q(n) for n in names)}) FROM STDIN"
                with cursor.cursor.copy(statement) as copy:
                    write = copy.write_row
                    for row in rows:
                        write(("n", *row))
        else:
            placeholders = ", ".join(["%s"] * (len(names) + 1))
            statement = f"INSERT INTO {self.table} (action, {', '.join(q(n) for n in names)}) VALUES ({placeholders})"
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(statement, [("n", *row) for row in rows])

    @contextmanager
    def writer(self, flush_rows=20_000, streaming=True):
        """A writer of staged rows: ``write(row)`` per row, ``flush()`` now and then.

        On PostgreSQL outside a transaction, the rows stream through one COPY on a connection of its
        own, so the server stores them while Python goes on checking the next rows (two cores
        busy); otherwise rows are buffered and loaded in chunks on ``flush()``.
        """
        if streaming and is_postgres() and connection.get_autocommit() and not connection.in_atomic_block:
            with _StreamingWriter(self) as streaming:
                yield streaming
            return
        buffered = _BufferedWriter(self, flush_rows)
        yield buffered
        buffered.flush()

    def index(self, rows=None):
        """Statistics for the planner (PostgreSQL: hash joins need no index); SQLite joins need the index.

        A small stage needs no statistics: without them the planner assumes a small table anyway."""
        with connection.cursor() as cursor:
            if is_postgres():
                if rows is None or rows >= 50_000:
                    cursor.execute(f"ANALYZE {self.table}")
            else:
                cursor.execute(f"CREATE INDEX {q(self.name + '_k')} ON {self.table} (skey)")

    # --- set-based classification --------------------------------------------------------------------
    def execute(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            return cursor.rowcount

    def mark_duplicates(self):
        """Rows sharing a natural key: later copies are rejected; all of them when their values differ."""
        return self.execute(
            f"""
            UPDATE {self.table} SET action = 'r',
                reason = CASE WHEN d.differ THEN 'dup_conflict' ELSE 'dup' END,
                ref = CASE WHEN {self.table}.row_no = d.first_row THEN d.last_row ELSE d.first_row END
            FROM (
                -- MIN <> MAX rather than COUNT(DISTINCT): a hash aggregate instead of a sort of the stage.
                SELECT skey, MIN(row_no) AS first_row, MAX(row_no) AS last_row, MIN(digest) <> MAX(digest) AS differ
                FROM {self.table} WHERE action = 'n' GROUP BY skey HAVING COUNT(*) > 1
            ) d
            WHERE {self.table}.skey = d.skey AND {self.table}.action = 'n'
              AND ({self.table}.row_no > d.first_row OR d.differ)
            """
        )

    SEPARATOR = "\x1f"  # between a further problem's reason, ref and shown value
    TERMINATOR = "\x1e"  # after each further problem

    def reject(self, condition, reason, *, ref="NULL", shown="NULL", from_="", params=(), reason_sql=None):
        """Reject the rows meeting ``condition`` (SQL over the stage, and the tables of ``from_``).

        A row still valid becomes rejected with ``reason`` (``ref`` and ``shown`` are SQL expressions:
        what the message refers to, the file's value shown with it); a row already rejected for
        something else keeps that first reason and gets this one added to ``more``, so that every
        problem of a row is reported. Returns the number of rows newly rejected.
        """
        t = self.table
        from_clause = f"FROM {from_}" if from_ else ""
        reason_expr = reason_sql or "%s"
        reason_params = [] if reason_sql else [reason]
        self.execute(
            f"""
            UPDATE {t} SET more = COALESCE({t}.more, '') || {reason_expr} || %s || COALESCE(CAST({ref} AS text), '')
                || %s || COALESCE(CAST({shown} AS text), '') || %s
            {from_clause}
            WHERE {t}.action = 'r' AND {t}.reason IS NOT NULL AND {t}.reason NOT IN ('dup', 'dup_conflict')
              AND ({condition})
            """,
            [*reason_params, self.SEPARATOR, self.SEPARATOR, self.TERMINATOR, *params],
        )
        return self.execute(
            f"""
            UPDATE {t} SET action = 'r', reason = {reason_expr}, ref = {ref}, shown = {shown}
            {from_clause}
            WHERE {t}.action = 'n' AND ({condition})
            """,
            [*reason_params, *params],
        )

    def resolve_lookup(self, lookup, scope):
        """Fill a foreign key found by natural key; reject rows whose key is unknown or out of scope."""
        target = q(lookup.model._meta.db_table)
        sets = [f"{q(lookup.into)} = t.{q(lookup.model._meta.pk.column)}"]
        if lookup.region_into:
            sets.append(f"{q(lookup.region_into)} = t.{q(lookup.target_region)}")
        # Rows already rejected by a check before are looked up too: their other problems are
        # reported as well.
        self.execute(
            f"""
            UPDATE {self.table} SET {", ".join(sets)}
            FROM {target} t
            WHERE t.{q(lookup.target_key)} = {self.table}.{q(lookup.stage_key)}
              AND {self.table}.action IN ('n', 'r')
            """
        )
        shown = q(lookup.shown) if lookup.shown else "NULL"
        self.reject(
            f"{q(lookup.into)} IS NULL",
            f"lookup_missing:{lookup.column}",
            ref=f"'{lookup.column}'",
            shown=shown,
        )
        if lookup.region_into:
            condition, params = scope.sql(q(lookup.region_into))
            self.reject(
                f"{q(lookup.region_into)} IS NOT NULL AND NOT ({condition})",
                f"lookup_scope:{lookup.column}",
                ref=q(lookup.region_into),
                shown=shown,
                params=params,
            )

    def classify(self, match, strategy, scope):
        """New, updated or unchanged against the existing records; then the strategy and the scope."""
        target = q(match.model._meta.db_table)
        pk = q(match.model._meta.pk.column)
        changed = " OR ".join(
            f"({self.table}.{q(s)} IS NOT NULL AND {self.table}.{q(s)} IS DISTINCT FROM t.{q(c)})"
            for s, c in match.compare
        )
        region = match.target_region or "NULL"
        self.execute(
            f"""
            UPDATE {self.table} SET target_id = t.{pk}, target_region = {region},
                action = CASE WHEN {changed or "1=0"} THEN 'u' ELSE 's' END
            FROM {target} t {match.region_join}
            WHERE t.{q(match.target_key)} = {self.table}.{q(match.stage_key)} AND {self.table}.action = 'n'
            {"AND " + match.target_filter.format(stage=self.table) if match.target_filter else ""}
            """
        )
        for stage_column, target_column in match.owner_check:
            self.execute(
                f"""
                UPDATE {self.table} SET action = 'r', reason = 'owner'
                FROM {target} t
                WHERE t.{pk} = {self.table}.target_id AND {self.table}.action IN ('u', 's')
                  AND t.{q(target_column)} IS DISTINCT FROM {self.table}.{q(stage_column)}
                """
            )
        if strategy == "insert":
            self.execute(f"UPDATE {self.table} SET action = 'r', reason = 'exists' WHERE action = 'u'")
        elif strategy == "update":
            self.execute(f"UPDATE {self.table} SET action = 'r', reason = 'not_found' WHERE action = 'n'")
        if match.target_region:
            condition, params = scope.sql("target_region")
            self.execute(
                f"UPDATE {self.table} SET action = 'r', reason = 'target_scope', ref = target_region "
                f"WHERE action IN ('u', 's') AND NOT ({condition})",
                params,
            )

    def counts(self):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT action, COUNT(*) FROM {self.table} GROUP BY action")
            return dict(cursor.fetchall())

    def rejected(self, chunk=5000):
        """(row_no, reason, ref, kdisp, shown, more) of rows rejected by the set-based steps, in row order."""
        last = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT row_no, reason, ref, kdisp, shown, more FROM {self.table} "
                    f"WHERE action = 'r' AND row_no > %s ORDER BY row_no LIMIT {int(chunk)}",
                    [last],
                )
                rows = cursor.fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def bounds(self):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MIN(row_no), MAX(row_no) FROM {self.table} WHERE action IN ('n', 'u')")
            return cursor.fetchone()

    # --- commit helpers (used by the apps' bulk modules) ----------------------------------------------
    def insert_new(self, model, columns, lo, hi, *, constants=None, conflict=None):
        """INSERT the batch's new rows (see ``_insert_new``): first as a plain INSERT, which is what
        classification expects; if a key was taken meanwhile, again with ON CONFLICT DO NOTHING."""
        if not self.has_new:
            return 0
        try:
            with transaction.atomic():
                return self._insert_new(model, columns, lo, hi, constants=constants, conflict=conflict, skip=False)
        except IntegrityError:
            return self._insert_new(model, columns, lo, hi, constants=constants, conflict=conflict, skip=True)

    def _insert_new(self, model, columns, lo, hi, *, constants=None, conflict=None, skip=True):
        """INSERT the batch's new rows. ``columns`` maps model column -> stage expression (alias s).

        ``constants`` maps model column -> a parameter value (timestamps...). Rows whose key was
        taken meanwhile are skipped (ON CONFLICT DO NOTHING). Returns the number inserted.
        """
        constants = dict(constants or {})
        constants.update(self._defaults(model, set(columns) | set(constants)))
        names = list(columns) + list(constants)
        select = list(columns.values()) + ["%s"] * len(constants)
        conflict_clause = ""
        if skip:
            conflict_clause = f"ON CONFLICT ({q(conflict)}) DO NOTHING" if conflict else "ON CONFLICT DO NOTHING"
        sql = (
            f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(n) for n in names)}) "
            f"SELECT {', '.join(select)} FROM {self.table} s "
            f"WHERE s.action = 'n' AND s.row_no > %s AND s.row_no <= %s ORDER BY s.row_no {conflict_clause}"
        )
        return self.execute(sql, [*constants.values(), lo, hi])

    @staticmethod
    def _defaults(model, given):
        """The model's own defaults for the columns an INSERT does not name (SQL knows none of them)."""
        from django.utils import timezone

        defaults = {}
        for field in model._meta.concrete_fields:
            if field.primary_key or field.column in given or field.attname in given:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = timezone.now()
            elif field.has_default():
                value = field.get_default()
            elif field.null:
                continue
            else:
                value = field.get_default()
            defaults[field.column] = field.get_db_prep_save(value, connection)
        return defaults

    def update_existing(self, model, assignments, lo, hi, *, constants=None):
        """UPDATE the batch's changed records. ``assignments`` maps model column -> expression over s
        (the stage row) and the table itself; an empty staged value leaves the stored one."""
        if not self.has_updates:
            return 0
        constants = constants or {}
        table = q(model._meta.db_table)
        sets = [f"{q(column)} = {expression}" for column, expression in assignments.items()]
        sets += [f"{q(column)} = %s" for column in constants]
        sql = (
            f"UPDATE {table} SET {', '.join(sets)} FROM {self.table} s "
            f"WHERE {table}.{q(model._meta.pk.column)} = s.target_id AND s.action = 'u' "
            f"AND s.row_no > %s AND s.row_no <= %s"
        )
        return self.execute(sql, [*constants.values(), lo, hi])

    def keep(self, model, column):
        """The assignment expression 'the staged value if given, else the stored one'."""
        return f"COALESCE(s.{q(column)}, {q(model._meta.db_table)}.{q(column)})"


class _BufferedWriter:
    def __init__(self, stage, flush_rows):
        self.stage, self.flush_rows, self.rows = stage, flush_rows, []

    def write(self, row):
        self.rows.append(row)

    def flush(self):
        if self.rows:
            self.stage.load(self.rows)
            self.rows = []


class _StreamingWriter:
    def __init__(self, stage):
        self.stage = stage

    def __enter__(self):
        self.raw = connection.get_new_connection(connection.get_connection_params())
        self.raw.autocommit = True
        self.cursor = self.raw.cursor()
        names = ["row_no", "skey", "kdisp", "digest"] + self.stage.columns
        statement = f"COPY {self.stage.table} (action, {', '.join(q(n) for n in names)}) FROM STDIN"
        self.copy_context = self.cursor.copy(statement)
        self.copy = self.copy_context.__enter__()
        self._write = self.copy.write_row
        return self

    def write(self, row):
        self._write(("n", *row))

    def flush(self):
        pass

    def __exit__(self, kind, value, traceback):
        try:
            self.copy_context.__exit__(kind, value, traceback)
        finally:
            self.cursor.close()
            self.raw.close()
        return False

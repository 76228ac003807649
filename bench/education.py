"""Continuing education at national scale: compliance counts for a province from SQL aggregates.

PostgreSQL only (the plans are the point). Generates, with COPY through psycopg, social workers,
their standings and their study-hour ledger spread over every province (广东 carries about a tenth,
as it does in reality), rebuilds the standings' credited hours from the ledger with one set-based
statement, and prints EXPLAIN ANALYZE of:

1. THE province compliance count (``shegong.education.compliance.counts_queryset``): complete /
   on track / short per prefecture of 广东省, from the standings;
2. the same counts computed live from the ledger (what the standings save);
3. one person's hours in a period (the re-registration check's sum).

Scale 1 is 3 million ledger rows (160,000 persons); ``--scale 10`` is 30 million rows (1.6 million
persons). The data set is kept between runs (``--fresh`` regenerates it).

    python -m bench.education --database-url postgres://postgres@127.0.0.1:5432/shegong_bench_edu --scale 10

``python -m bench`` runs it at ``SHEGONG_BENCH_EDUCATION_SCALE`` (default 1) when its database is PostgreSQL.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta

ROWS_PER_SCALE = 3_000_000
PERSONS_PER_SCALE = 160_000
PROVINCE = "440000"
PROVINCE_SHARE = 0.10  # 广东's share of the country's social workers
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/shegong_bench_edu"
BATCH = 200_000


def _copy_value(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def _fixed_columns(model, provided, now):
    """Columns of ``model`` the generator does not fill: NULL, the field's default, or now."""
    from django.db import connection

    fixed = {}
    for field in model._meta.concrete_fields:
        if field.column in provided or field.primary_key:
            continue
        if field.null:
            fixed[field.column] = None
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            fixed[field.column] = now.isoformat()
        else:
            value = field.get_db_prep_value(field.get_default(), connection)
            fixed[field.column] = value.value if hasattr(value, "value") else value
    return fixed


def _copy(table, columns, rows):
    """COPY ``rows`` (tab-separated lines, or lists of formatted values) into ``table`` through psycopg."""
    from django.db import connection

    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        buffer = []
        for row in rows:
            buffer.append(row if isinstance(row, str) else "\t".join(row))
            count += 1
            if len(buffer) >= 100_000:
                copy.write("\n".join(buffer) + "\n")
                buffer = []
        if buffer:
            copy.write("\n".join(buffer) + "\n")
    return count


def _counties():
    """[(province code, [county codes])] of every administered province."""
    from shegong.regions.models import Level, Region

    counties = {}
    for code in (
        Region.objects.administered()
        .filter(level=Level.COUNTY, active=True)
        .values_list("code", flat=True)
        .order_by("code")
    ):
        counties.setdefault(code[:2] + "0000", []).append(code)
    return sorted(counties.items())


def generate(scale, log):
    """Fill persons, standings and ledger rows (TRUNCATE first). Returns (persons, rows)."""
    from django.db import connection
    from django.utils import timezone

    from shegong.education.models import StudyRecord, StudyStanding
    from shegong.education.queries import add_years
    from shegong.workers.models import Person

    rng = random.Random(20261126)
    persons = int(PERSONS_PER_SCALE * scale)
    target_rows = int(ROWS_PER_SCALE * scale)
    now = timezone.now()
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {StudyRecord._meta.db_table}, {StudyStanding._meta.db_table}, {Person._meta.db_table} CASCADE"
        )

    provinces = _counties()
    others = [(p, c) for p, c in provinces if p != PROVINCE]
    guangdong = dict(provinces)[PROVINCE]
    other_counties = [code for _p, codes in others for code in codes]

    def county(i):
        if rng.random() < PROVINCE_SHARE:
            return guangdong[i % len(guangdong)]
        return other_counties[rng.randrange(len(other_counties))]

    regions = [county(i) for i in range(persons)]
    levels = [rng.choices(("assistant", "intermediate", "senior"), weights=(60, 37, 3))[0] for _ in range(persons)]

    # 1. persons ---------------------------------------------------------------------------------------
    started = time.perf_counter()
    provided = ["id", "id_blind_index", "id_encrypted", "name", "sex", "birth_date", "region_id"]
    fixed = _fixed_columns(Person, provided, now)
    columns = provided + list(fixed)
    tail = [_copy_value(v) for v in fixed.values()]
    born = date(1970, 1, 1)

    def person_rows():
        for i in range(persons):
            yield [
                str(i + 1),
                f"{i + 1:064x}",
                "bench",
                f"社工{i + 1}",
                "male" if i % 2 else "female",
                (born + timedelta(days=i % 12000)).isoformat(),
                regions[i],
                *tail,
            ]

    _copy(Person._meta.db_table, columns, person_rows())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{Person._meta.db_table}', 'id'), %s)", [persons])
    log(f"  persons: {persons:,} in {time.perf_counter() - started:.1f} s (COPY)")

    # 2. standings (periods spread over the last three years; credited filled from the ledger below) ----
    started = time.perf_counter()
    required = {"assistant": "72.0", "intermediate": "90.0", "senior": "90.0"}
    starts = [today - timedelta(days=rng.randrange(0, 1095)) for _ in range(persons)]

    def standing_rows():
        for i in range(persons):
            start = starts[i]
            end = add_years(start, 3) - timedelta(days=1)
            yield [
                str(i + 1),
                regions[i],
                levels[i],
                start.isoformat(),
                end.isoformat(),
                "certificate",
                required[levels[i]],
                "0",
                (add_years(start, 1) - timedelta(days=1)).isoformat(),
                now.isoformat(),
            ]

    _copy(
        StudyStanding._meta.db_table,
        [
            "person_id",
            "region_id",
            "level",
            "period_start",
            "period_end",
            "period_source",
            "required",
            "credited",
            "track_until",
            "refreshed_at",
        ],
        standing_rows(),
    )
    log(f"  standings: {persons:,} in {time.perf_counter() - started:.1f} s (COPY)")

    # 3. ledger: on average target_rows / persons rows each, dated over the last six years ----------------
    started = time.perf_counter()
    mean = target_rows / persons
    provided = [
        "person_id",
        "form",
        "source",
        "source_ref",
        "title",
        "hours_claimed",
        "hours_credited",
        "occurred_on",
        "decision",
        "created_at",
    ]
    forms = ("training", "training", "training", "online", "conference", "supervision_received", "paper")
    stamp = now.isoformat()

    days = [(today - timedelta(days=n)).isoformat() for n in range(2190)]
    hour_values = [f"{h}.0" for h in range(2, 13)]
    rnd = rng.random
    gauss = rng.gauss

    def record_rows():
        written = 0
        for i in range(persons):
            if i == persons - 1:
                count = target_rows - written
            else:
                count = min(max(0, round(gauss(mean, mean / 3))), target_rows - written)
            head = f"{i + 1}\t"
            for _ in range(count):
                hours = hour_values[int(rnd() * 11)]
                form = forms[int(rnd() * 7)]
                yield f"{head}{form}\tattendance\tbench\t基准测试培训\t{hours}\t{hours}\t{days[int(rnd() * 2190)]}\t\t{stamp}"
            written += count
            if written >= target_rows:
                return

    rows = _copy(StudyRecord._meta.db_table, provided, record_rows())
    elapsed = time.perf_counter() - started
    log(f"  ledger: {rows:,} rows in {elapsed:.1f} s (COPY, {rows / elapsed:,.0f} rows/s)")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Sets the visibility map, so that index-only scans need not visit the table.
        cursor.execute(f"VACUUM (ANALYZE) {StudyRecord._meta.db_table}")
        cursor.execute(f"VACUUM (ANALYZE) {StudyStanding._meta.db_table}")
    log(f"  vacuum and analyse: {time.perf_counter() - started:.1f} s")
    return persons, rows


REBUILD_SQL = """
UPDATE education_studystanding s
   SET credited = t.credited,
       track_until = LEAST(
           s.period_end,
           (s.period_start + make_interval(years => LEAST(2, FLOOR(t.credited * 3 / NULLIF(s.required, 0)))::int + 1))::date - 1
       )
  FROM (
        SELECT s2.person_id, COALESCE(SUM(r.hours_credited), 0) AS credited
          FROM education_studystanding s2
          LEFT JOIN education_studyrecord r
                 ON r.person_id = s2.person_id AND r.occurred_on BETWEEN s2.period_start AND s2.period_end
         WHERE s2.region_id LIKE %s
         GROUP BY s2.person_id
       ) t
 WHERE s.person_id = t.person_id
"""

LIVE_SQL = """
SELECT LEFT(s.region_id, 4) AS prefix,
       COUNT(*) AS total,
       COUNT(*) FILTER (WHERE t.credited >= s.required) AS complete,
       COUNT(*) FILTER (WHERE t.credited < s.required
                        AND t.credited * 3 >= s.required * LEAST(3, FLOOR((CURRENT_DATE - s.period_start) / 365.25))) AS on_track
  FROM education_studystanding s
  JOIN LATERAL (
        SELECT COALESCE(SUM(r.hours_credited), 0) AS credited
          FROM education_studyrecord r
         WHERE r.person_id = s.person_id AND r.occurred_on BETWEEN s.period_start AND s.period_end
       ) t ON TRUE
 WHERE s.region_id LIKE %s
 GROUP BY 1
 ORDER BY 1
"""


def explain(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def run_query(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def measure(timed, log):
    """The queries, their plans and times (data already in place)."""
    from django.db import connection

    from shegong.education.compliance import counts_queryset
    from shegong.education.models import StudyRecord, StudyStanding
    from shegong.regions.models import Region

    province = Region.objects.get(code=PROVINCE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM education_studyrecord")
        rows = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM education_studystanding")
        persons = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM education_studystanding WHERE region_id LIKE '44%%'")
        in_province = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COUNT(*) FROM education_studyrecord r JOIN education_studystanding s USING (person_id) "
            "WHERE s.region_id LIKE '44%%'"
        )
        province_rows = cursor.fetchone()[0]
    log(f"data: {rows:,} ledger rows for {persons:,} persons; 广东省: {in_province:,} persons, {province_rows:,} rows")

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(REBUILD_SQL, ["44%"])
        updated = cursor.rowcount
    log(
        f"rebuild of 广东省's standings from the ledger (one UPDATE ... FROM (SELECT ... GROUP BY)): "
        f"{updated:,} standings in {time.perf_counter() - started:.1f} s"
    )
    with connection.cursor() as cursor:
        # Standings change a few rows at a time in production, where autovacuum keeps the visibility map
        # current; after rewriting a whole province at once, vacuum it so the plan below is the steady state.
        cursor.execute("VACUUM (ANALYZE) education_studystanding")

    queryset = counts_queryset(province)
    sql, params = queryset.query.sql_with_params()
    log("")
    log("1. THE province compliance count (counts_queryset(广东省)), SQL:")
    log("   " + sql)
    for line in explain(sql, params):
        log("   " + line)
    seconds = timed(lambda: list(queryset.all()), repeat=7)
    result = list(queryset.all())
    log(
        f"   median of 7 runs: {seconds * 1000:.1f} ms; {len(result)} prefectures, "
        f"{sum(r['total'] for r in result):,} persons: {sum(r['complete'] for r in result):,} complete, "
        f"{sum(r['on_track'] for r in result):,} on track, {sum(r['short'] for r in result):,} short"
    )

    national = Region.objects.get(code="000000")
    whole = counts_queryset(national)
    seconds_national = timed(lambda: list(whole.all()), repeat=3)
    log(
        f"   for comparison, the national count (per province, {persons:,} standings): "
        f"median of 3 runs {seconds_national * 1000:.0f} ms"
    )

    log("")
    log("2. The same counts computed live from the ledger (without the standings' credited column):")
    for line in explain(LIVE_SQL, ["44%"]):
        log("   " + line)
    live = timed(lambda: run_query(LIVE_SQL, ["44%"]), repeat=3)
    log(f"   median of 3 runs: {live * 1000:.0f} ms; ratio to (1): {live / seconds:.0f}x")

    person_id = StudyStanding.objects.filter(region__code__startswith="44").values_list("person_id", flat=True).first()
    standing = StudyStanding.objects.get(person_id=person_id)
    person_sum = StudyRecord.objects.filter(
        person_id=person_id, occurred_on__gte=standing.period_start, occurred_on__lte=standing.period_end
    ).values("person_id")
    from django.db.models import Sum

    person_sum = person_sum.annotate(total=Sum("hours_credited")).values("total")
    sql, params = person_sum.query.sql_with_params()
    log("")
    log("3. One person's hours in a period (the re-registration check):")
    for line in explain(sql, params):
        log("   " + line)
    one = timed(lambda: list(person_sum.all()), repeat=20)
    log(f"   median of 20 runs: {one * 1000:.2f} ms")


def prepare(scale, fresh, log):
    from django.db import connection

    from shegong.education.models import StudyRecord
    from shegong.regions.models import Region
    from shegong.regions.services import load_divisions

    if connection.vendor != "postgresql":
        raise SystemExit("bench.education needs PostgreSQL (--database-url postgres://...)")
    if not Region.objects.filter(code=PROVINCE).exists():
        load_divisions()
    target = int(ROWS_PER_SCALE * scale)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'education_studyrecord'")
        estimate = cursor.fetchone()[0]
    if not fresh and estimate and abs(estimate - target) < target * 0.05 and StudyRecord.objects.exists():
        log(f"using the data already generated (about {estimate:,} ledger rows; --fresh regenerates)")
        return
    log(f"generating scale {scale}: {target:,} ledger rows")
    started = time.perf_counter()
    generate(scale, log)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"  generated and analysed in {time.perf_counter() - started:.0f} s")


def run(timed):
    """Entry point for ``python -m bench``."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield "education: skipped (PostgreSQL only: python -m bench.education --database-url postgres://...)"
        return
    lines = []
    scale = float(os.environ.get("SHEGONG_BENCH_EDUCATION_SCALE", "1"))
    prepare(scale, False, lines.append)
    measure(timed, lines.append)
    yield from lines


def _ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[-1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("SHEGONG_BENCH_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 3 million ledger rows; 10 = 30 million")
    parser.add_argument("--fresh", action="store_true", help="regenerate the data even if it is there")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("bench.education needs PostgreSQL")
    _ensure_database(args.database_url)
    tmp = tempfile.mkdtemp(prefix="shegong-bench-")
    os.environ["SHEGONG_VAR_DIR"] = tmp
    os.environ["SHEGONG_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from django.core.management import call_command

    from bench.__main__ import timed

    call_command("migrate", verbosity=0)
    prepare(args.scale, args.fresh, lambda line: print(line, flush=True))
    measure(timed, lambda line: print(line, flush=True))


if __name__ == "__main__":
    main()

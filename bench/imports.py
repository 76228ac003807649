"""Bulk import and export (core/tabular) at national scale, each figure against a baseline of the same run.

On PostgreSQL (a database of its own, created afresh: shegong_bench_imports unless
SHEGONG_BENCH_PG_URL names another whose name starts with shegong_bench):
- importing 1,000,000 new social workers from CSV, validated and committed (``manage.py import`` in a
  subprocess, as an operator would run it), against a raw COPY of the same rows, already encrypted
  and indexed, into the same table. Goal: at most 2.5 times;
- the same against django-import-export with default settings on a 10,000-row file of the same rows.
  Goal: at least 50 times the rows per second;
- an xlsx import of 100,000 rows against (python-calamine reading the file + the CSV import of the
  same rows). Goal: at most 2 times;
- peak memory (maximum resident set) of the import process. Goal: under 500 MB;
- re-importing the unchanged million. Goal: at most the time of the first import;
- exporting the million to CSV and to xlsx: rows per second.
On SQLite the same figures at a smaller scale (100,000 rows).

Run: ``make bench`` (each database in a child process with a fresh database of its own: SQLite in a
temporary directory, then PostgreSQL when it is reachable), or ``python -m bench.imports
--database-url URL`` for one database. BENCH_IMPORT_ROWS overrides the size of the big file.
"""

import csv
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/shegong_bench_imports"
IE_ROWS = 10_000
GOALS = {"copy": 2.5, "ie": 50.0, "xlsx": 2.0, "memory_mb": 500, "reimport": 1.0}


def _rows_for(vendor):
    default = 1_000_000 if vendor == "postgresql" else 100_000
    return int(os.environ.get("BENCH_IMPORT_ROWS", default))


VENDOR = {"name": ""}


def _verdict(ok):
    if VENDOR["name"] != "postgresql":
        return "for reference: the goals are set for PostgreSQL"
    return "met" if ok else "NOT MET"


def _admin():
    from shegong.accounts.models import User

    user, _created = User.objects.get_or_create(
        username="bench_admin", defaults={"role": "admin", "region_id": "000000", "full_name": "基准测试"}
    )
    return user


def _truncate():
    from django.db import connection

    from shegong.workers.models import Person

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {Person._meta.db_table} CASCADE")
        else:
            for model_name in ("registration.Registration", "education.StudyRecord", "education.StudyStanding"):
                try:
                    from django.apps import apps

                    model = apps.get_model(model_name)
                except LookupError:
                    continue
                cursor.execute(f"DELETE FROM {model._meta.db_table}")
            from shegong.workers.models import Certificate

            cursor.execute(f"DELETE FROM {Certificate._meta.db_table}")
            cursor.execute(f"DELETE FROM {Person._meta.db_table}")


def _settle():
    """Let the database finish writing what the previous step left (a checkpoint), so that it does not
    slow the next measurement down."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT" if connection.vendor == "postgresql" else "PRAGMA wal_checkpoint(TRUNCATE)")


def _prepare_files(tmp, rows):
    """The CSV an official would upload, and the same rows prepared for a raw COPY (encrypted, indexed)."""
    from shegong.core.synthetic import Generator
    from shegong.core.tabular.stage import Stage
    from shegong.workers.models import Person
    from shegong.workers.national import PERSON_COLUMNS, WORKER_HEADER, person_db_rows, worker_csv_row

    generator = Generator(seed=42)
    constants = Stage._defaults(Person, set(PERSON_COLUMNS))
    names = list(PERSON_COLUMNS) + list(constants)
    extra = [_copy_text(v) for v in constants.values()]
    people_csv = tmp / "workers.csv"
    prepared = tmp / "workers.copy"

    def people():
        for person in generator.persons(rows):
            writer.writerow(worker_csv_row(person))
            yield person

    with open(people_csv, "w", encoding="utf-8", newline="") as handle, open(prepared, "w", encoding="utf-8") as copy:
        writer = csv.writer(handle)
        writer.writerow(WORKER_HEADER)
        for row in person_db_rows(people()):
            copy.write("\t".join([_copy_text(v) for v in row] + extra) + "\n")
    return people_csv, prepared, names


def _copy_text(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _raw_copy(prepared, names):
    """Baseline: the prepared rows into the same table (COPY on PostgreSQL, executemany on SQLite)."""
    from django.db import connection, transaction

    from shegong.core.tabular.stage import q
    from shegong.workers.models import Person

    table = q(Person._meta.db_table)
    columns = ", ".join(q(n) for n in names)
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                with open(prepared, "rb") as handle:
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)
    else:
        statement = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"
        with open(prepared, encoding="utf-8") as handle, connection.cursor() as cursor:
            batch = []
            for line in handle:
                batch.append(
                    [
                        None if v == "\\N" else (v == "t" if v in ("t", "f") else v)
                        for v in line.rstrip("\n").split("\t")
                    ]
                )
                if len(batch) >= 50_000:
                    with transaction.atomic():
                        cursor.executemany(statement, batch)
                    batch = []
            if batch:
                with transaction.atomic():
                    cursor.executemany(statement, batch)
    return time.perf_counter() - started


def _import_subprocess(path):
    """``manage.py import`` in a child process: wall time, peak memory (MB) and its job."""
    from shegong.core.models import ImportJob

    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    command = [sys.executable, "-c", probe, sys.executable, "manage.py", "import", "workers", str(path)]
    command += ["--region", "000000", "--valid-only", "--issues", "0", "--language", "en"]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=os.environ.copy())
    seconds = time.perf_counter() - started
    if result.returncode:
        raise RuntimeError(result.stderr[-3000:])
    peak_mb = int(result.stdout.strip().splitlines()[-1]) / 1024
    return seconds, peak_mb, ImportJob.objects.order_by("-created_at").first()


def _import_in_process(user, path, name):
    from shegong.core.tabular import engine

    started = time.perf_counter()
    job = engine.stage_file(user, "workers", str(path), original_name=name, mode="valid", language="en")
    engine.validate(job)
    job.refresh_from_db()
    if job.can_commit:
        engine.confirm(job, actor=user)
        engine.commit(job)
        job.refresh_from_db()
    return time.perf_counter() - started, job


def _split(job):
    validation = (job.validated_at - job.created_at).total_seconds() if job.validated_at else 0.0
    commit = (job.finished_at - job.confirmed_at).total_seconds() if job.finished_at and job.confirmed_at else 0.0
    return validation, commit


def _import_export_baseline(path):
    """django-import-export, default settings, on the same rows (10,000): rows per second."""
    import tablib
    from import_export import resources

    from shegong.core import crypto, identifiers
    from shegong.workers.models import Person

    class PersonResource(resources.ModelResource):
        """The minimum to store a row at all: the ID number becomes its blind index and ciphertext."""

        class Meta:
            model = Person
            import_id_fields = ("id_blind_index",)
            fields = ("id_blind_index", "id_encrypted", "id_kind", "name", "sex", "birth_date", "phone", "region")

        def before_import_row(self, row, **kwargs):
            parsed = identifiers.validate_id_number(row["身份证号码"])
            row["id_blind_index"] = crypto.blind_index(parsed.number)
            row["id_encrypted"] = crypto.encrypt(parsed.number)
            row["id_kind"] = parsed.kind
            row["name"] = row["姓名"]
            row["sex"] = parsed.sex
            row["birth_date"] = parsed.birth_date.isoformat()
            row["phone"] = row["手机号码"]
            row["region"] = row["工作地区"]

    dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    for column in ("id_blind_index", "id_encrypted", "id_kind", "name", "sex", "birth_date", "phone", "region"):
        dataset.append_col([""] * len(dataset), header=column)  # filled by before_import_row
    started = time.perf_counter()
    result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - started
    assert not result.has_errors() and Person.objects.count() == len(dataset), "django-import-export failed"
    return seconds, len(dataset)


def _times(seconds):
    return ", ".join(f"{s:.2f}" for s in seconds) + " s"


def _head(source, target, rows):
    with open(source, encoding="utf-8") as handle, open(target, "w", encoding="utf-8") as out:
        for index, line in enumerate(handle):
            if index > rows:
                break
            out.write(line)
    return target


def _xlsx_from_csv(source, target):
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("花名册")
    text = workbook.add_format({"num_format": "@"})
    sheet.set_column(0, 0, 22, text)
    with open(source, encoding="utf-8") as handle:
        for r, row in enumerate(csv.reader(handle)):
            for c, value in enumerate(row):
                if value:
                    sheet.write_string(r, c, value)
    workbook.close()
    return target


def _calamine_read(path):
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    count = 0
    for _row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows():
        count += 1
    return time.perf_counter() - started


def _export(user, fmt, target):
    from shegong.core.tabular.export import run_export
    from shegong.core.tabular.spec import get_spec

    started = time.perf_counter()
    count, _context = run_export(user, get_spec("workers"), {}, fmt, str(target))
    return time.perf_counter() - started, count


def run(timed=None):
    """From ``python -m bench``: each database in a child process with a database of its own."""
    tmp = tempfile.mkdtemp(prefix="shegong-bench-imports-sqlite-")
    try:
        yield from _child(f"sqlite:///{tmp}/bench.sqlite3", "SQLite")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    url = os.environ.get("SHEGONG_BENCH_PG_URL", DEFAULT_PG)
    try:
        _recreate(url)
    except Exception as exc:
        yield f"== bulk import on PostgreSQL: skipped ({type(exc).__name__}: {exc})"
        return
    yield from _child(url, "PostgreSQL")


def _child(url, label):
    env = {k: v for k, v in os.environ.items() if k not in ("SHEGONG_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.imports", "--database-url", url, "--fresh-done"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    for line in process.stdout:
        yield line.rstrip("\n")
    if process.wait():
        yield f"== bulk import on {label}: the benchmark process failed (exit {process.returncode})"


def suite():
    from django.db import connection

    from shegong.regions.models import Region
    from shegong.regions.services import load_divisions

    vendor = VENDOR["name"] = connection.vendor
    label = "PostgreSQL" if vendor == "postgresql" else "SQLite"
    if not Region.objects.filter(code="440106").exists():
        load_divisions()
    rows = _rows_for(vendor)
    user = _admin()
    tmp = Path(tempfile.mkdtemp(prefix="shegong-bench-imports-"))
    try:
        yield from _measure(vendor, label, rows, user, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _measure(vendor, label, rows, user, tmp):
    yield f"== bulk import and export on {label} ({rows:,} social workers)"
    people_csv, prepared, names = _prepare_files(tmp, rows)

    small = _head(people_csv, tmp / "workers-10k.csv", IE_ROWS)
    # Each side's best time (as timeit does: the least disturbed run), the two measured alternately
    # so that a slow spell of a shared machine falls on both: django-import-export twice, ours five times.
    ie_runs, runs = [], []
    for attempt in range(5):
        if attempt < 2:
            _truncate()
            _settle()
            ie_seconds, ie_rows = _import_export_baseline(small)
            ie_runs.append(ie_seconds)
        _truncate()
        _settle()
        seconds, ours = _import_in_process(user, small, "workers-10k.csv")
        assert ours.committed_new == ie_rows
        runs.append(seconds)
    ie_seconds, ours_seconds = min(ie_runs), min(runs)
    ie_rate, our_rate = ie_rows / ie_seconds, ie_rows / ours_seconds
    ratio = our_rate / ie_rate
    yield (
        f"import of {ie_rows:,} rows: {our_rate:,.0f} rows/s (best of 5: {ours_seconds:.2f} s; all {_times(runs)}); "
        f"baseline django-import-export (default settings) {ie_rate:,.0f} rows/s (best of 2: {ie_seconds:.1f} s; all "
        f"{_times(ie_runs)}); ratio {ratio:.0f} (goal >= {GOALS['ie']:.0f}: {_verdict(ratio >= GOALS['ie'])})"
    )

    xlsx_rows = min(rows, 100_000)
    part = _head(people_csv, tmp / "workers-100k.csv", xlsx_rows)
    workbook = _xlsx_from_csv(part, tmp / "workers-100k.xlsx")
    calamine_seconds = _calamine_read(workbook)
    _truncate()
    _settle()
    csv_seconds, csv_job = _import_in_process(user, part, "workers-100k.csv")
    _truncate()
    _settle()
    xlsx_seconds, xlsx_job = _import_in_process(user, workbook, "workers-100k.xlsx")
    assert csv_job.committed_new == xlsx_job.committed_new == xlsx_rows
    base = calamine_seconds + csv_seconds
    ratio = xlsx_seconds / base
    yield (
        f"xlsx import of {xlsx_rows:,} rows: {xlsx_seconds:.1f} s; baseline python-calamine read {calamine_seconds:.1f} s "
        f"+ CSV import {csv_seconds:.1f} s = {base:.1f} s; ratio {ratio:.2f} (goal <= {GOALS['xlsx']}: {_verdict(ratio <= GOALS['xlsx'])})"
    )

    _truncate()
    _settle()
    copy_seconds = _raw_copy(prepared, names)
    baseline = "raw COPY" if vendor == "postgresql" else "raw executemany INSERT"
    yield f"{baseline} of the prepared rows (already encrypted and indexed): {copy_seconds:.1f} s ({rows / copy_seconds:,.0f} rows/s)"
    _truncate()
    _settle()

    import_seconds, peak_mb, job = _import_subprocess(people_csv)
    validation, commit = _split(job)
    assert job.committed_new == rows, (job.status, job.error, job.committed_new)
    ratio = import_seconds / copy_seconds
    yield (
        f"import of {rows:,} new social workers from CSV (validated + committed, `manage.py import`): {import_seconds:.1f} s "
        f"({rows / import_seconds:,.0f} rows/s; validation {validation:.1f} s, commit {commit:.1f} s); "
        f"baseline {baseline} {copy_seconds:.1f} s; ratio {ratio:.2f} (goal <= {GOALS['copy']}: {_verdict(ratio <= GOALS['copy'])}); "
        f"for reference {rows / import_seconds / ie_rate:.0f} times django-import-export's rows/s above"
    )
    yield f"peak memory of the import process: {peak_mb:.0f} MB (goal < {GOALS['memory_mb']} MB: {_verdict(peak_mb < GOALS['memory_mb'])})"

    _settle()
    again_seconds, again_peak, again = _import_subprocess(people_csv)
    assert again.count_unchanged == rows and again.count_new == 0, (again.count_new, again.count_unchanged)
    ratio = again_seconds / import_seconds
    yield (
        f"re-import of the unchanged {rows:,} (all reported unchanged, nothing written): {again_seconds:.1f} s; "
        f"first import {import_seconds:.1f} s; ratio {ratio:.2f} (goal <= {GOALS['reimport']}: {_verdict(ratio <= GOALS['reimport'])}); "
        f"peak memory {again_peak:.0f} MB"
    )

    for fmt in ("csv", "xlsx"):
        seconds, count = _export(user, fmt, tmp / f"export.{fmt}")
        size = os.path.getsize(tmp / f"export.{fmt}") / 1e6
        yield f"export of {count:,} social workers to {fmt}: {seconds:.1f} s ({count / seconds:,.0f} rows/s, {size:.0f} MB)"
        os.remove(tmp / f"export.{fmt}")

    _truncate()


def _recreate(url, *, create=True):
    """Drop and create (or only drop) a benchmark database: only one whose name starts with shegong_bench."""
    from urllib.parse import urlparse

    import psycopg

    name = urlparse(url).path.lstrip("/")
    if not name.startswith("shegong_bench"):
        raise ValueError(f"refusing to recreate {name}: the benchmark database's name must start with shegong_bench")
    admin_url = url[: url.rindex("/")] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')


def main():
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("SHEGONG_BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--fresh-done", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.fresh_done and args.database_url.startswith("postgres"):
        _recreate(args.database_url)
    var_dir = os.environ["SHEGONG_VAR_DIR"] = tempfile.mkdtemp(prefix="shegong-bench-imports-var-")
    os.environ["SHEGONG_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        for line in suite():
            print(line, flush=True)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)  # uploaded copies of the benchmark files


if __name__ == "__main__":
    main()

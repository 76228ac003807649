"""Benchmarks, run with `make bench` (never in CI). Each figure is a ratio against a baseline measured in the same run.

Usage: python -m bench [--database-url URL] [--suites regions,education,workers,imports]

Without --database-url every suite runs on SQLite (a temporary database) and then, when a PostgreSQL
server is reachable at SHEGONG_BENCH_PG_SERVER (postgres://postgres@127.0.0.1:5432), on PostgreSQL
in a database created afresh for the run (shegong_bench). Each database is measured in a child
process of its own. The imports suite manages its databases itself (see bench/imports.py).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

SUITES = ("regions", "education", "workers", "imports")
PG_SERVER = os.environ.get("SHEGONG_BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")


def timed(func, repeat=5):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _child(url, suites):
    command = [sys.executable, "-m", "bench", "--database-url", url, "--suites", ",".join(suites)]
    env = {k: v for k, v in os.environ.items() if k not in ("SHEGONG_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run(command, env=env)
    if result.returncode:
        print(f"== the benchmark process for {url} failed (exit {result.returncode})", flush=True)


def _all():
    """Every suite, on SQLite and then on PostgreSQL when it is reachable."""
    from bench.imports import _recreate

    per_database = [s for s in SUITES if s != "imports"]
    with tempfile.TemporaryDirectory(prefix="shegong-bench-") as tmp:
        print("==== SQLite", flush=True)
        _child(f"sqlite:///{tmp}/bench.sqlite3", per_database)
    url = f"{PG_SERVER}/shegong_bench"
    try:
        _recreate(url)
    except Exception as exc:
        print(f"==== PostgreSQL: skipped ({type(exc).__name__}: {exc})", flush=True)
    else:
        print("==== PostgreSQL", flush=True)
        _child(url, per_database)
        # Dropped before the import benchmark: its background work (autovacuum of millions of fresh
        # rows, checkpoints) would otherwise slow the import measurements down.
        _recreate(url, create=False)
    from bench import imports

    for line in imports.run(timed):
        print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("SHEGONG_BENCH_DATABASE_URL"))
    parser.add_argument("--suites", default=",".join(SUITES))
    args = parser.parse_args()
    sys.path.insert(0, os.getcwd())
    if not args.database_url:
        _all()
        return
    os.environ["SHEGONG_VAR_DIR"] = tempfile.mkdtemp(prefix="shegong-bench-var-")
    os.environ["SHEGONG_DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import importlib

    for name in args.suites.split(","):
        suite = importlib.import_module(f"bench.{name}")
        for line in suite.run(timed):
            print(line, flush=True)


if __name__ == "__main__":
    main()

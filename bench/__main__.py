"""Benchmarks, run with `make bench` (never in CI). Each figure is a ratio against a baseline measured in the same run.

Usage: python -m bench [--database-url URL]
Uses a throw-away database (SQLite in a temp dir unless --database-url names a PostgreSQL server).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time


def timed(func, repeat=5):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("SHEGONG_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="shegong-bench-")
    os.environ["SHEGONG_VAR_DIR"] = tmp
    os.environ["SHEGONG_DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bench import education, imports, regions, workers

    for suite in (regions, education, imports, workers):
        for line in suite.run(timed):
            print(line)


if __name__ == "__main__":
    main()

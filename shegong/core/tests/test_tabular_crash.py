"""Crash safety: kill -9 of the process committing an import, in the middle of a batch.

The commit runs in a real subprocess against a database of its own (a fresh SQLite file, or a fresh
PostgreSQL database when the suite runs on PostgreSQL). Inside batch 3 (its rows written, its
transaction still open) the process is killed with SIGKILL. Then: exactly two whole batches are in
the table, the import record says it stopped after them, and running the commit again
(``manage.py import --resume BATCH``) completes it with exactly the right counts.
"""

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
DRIVER = Path(__file__).with_name("tabular_crash_driver.py")
ROWS, BATCH = 95, 20


@pytest.fixture
def fresh_database(tmp_path):
    """(environment, cleanup) for a database the subprocesses share."""
    env = {**os.environ, "SHEGONG_VAR_DIR": str(tmp_path), "SHEGONG_IMPORT_BATCH_ROWS": str(BATCH)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if connection.vendor == "postgresql":
        import psycopg

        settings = connection.settings_dict
        name = f"shegong_crash_{uuid.uuid4().hex[:8]}"
        admin = psycopg.connect(
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            password=settings["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        admin.execute(f'CREATE DATABASE "{name}"')
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        env["SHEGONG_DATABASE_URL"] = (
            f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"
        )
        yield env
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    else:
        env["SHEGONG_DATABASE_URL"] = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        yield env


def run(env, *args, timeout=300):
    result = subprocess.run(
        [sys.executable, str(DRIVER), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def inspect(env, batch):
    return json.loads(run(env, "inspect", batch))


@pytest.mark.django_db
def test_kill_9_in_the_middle_of_a_commit_leaves_whole_batches_and_resumes_exactly(fresh_database):
    env = fresh_database
    batch = run(env, "prepare", str(ROWS), str(BATCH), timeout=600)

    worker = subprocess.Popen(
        [sys.executable, str(DRIVER), "commit", batch, "3"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        line = worker.stdout.readline()
        assert line.strip() == "PAUSED 3", line
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == -signal.SIGKILL

    state = inspect(env, batch)
    # Rows are file rows 2..96; batches are windows of 20 row numbers: (1, 21], (21, 41], ...
    assert state["status"] == "committing"
    assert state["committed_row"] == 41 and state["committed_batches"] == 2
    assert state["persons"] == 40 == state["committed_new"]
    assert state["batch_events"] == 2  # the audit event of the killed batch was rolled back with it

    result = subprocess.run(
        [sys.executable, "manage.py", "import", "--resume", batch, "--language", "en"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Written: 95 added · 0 changed · 0 skipped · up to row 96 in 5 batches" in result.stdout

    state = inspect(env, batch)
    assert state["status"] == "committed"
    assert state["persons"] == ROWS == state["committed_new"]
    assert state["committed_updated"] == 0
    assert state["batch_events"] == 5
    assert state["stage_table"] == ""

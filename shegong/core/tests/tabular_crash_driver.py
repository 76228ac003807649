"""Driver for the crash test: runs one step of an import in its own process (see test_tabular_crash.py).

    python tabular_crash_driver.py prepare ROWS BATCH   -> prints the batch id of a confirmed import
    python tabular_crash_driver.py commit BATCH_ID STOP -> commits, and inside batch STOP (rows written,
                                                         transaction open) prints PAUSED and waits to be killed
    python tabular_crash_driver.py inspect BATCH_ID     -> prints JSON: persons, job state

The database is named by SHEGONG_DATABASE_URL (a fresh one per test).
"""

import json
import os
import sys
import time


def setup():
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
    import django

    django.setup()


def prepare(rows, batch):
    import datetime
    import tempfile

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from shegong.accounts.models import User
    from shegong.core.identifiers import build_id_number
    from shegong.core.tabular import engine
    from shegong.regions.services import load_divisions

    load_divisions()
    user = User.objects.create(username="crash_admin", role="admin", region_id="440106", full_name="测试")
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as handle:
        handle.write("身份证号码,姓名,工作地区\n")
        for n in range(rows):
            born = datetime.date(1960, 1, 1) + datetime.timedelta(days=n % 14000)
            handle.write(f"{build_id_number('440106', born, n // 14000 * 2 + 1)},社工{n},440106\n")
    job = engine.stage_file(user, "workers", handle.name, original_name="crash.csv", language="en")
    engine.validate(job)
    job.refresh_from_db()
    engine.confirm(job, actor=user)
    print(job.batch_id, flush=True)


def commit(batch_id, stop):
    from shegong.core.models import ImportJob
    from shegong.core.tabular import engine

    def pause(job, batch):
        if batch == stop:
            print(f"PAUSED {batch}", flush=True)
            time.sleep(600)

    from shegong.core.tabular import commit as commit_module

    commit_module._inside_batch_hook = pause
    engine.commit(ImportJob.objects.get(batch_id=batch_id))
    print("DONE", flush=True)


def inspect(batch_id):
    from shegong.core.models import AuditEvent, ImportJob
    from shegong.workers.models import Person

    job = ImportJob.objects.get(batch_id=batch_id)
    print(
        json.dumps(
            {
                "persons": Person.objects.count(),
                "status": job.status,
                "committed_row": job.committed_row,
                "committed_new": job.committed_new,
                "committed_updated": job.committed_updated,
                "committed_batches": job.committed_batches,
                "batch_events": AuditEvent.objects.filter(object_id=str(job.pk), action="import.batch").count(),
                "stage_table": job.stage_table,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    setup()
    step = sys.argv[1]
    if step == "prepare":
        prepare(int(sys.argv[2]), int(sys.argv[3]))
    elif step == "commit":
        commit(sys.argv[2], int(sys.argv[3]))
    elif step == "inspect":
        inspect(sys.argv[2])

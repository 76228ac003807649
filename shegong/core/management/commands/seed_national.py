"""Fill a database with national-scale synthetic data, and write sample import files with known faults.

    manage.py seed_national [--scale 1.0] [--seed N] [--samples-only] [--append] [--skip STEP]
    make seed-national                      (scale 1.0; SCALE=0.01 for a quick one)

At scale 1.0 (docs/architecture.md "Data at national scale"): 1.6 million social workers with their
certificates, registration histories (when the registration app is installed) and study-hour
records (when the education app is), 20,000 organizations. Each app contributes its steps through
core.seeding (its ``national.py``, registered from its AppConfig.ready); this command runs them in
their order over one seeded generator (core.synthetic), so that a seed gives the same data. Rows are
written with COPY on PostgreSQL (batched INSERTs on SQLite), bypassing the services: this is test
data, written once, and the derived states are computed afterwards in set-based SQL.

Sample files (var/samples/): the files the apps register (workers and organizations as CSV and
xlsx), with a known share of each kind of faulty row; ``manifest.json`` lists them and the counts an
import must report.
"""

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from shegong.core import seeding
from shegong.core.synthetic import Generator

STUDY_RECORDS = "study-records"  # the step --no-study-records skips (the largest table)


class Command(BaseCommand):
    help = "Fill the database with national-scale synthetic data and write sample import files to var/samples/."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1.6 million workers (docs/architecture.md)")
        parser.add_argument("--seed", type=int, default=20261126)
        parser.add_argument("--samples-only", action="store_true", help="Only write the sample import files.")
        parser.add_argument("--sample-rows", type=int, default=10_000)
        parser.add_argument("--append", action="store_true", help="Add to a database that already has workers.")
        parser.add_argument(
            "--skip",
            action="append",
            default=[],
            metavar="STEP",
            help=f"Leave a step out (repeatable); the steps in order: {', '.join(seeding.keys(seeding.NATIONAL))}.",
        )
        parser.add_argument(
            "--no-study-records", action="store_true", help=f"Skip the study-hour ledger (--skip {STUDY_RECORDS})."
        )

    def log(self, message):
        self.stdout.write(f"[{time.monotonic() - self.started:7.1f}s] {message}")

    def handle(self, *args, scale, seed, samples_only, sample_rows, append, skip, no_study_records, **options):
        self.started = time.monotonic()
        steps = seeding.steps(seeding.NATIONAL)
        unknown = set(skip) - {step.key for step in steps}
        if unknown:
            raise CommandError(
                f"Unknown steps: {', '.join(sorted(unknown))} (known: {', '.join(s.key for s in steps)})"
            )
        if no_study_records:
            skip = [*skip, STUDY_RECORDS]
        for step in steps:
            missing = [needed for needed in step.after if needed in skip]
            if step.key not in skip and missing:
                raise CommandError(f"Step {step.key} needs {', '.join(missing)}: skip it too.")
        generator = Generator(seed)
        if not samples_only:
            # What is already there (the demo data, or an earlier run with --append) is left alone: every
            # step works on the rows this run writes, and numbers continue after the existing ones.
            run = seeding.NationalRun(generator, scale=scale, log=self.log, append=append, skip=skip)
            for step in steps:
                if step.key not in run.skip:
                    step.func(run)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        self.samples(generator, sample_rows)
        self.log("done")

    # --- sample import files -------------------------------------------------------------------------------
    def samples(self, generator, rows):
        from shegong.core.tabular.samples import write_samples

        target = Path(settings.VAR_DIR) / "samples"
        manifest = write_samples(generator, target, rows)
        (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        self.log(f"sample files in {target}: {', '.join(sorted(manifest['files']))}")

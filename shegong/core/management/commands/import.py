"""Import a file into a table with the same engine as the import pages, and print the same report.

    manage.py import workers roster.xlsx --region 440106 [--user th_admin] [--dry-run]
                     [--strategy insert|update|upsert] [--valid-only]
    manage.py import --resume 20261126-1A2B3C4D     (continue an interrupted commit)

Without --user the import is system work scoped to --region (the migration of a provincial system);
with --user it is that user's import, limited to their scope (and to --region inside it).
"""

import sys
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from shegong.core.tabular import engine
from shegong.core.tabular.spec import STRATEGIES, all_specs


class Command(BaseCommand):
    help = "Import a CSV or Excel file into a table (validated, then committed in batches)."

    def add_arguments(self, parser):
        parser.add_argument(
            "table", nargs="?", help="One of: " + ", ".join(s.name for s in all_specs() if s.importable)
        )
        parser.add_argument("file", nargs="?")
        parser.add_argument("--region", help="Division code: rows outside it are rejected.")
        parser.add_argument("--user", help="Import as this user (their scope applies).")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report; write nothing.")
        parser.add_argument(
            "--strategy",
            choices=STRATEGIES,
            default="upsert",
            help="insert: new records only; update: existing records only; upsert: both (default).",
        )
        parser.add_argument(
            "--valid-only", action="store_true", help="Import the valid rows even if some are rejected."
        )
        parser.add_argument("--resume", metavar="BATCH", help="Continue the interrupted commit of this batch.")
        parser.add_argument("--issues", type=int, default=50, help="How many problems to print (default 50).")
        parser.add_argument("--language", default="zh-hans", help="Language of the report (zh-hans or en).")

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            return self._handle(options)

    def _echo(self, percent, message):
        now = time.monotonic()
        if now - getattr(self, "_last", 0) >= 2 or percent >= 100:
            self._last = now
            self.stderr.write(f"{percent:3d}% {message}")

    def _handle(self, options):
        from shegong.core.models import ImportJob
        from shegong.regions.models import Region

        if options["resume"]:
            job = ImportJob.objects.filter(batch_id=options["resume"]).first()
            if job is None:
                raise CommandError(f"No import with batch {options['resume']}.")
            job.echo = self._echo
            try:
                if job.status != ImportJob.Status.COMMITTING:
                    engine.resume(job)
                engine.commit(job)
            except engine.ImportRefused as exc:
                raise CommandError(str(exc)) from exc
            job.refresh_from_db()
            self._report(job, options)
            return
        if not options["table"] or not options["file"]:
            raise CommandError("Give the table and the file (or --resume BATCH).")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']}.")
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"No division {options['region']}.")
        elif user is None:
            raise CommandError("Give --region (the import is limited to it) or --user.")
        mode = ImportJob.Mode.VALID_ONLY if options["valid_only"] else ImportJob.Mode.ALL_OR_NOTHING
        started = time.perf_counter()
        try:
            job = engine.stage_file(
                user,
                options["table"],
                options["file"],
                original_name=options["file"],
                strategy=options["strategy"],
                mode=mode,
                region=region,
                language=options["language"],
            )
        except (engine.ImportRefused, LookupError) as exc:
            raise CommandError(str(exc)) from exc
        job.echo = self._echo
        engine.validate(job)
        job.refresh_from_db()
        if job.status != ImportJob.Status.VALIDATED or options["dry_run"]:
            if options["dry_run"] and job.status == ImportJob.Status.VALIDATED:
                engine.discard(job, actor=user)
                job.refresh_from_db()
            self._report(job, options, started)
            if options["dry_run"]:
                self.stdout.write("Dry run: nothing was written.")
            if job.status == ImportJob.Status.INVALID:
                sys.exit(2)
            return
        if not job.can_commit:
            self._report(job, options, started)
            engine.discard(job, actor=user)  # nothing will be written: the staged rows are dropped now
            if job.count_rejected and mode == ImportJob.Mode.ALL_OR_NOTHING:
                self.stderr.write(
                    "Nothing imported: rows are rejected (all or nothing). Use --valid-only to import the valid rows."
                )
                sys.exit(1)
            return
        engine.confirm(job, actor=user)
        job.echo = self._echo
        engine.commit(job)
        job.refresh_from_db()
        self._report(job, options, started)

    def _report(self, job, options, started=None):
        for line in engine.report_lines(job, options["issues"]):
            self.stdout.write(str(line))
        if started is not None:
            self.stdout.write(f"{time.perf_counter() - started:.1f} s")

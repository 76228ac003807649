from django.core.management.base import BaseCommand, CommandError

from shegong.core.workdays import DEFAULT_HOLIDAY_FILE, load_holidays, missing_years


class Command(BaseCommand):
    help = (
        "Load the public-holiday and make-up-workday calendar (safe to re-run). The file is the truth for "
        "every year it lists; with --year only that year is loaded. Operators can also upload it at /calendar/."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_HOLIDAY_FILE), help="CSV with date,is_workday,note")
        parser.add_argument("--year", type=int, help="load only this year's rows (refused if the file has none)")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, file, year, quiet, **options):
        try:
            report = load_holidays(file, year=year)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if not quiet:
            years = ", ".join(str(y) for y in report["years"])
            self.stdout.write(
                f"Source {file}: years {years}; created {report['created']}, updated {report['updated']}, "
                f"removed {report['removed']}"
            )
            missing = missing_years()
            if missing:
                self.stdout.write(
                    "No calendar yet for " + ", ".join(str(y) for y in missing) + ": deadlines count weekdays only."
                )

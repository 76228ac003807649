from django.core.management.base import BaseCommand, CommandError

from shegong.core.workdays import DEFAULT_HOLIDAY_FILE, load_holidays


class Command(BaseCommand):
    help = (
        "Load the public-holiday and make-up-workday calendar (safe to re-run). The file is the truth for "
        "every year it lists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_HOLIDAY_FILE), help="CSV with date,is_workday,note")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, file, quiet, **options):
        try:
            report = load_holidays(file)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if not quiet:
            years = ", ".join(str(y) for y in report["years"])
            self.stdout.write(
                f"Source {file}: years {years}; created {report['created']}, updated {report['updated']}, "
                f"removed {report['removed']}"
            )

from django.core.management.base import BaseCommand

from shegong.regions.services import DEFAULT_SOURCE, level_counts, load_divisions


class Command(BaseCommand):
    help = "Load or update the division tree from the official GB/T 2260 list (safe to re-run)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_SOURCE), help="division list, one 'CODE NAME' per line")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, file, quiet, **options):
        report = load_divisions(file)
        if quiet:
            return
        self.stdout.write(f"Source {file}")
        self.stdout.write(
            f"created {len(report.created)}, renamed {len(report.renamed)}, moved {len(report.moved)}, "
            f"deactivated {len(report.deactivated)}, reactivated {len(report.reactivated)}"
        )
        for code, old, new in report.renamed:
            self.stdout.write(f"  renamed {code}: {old} -> {new}")
        for code in report.deactivated:
            self.stdout.write(f"  inactive {code}")
        print_counts(self.stdout, report.source_counts)


def print_counts(out, source_counts=None):
    out.write(f"{'level':<12}{'source':>8}{'official':>10}{'administered':>14}{'grouping':>10}{'inactive':>10}")
    for label, row in level_counts().items():
        source = "" if source_counts is None else source_counts.get(label, "")
        out.write(
            f"{label:<12}{source!s:>8}{row['official']:>10}{row['administered']:>14}{row['grouping']:>10}{row['inactive']:>10}"
        )

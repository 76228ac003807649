from django.core.management.base import BaseCommand

from shegong.regions.models import Level
from shegong.regions.services import DEFAULT_SOURCE, official_level, read_source

from .load_regions import print_counts


class Command(BaseCommand):
    help = "Print division counts per level: in the source list and in the database."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULT_SOURCE))

    def handle(self, *args, file, **options):
        entries = read_source(file)
        counts = {level.label: sum(1 for c in entries if official_level(c) == level) for level in Level}
        self.stdout.write(f"Source {file}")
        print_counts(self.stdout, counts)
        self.stdout.write(
            "official = units of the source list that are active; administered = units managed here "
            "(excludes Hong Kong, Macao, Taiwan; includes 兵团 and grouping units); grouping = units "
            "shegong adds (national root, 兵团 and its divisions, 市辖区/省直辖县级行政区划 groups)."
        )

"""Export a table with the same engine as the list pages' exports.

    manage.py export workers --region 440106 --format xlsx -o workers.xlsx [--user th_admin]
                     [--filter name=value ...]

With --user the rows are those the user may see (and the export is audited under their name);
without, it is system work limited to --region (or the whole country).
"""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from shegong.core.audit import actions, record
from shegong.core.tabular.export import FORMATS, ExportContext, write_export
from shegong.core.tabular.spec import all_specs, get_spec


class Command(BaseCommand):
    help = "Export a table to CSV or Excel (streamed)."

    def add_arguments(self, parser):
        parser.add_argument("table", help="One of: " + ", ".join(s.name for s in all_specs()))
        parser.add_argument("--region", help="Only rows of this division's subtree.")
        parser.add_argument("--user", help="Export what this user may see.")
        parser.add_argument("--format", choices=FORMATS, default=None)
        parser.add_argument("-o", "--output", required=True)
        parser.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE")

    def handle(self, *args, table, region, user, format, output, filter, **options):
        from shegong.regions.models import Region

        try:
            spec = get_spec(table)
        except LookupError as exc:
            raise CommandError(f"Unknown table {table}.") from exc
        fmt = format or ("csv" if output.lower().endswith(".csv") else "xlsx")
        filters = dict(item.split("=", 1) for item in filter)
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user {user}.")
            queryset = spec.export_queryset(actor, filters)
        else:
            queryset = spec.model.objects.all()
            if spec.filterset_class is not None and filters:
                queryset = spec.filterset_class(filters, queryset=queryset).qs
        if region:
            division = Region.objects.filter(code=region).first()
            if division is None:
                raise CommandError(f"No division {region}.")
            queryset = queryset.filter(division.subtree_q(spec.region_field))
        context = ExportContext(actor)
        context.unmask = actor is None or context.unmask
        started = time.perf_counter()
        count = write_export(spec, spec.export_rows(queryset, context), fmt, output)
        seconds = time.perf_counter() - started
        record(
            actor,
            actions.EXPORT,
            None,
            changes={
                "table": spec.name,
                "filters": filters,
                "region": region or "",
                "rows": count,
                "format": fmt,
                "command": True,
            },
            region_code=region or getattr(actor, "region_id", "") or "",
        )
        self.stdout.write(
            f"{count} rows written to {output} in {seconds:.1f} s ({count / max(seconds, 1e-9):,.0f} rows/s)"
        )

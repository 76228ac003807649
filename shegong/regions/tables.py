"""The export table of the division list (行政区划): the list page's export runs through the engine.

Not importable: the division tree is loaded from the versioned data file (``load_regions``).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.tabular import columns as c
from shegong.core.tabular.spec import TableSpec, register

from .filters import RegionFilter
from .models import Level, Region


class RegionTable(TableSpec):
    def export_rows(self, queryset, context):
        levels = dict(Level.choices)
        yes, no = _("Yes"), _("No")
        rows = queryset.order_by("code").values_list(
            "code", "name", "full_name", "level", "parent_id", "gb_code", "active"
        )
        for code, name, full_name, level, parent, gb_code, active in rows.iterator(chunk_size=2000):
            yield [code, name, full_name, str(levels.get(level, level)), parent or "", gb_code, yes if active else no]


regions = register(
    RegionTable(
        name="regions",
        title=gettext_lazy("Divisions"),
        description=gettext_lazy("The administrative divisions (行政区划) of the division list, with its filters."),
        model=Region,
        order=900,
        key=("code",),
        importable=False,
        filterset_class=RegionFilter,
        region_field="code",
        export_kind="regions.export",
        columns=[
            c.IdentifierTextColumn("code", gettext_lazy("Code"), gettext_lazy("Code"), width=10),
            c.TextColumn("name", gettext_lazy("Name"), gettext_lazy("Name"), width=30),
            c.TextColumn("full_name", gettext_lazy("Full name"), gettext_lazy("Full name"), width=30),
            c.TextColumn("level", gettext_lazy("Level"), gettext_lazy("Level"), width=10),
            c.IdentifierTextColumn("parent", gettext_lazy("Parent code"), gettext_lazy("Parent code"), width=10),
            c.IdentifierTextColumn("gb_code", gettext_lazy("GB/T 2260 code"), gettext_lazy("GB/T 2260 code"), width=10),
            c.TextColumn("active", gettext_lazy("Active"), gettext_lazy("Active"), width=8),
        ],
    )
)

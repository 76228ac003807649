from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views import View

from shegong.core import capabilities
from shegong.core.keyset import Key, KeysetListView
from shegong.core.scoping import PUBLIC
from shegong.core.tabular.views import ListExportView

from .filters import RegionFilter
from .forms import RegionPickerWidget
from .models import Level, Region
from .services import level_counts

EXPORT_FORMATS = {"xlsx", "csv"}


def user_root(user):
    """The region a user's pickers start from: their own for officials, the whole country otherwise."""
    return user.region if getattr(user, "is_official", False) else None


class RegionListView(KeysetListView):
    capability = capabilities.signed_in
    model = Region
    template_name = "regions/region_list.html"
    context_object_name = "regions"
    filterset_class = RegionFilter
    keys = (Key("code"),)  # the primary key
    count = "always"  # some 45,000 units at most: a cheap count

    def prepare(self, queryset, sort):
        return queryset.select_related("parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["levels"] = Level.choices
        within = Region.objects.unscoped("division tree: public reference data").filter(code=self.within).first()
        counts = level_counts(within=within) if self.within else level_counts()
        context["managed_counts"] = [
            (level.label, counts[level.label]["administered"])
            for level in (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY)
            if counts[level.label]["administered"]
        ]
        context["within_picker"] = RegionPickerWidget(root=user_root(self.request.user)).render(
            "within", self.within, attrs={"id": "f-within"}
        )
        return context


class RegionExportView(ListExportView):
    """Start a background export of the filtered divisions (regions/tables.py)."""

    capability = capabilities.signed_in
    table = "regions"
    filterset_class = RegionFilter
    list_url = "regions:list"
    title = gettext_lazy("Export of divisions (%(format)s)")


class RegionPickerView(View):
    """Re-render the cascading picker after one of its selects changed (HTMX).

    Public: the division tree is reference data, and sign-up pages use the picker before login.
    A signed-in official's picker stays inside their own region.
    """

    capability = capabilities.public
    scope_policy = PUBLIC

    def get(self, request):
        name = request.GET.get("name", "region")[:50]
        widget_id = request.GET.get("id", f"id_{name}")[:60]
        try:
            changed = int(request.GET.get("changed", "2"))
            max_level = int(request.GET.get("max_level", Level.COUNTY))
        except ValueError:
            changed, max_level = 2, Level.COUNTY
        value = ""
        for index in range(changed + 1):
            value = request.GET.get(f"{name}_{index}", "") or value
        root = user_root(request.user) if request.user.is_authenticated else None
        if value and root is not None and not root.contains(value):
            value = ""
        widget = RegionPickerWidget(root=root, max_level=max_level)
        html = widget.render(name, value, attrs={"id": widget_id})
        return render(request, "regions/_raw.html", {"html": html})

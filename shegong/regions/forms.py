"""The cascading province → prefecture → county picker that every form asking for a region uses."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import ROOT_CODE, Level, Region


class RegionPickerWidget(forms.Widget):
    template_name = "regions/widgets/picker.html"
    levels = (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY)

    def __init__(self, attrs=None, *, root=None, max_level=Level.COUNTY):
        super().__init__(attrs)
        self.root = root
        self.max_level = max_level

    def value_from_datadict(self, data, files, name):
        chosen = ""
        for index in range(len(self.levels)):
            value = data.get(f"{name}_{index}", "")
            if value:
                chosen = value
        return chosen or data.get(name, "")

    use_fieldset = True

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}_{i}" in data for i in range(len(self.levels))) and name not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        selected = (
            Region.objects.unscoped("division tree: public reference data").filter(code=value).first()
            if value
            else None
        )
        chain = set(selected.ancestors()) | {selected.code} if selected is not None else set()
        root_level = self.root.level if self.root is not None else Level.NATIONAL
        parent_code = self.root.code if self.root is not None else ROOT_CODE
        selects = []
        if self.root is not None and self.root.level != Level.NATIONAL:
            selects.append({"fixed": self.root})
        for index, level in enumerate(self.levels):
            if level <= root_level or level > self.max_level:
                continue
            options = (
                list(
                    Region.objects.unscoped("division tree: public reference data")
                    .administered()
                    .filter(parent_id=parent_code)
                )
                if parent_code
                else []
            )
            current = next((o.code for o in options if o.code in chain), "")
            selects.append({"index": index, "label": Level(level).label, "options": options, "current": current})
            parent_code = current or None
        context["widget"]["selects"] = selects
        context["widget"]["max_level"] = int(self.max_level)
        return context


def fold_picker(querydict, name="within"):
    """Filter data with a region picker's selects (``within_0``, ``within_1``...) folded into ``within``."""
    data = querydict.copy()
    keys = [f"{name}_{index}" for index in range(len(RegionPickerWidget.levels))]
    if any(key in data for key in keys):
        data[name] = RegionPickerWidget().value_from_datadict(data, None, name)
        for key in keys:
            data.pop(key, None)
    if not data.get(name):
        data.pop(name, None)
    return data


class RegionField(forms.CharField):
    """A region within ``root``'s subtree (the user's own region by default)."""

    def __init__(self, *args, root=None, max_level=Level.COUNTY, **kwargs):
        self.root = root
        kwargs.setdefault("widget", RegionPickerWidget(root=root, max_level=max_level))
        super().__init__(*args, **kwargs)

    def set_root(self, root):
        self.root = root
        self.widget.root = root

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        region = (
            Region.objects.unscoped("division tree: public reference data")
            .filter(code=value, active=True, administered=True)
            .first()
        )
        if region is None:
            raise ValidationError(_("Choose a region from the list."), code="invalid_region")
        if self.root is not None and not self.root.contains(region.code):
            raise ValidationError(
                _("You can only choose a region within %(root)s."), params={"root": self.root}, code="outside_scope"
            )
        return region

from django import forms
from django.forms.renderers import TemplatesSetting


class ShegongFormRenderer(TemplatesSetting):
    """Bootstrap markup for every form: labelled fields, help text and errors tied to the input."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"


WIDGET_CLASSES = {
    forms.CheckboxInput: "form-check-input",
    forms.RadioSelect: "form-check-input",
    forms.CheckboxSelectMultiple: "form-check-input",
    forms.Select: "form-select",
    forms.SelectMultiple: "form-select",
    forms.FileInput: "form-control",
}


def style_widget(field, bound_errors=False):
    widget = field.widget
    css = next((c for t, c in WIDGET_CLASSES.items() if isinstance(widget, t)), "form-control")
    existing = widget.attrs.get("class", "")
    if css not in existing.split():
        widget.attrs["class"] = f"{existing} {css}".strip()


class StyledFormMixin:
    """Adds Bootstrap classes and aria-invalid to every widget of a form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            style_widget(field)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"

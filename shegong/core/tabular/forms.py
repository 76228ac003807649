from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import StyledFormMixin
from shegong.core.models import ImportJob

from .engine import max_upload_bytes
from .spec import STRATEGY_LABELS, importable_specs


class UploadForm(StyledFormMixin, forms.Form):
    table = forms.ChoiceField(label=_("Table"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file; start from the template to be sure of the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv,.txt"}),
    )
    strategy = forms.ChoiceField(
        label=_("Rows whose key is already in the registry"),
        choices=list(STRATEGY_LABELS.items()),
        initial="upsert",
        widget=forms.RadioSelect,
    )
    mode = forms.ChoiceField(
        label=_("Rows with errors"),
        choices=ImportJob.Mode.choices,
        initial=ImportJob.Mode.VALID_ONLY,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["table"].choices = [(spec.name, spec.title) for spec in importable_specs(user)]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(limit)d MB.") % {"limit": limit // (1024 * 1024)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class ConfirmForm(forms.Form):
    mode = forms.ChoiceField(choices=ImportJob.Mode.choices, required=False)

from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import StyledFormMixin
from shegong.regions.models import Level, Region

from . import rules as R
from .models import ActivityKind, Conversion, ReviewLevel, StudyForm

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the service checks type and size of each)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


# --- providers ---------------------------------------------------------------------------------------
class ProviderForm(StyledFormMixin, forms.Form):
    province = forms.ChoiceField(label=_("Filing province"))
    name = forms.CharField(label=_("Name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=40, required=False, help_text=_("Optional.")
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    publish = forms.BooleanField(
        label=_("Publish at once"), required=False, help_text=_("Published providers appear on the public list.")
    )

    def __init__(self, *args, user=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = (
            Region.objects.unscoped("division tree: public reference data").administered().filter(level=Level.PROVINCE)
        )
        if user is not None and user.region_id and user.region.level >= Level.PROVINCE:
            provinces = provinces.filter(code=user.region_id)
        self.fields["province"].choices = [(r.code, str(r)) for r in provinces.order_by("code")]
        if editing:
            del self.fields["province"]
            del self.fields["publish"]

    def clean_province(self):
        return Region.objects.unscoped("division tree: public reference data").get(code=self.cleaned_data["province"])


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ProviderAccountForm(StyledFormMixin, forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Account holder's name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


# --- activities --------------------------------------------------------------------------------------
class ActivityForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput(), input_formats=[DATETIME_FORMAT])
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput(), input_formats=[DATETIME_FORMAT])
    hours = forms.DecimalField(label=_("Hours offered"), min_value=0.1, max_value=999.9, decimal_places=1)
    capacity = forms.IntegerField(
        label=_("Capacity"), min_value=1, required=False, help_text=_("Leave empty for no limit.")
    )
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    link = forms.URLField(
        label=_("Link"), required=False, assume_scheme="https", help_text=_("For online courses and live streams.")
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SignInForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Sign-in code"),
        max_length=12,
        help_text=_("The code the provider shows during the activity."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Attendance sheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        help_text=_("Columns: 身份证号 or 管理号, 学时, and optionally 姓名."),
    )


# --- declarations ------------------------------------------------------------------------------------
class DeclarationForm(StyledFormMixin, forms.Form):
    form = forms.ChoiceField(label=_("Form of study"))
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("The course, paper, project or activity."))
    organizer = forms.CharField(
        label=_("Organizer or publisher"),
        max_length=200,
        required=False,
        help_text=_("Who ran, published or awarded it."),
    )
    occurred_on = forms.DateField(
        label=_("Date"),
        widget=DateInput(),
        help_text=_("The day it ended (the degree's award date, the paper's publication date)."),
    )
    hours_claimed = forms.DecimalField(
        label=_("Hours claimed"),
        min_value=0.1,
        max_value=999.9,
        decimal_places=1,
        required=False,
        help_text=_("Forms counted at fixed hours (a degree, a paper) may leave this empty."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 MB each: certificate of completion, diploma, paper, contract..."),
    )

    def __init__(self, *args, policy=None, evidence=(), **kwargs):
        super().__init__(*args, **kwargs)
        forms_accepted = policy.accepted_forms() if policy is not None else list(R.DEFAULT_RULES)
        self.fields["form"].choices = [("", "---------")] + [
            (value, label) for value, label in StudyForm.choices if value in forms_accepted
        ]
        if evidence:
            self.fields["remove"] = forms.MultipleChoiceField(
                label=_("Remove files"),
                required=False,
                choices=[(str(item.pk), item.name) for item in evidence],
                widget=forms.CheckboxSelectMultiple,
            )


# --- province rules ----------------------------------------------------------------------------------
class PolicyForm(StyledFormMixin, forms.Form):
    required_assistant = forms.DecimalField(
        label=_("Hours per period: assistant social worker"), min_value=0, max_value=999.9, decimal_places=1
    )
    required_intermediate = forms.DecimalField(
        label=_("Hours per period: social worker"), min_value=0, max_value=999.9, decimal_places=1
    )
    required_senior = forms.DecimalField(
        label=_("Hours per period: senior social worker"), min_value=0, max_value=999.9, decimal_places=1
    )
    annual_required = forms.DecimalField(
        label=_("Hours expected per calendar year"),
        min_value=0,
        max_value=999.9,
        decimal_places=1,
        required=False,
        help_text=_("Optional; shown beside the yearly totals only."),
    )
    review_level = forms.TypedChoiceField(label=_("Declarations reviewed at"), choices=ReviewLevel.choices, coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_rows = []
        for value, label in StudyForm.choices:
            prefix = f"rule_{value}"
            fields = {
                "accepted": forms.BooleanField(label=_("Recognised"), required=False),
                "conversion": forms.ChoiceField(label=_("Conversion"), choices=Conversion.choices),
                "value": forms.DecimalField(
                    label=_("Hours or rate"), required=False, min_value=0, max_value=999.9, decimal_places=2
                ),
                "record_cap": forms.DecimalField(
                    label=_("Cap per item"), required=False, min_value=0, max_value=999.9, decimal_places=1
                ),
                "period_cap": forms.DecimalField(
                    label=_("Cap per period"), required=False, min_value=0, max_value=9999.9, decimal_places=1
                ),
                "once": forms.BooleanField(label=_("Once only"), required=False),
            }
            for name, field in fields.items():
                field.widget.attrs["aria-label"] = f"{label}: {field.label}"
                self.fields[f"{prefix}_{name}"] = field
            from shegong.core.forms import style_widget

            for name in fields:
                style_widget(self.fields[f"{prefix}_{name}"])
            self.form_rows.append({"form": value, "label": label, "prefix": prefix})

    def bound_rows(self):
        for row in self.form_rows:
            yield {
                **row,
                "fields": [
                    self[f"{row['prefix']}_{name}"]
                    for name in ("accepted", "conversion", "value", "record_cap", "period_cap", "once")
                ],
            }

    def clean(self):
        data = super().clean()
        for row in self.form_rows:
            prefix = row["prefix"]
            conversion = data.get(f"{prefix}_conversion")
            if conversion in (Conversion.FIXED, Conversion.RATE) and data.get(f"{prefix}_value") in (None, ""):
                self.add_error(f"{prefix}_value", _("Give the hours (fixed) or the rate."))
        return data

    def rules(self):
        """{form: Rule} from the cleaned data."""
        data = self.cleaned_data
        out = {}
        for row in self.form_rows:
            prefix = row["prefix"]
            out[row["form"]] = R.Rule(
                form=row["form"],
                accepted=bool(data.get(f"{prefix}_accepted")),
                conversion=data.get(f"{prefix}_conversion") or Conversion.ACTUAL,
                value=data.get(f"{prefix}_value"),
                record_cap=data.get(f"{prefix}_record_cap"),
                period_cap=data.get(f"{prefix}_period_cap"),
                once=bool(data.get(f"{prefix}_once")),
            )
        return out

    @classmethod
    def initial_from(cls, policy):
        initial = {
            "required_assistant": policy.required_for("assistant"),
            "required_intermediate": policy.required_for("intermediate"),
            "required_senior": policy.required_for("senior"),
            "annual_required": policy.annual_required,
            "review_level": policy.review_level,
        }
        for value, _label in StudyForm.choices:
            rule = policy.rule(value)
            prefix = f"rule_{value}"
            initial.update(
                {
                    f"{prefix}_accepted": rule.accepted,
                    f"{prefix}_conversion": rule.conversion,
                    f"{prefix}_value": rule.value,
                    f"{prefix}_record_cap": rule.record_cap,
                    f"{prefix}_period_cap": rule.period_cap,
                    f"{prefix}_once": rule.once,
                }
            )
        return initial

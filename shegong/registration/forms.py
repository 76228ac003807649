from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shegong.core.forms import StyledFormMixin
from shegong.workers.forms import EmployerOrganizationField
from shegong.workers.models import EmployerType

from .models import RegistrationKind, RequestPlace

DECLARATION = _(
    "I promise that the information I give is true and complete, and I accept the consequences of false "
    "information, in keeping with the Professional Ethics Guidelines for Social Workers."
)


class CertificateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_level_display()} · {obj.management_no} · {obj.exam_year}"


class RequestFieldsMixin(StyledFormMixin):
    """The fields of an application the applicant fills in (by kind)."""

    def add_kind_fields(self, kind, person):
        self.kind = kind
        self.fields["place"] = forms.ChoiceField(
            label=_("File the application with the civil affairs bureau of"),
            choices=[
                (RequestPlace.WORK, _("the county where I work (%(region)s)") % {"region": person.region}),
                (
                    RequestPlace.HOUSEHOLD,
                    _("the county of my household registration (%(region)s)")
                    % {"region": person.household_region or "—"},
                ),
            ],
            initial=RequestPlace.WORK,
        )
        if kind == RegistrationKind.CHANGE:
            self.fields["name"] = forms.CharField(
                label=_("New name"), max_length=100, required=False, help_text=_("Only if your name changed.")
            )
            self.fields["employer_type"] = forms.ChoiceField(
                label=_("New employer type"), required=False, choices=[("", "—"), *EmployerType.choices]
            )
            self.fields["employer_organization"] = EmployerOrganizationField(
                label=_("New employer (social work service organization)"), required=False
            )
            self.fields["employer_name"] = forms.CharField(label=_("New employer name"), max_length=200, required=False)
        if kind == RegistrationKind.CANCELLATION:
            self.fields["reason"] = forms.CharField(
                label=_("Why the registration is to be cancelled"), max_length=1000, widget=forms.Textarea({"rows": 3})
            )
        self.fields["declaration"] = forms.BooleanField(label=DECLARATION, required=True)
        for field in self.fields.values():
            from shegong.core.forms import style_widget

            style_widget(field)

    def change_values(self):
        data = self.cleaned_data
        if self.kind != RegistrationKind.CHANGE:
            return None
        changes = {}
        if data.get("name"):
            changes["name"] = data["name"]
        if data.get("employer_type"):
            changes["employer_type"] = data["employer_type"]
            organization = data.get("employer_organization")
            changes["employer_organization"] = organization.pk if organization else None
            changes["employer_name"] = data.get("employer_name", "")
        return changes


class ApplyForm(RequestFieldsMixin, forms.Form):
    def __init__(self, *args, kind, person, certificates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certificate"] = CertificateChoiceField(
            label=_("Certificate"), queryset=certificates, empty_label=None
        )
        self.add_kind_fields(kind, person)


class RequestEditForm(RequestFieldsMixin, forms.Form):
    def __init__(self, *args, kind, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_kind_fields(kind, person)


class RevokeForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for the revocation"),
        max_length=1000,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("The holder reads this reason."),
    )


class PublicCheckForm(StyledFormMixin, forms.Form):
    number = forms.CharField(
        label=_("Registration number or certificate management number"),
        max_length=40,
        widget=forms.TextInput({"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(
        label=pgettext_lazy("person", "Name"), max_length=100, help_text=_("The holder's full name.")
    )

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shegong.core.forms import StyledFormMixin
from shegong.core.identifiers import IdentifierError, validate_id_number
from shegong.regions.forms import RegionField, RegionPickerWidget
from shegong.regions.models import Level
from shegong.workers.queries import normalise_name, normalise_phone
from shegong.workers.services import WORKER_ROLE


class CaptchaWidget(CaptchaTextInput):
    template_name = "workers/widgets/captcha.html"


class SignupForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("person", "Name"),
        max_length=100,
        help_text=_("As on your ID card."),
        widget=forms.TextInput({"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=40,
        help_text=_("18 characters; also residence permits of Hong Kong, Macao and Taiwan residents."),
        widget=forms.TextInput({"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=20,
        help_text=_("You will sign in with this number."),
        widget=forms.TextInput({"autocomplete": "tel", "inputmode": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput({"autocomplete": "new-password"})
    )
    region = RegionField(
        label=_("County (district) where you work"),
        widget=RegionPickerWidget(max_level=Level.COUNTY),
        help_text=_(
            "If we cannot match your certificate record, that county's civil affairs bureau checks and confirms "
            "your sign-up."
        ),
    )
    captcha = CaptchaField(
        label=_("Verification code"), widget=CaptchaWidget(attrs={"aria-label": _("Verification code")})
    )

    def clean_name(self):
        return normalise_name(self.cleaned_data["name"])

    def clean_id_number(self):
        try:
            return validate_id_number(self.cleaned_data["id_number"]).number
        except IdentifierError as exc:
            raise ValidationError(exc.messages, code=exc.code) from exc

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])

    def clean_region(self):
        region = self.cleaned_data.get("region")
        if region is not None and region.level != Level.COUNTY:
            raise ValidationError(_("Choose down to the county (district)."))
        return region

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            candidate = get_user_model()(
                username=cleaned.get("phone", ""), full_name=cleaned.get("name", ""), role=WORKER_ROLE
            )
            try:
                validate_password(password1, user=candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ConfirmSignupForm(StyledFormMixin, forms.Form):
    region = RegionField(
        label=_("Work region of the social worker"),
        help_text=_("The county-level unit the record will belong to."),
    )

    def __init__(self, *args, root=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.root = root
        self.fields["region"].set_root(root)
        if root is not None and root.level == Level.COUNTY:
            # A county official's picker has nothing to choose: the county itself is meant.
            self.fields["region"].required = False

    def clean_region(self):
        region = self.cleaned_data["region"]
        if region is None and self.root is not None and self.root.level == Level.COUNTY:
            region = self.root
        if region is None or region.level != Level.COUNTY:
            raise ValidationError(_("Choose down to the county (district)."))
        return region


class RejectSignupForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("The applicant reads this reason."),
    )


# --- the personal information table and the officials' forms -----------------------------------------------


class EmployerOrganizationField(forms.CharField):
    """The employing social work service organization, entered by its unified social credit code.

    The organizations of the system are not listed to the worker (they are outside a worker's scope);
    the worker types the employer's 18-character credit code and the approved service organization
    with that code is found. Cleans to the Organization, or None when empty.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "help_text",
            _("For a social work service organization: its unified social credit code (18 characters)."),
        )
        kwargs.setdefault("widget", forms.TextInput({"autocomplete": "off", "spellcheck": "false"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        credit_code = getattr(value, "credit_code", None)
        if credit_code is None and isinstance(value, int):
            from shegong.organizations.models import Organization

            credit_code = (
                Organization.objects.unscoped("organization picker: the chosen organization's credit code")
                .filter(pk=value)
                .values_list("credit_code", flat=True)
                .first()
            )
        return credit_code if credit_code is not None else value

    def clean(self, value):
        from shegong.core.identifiers import normalise
        from shegong.organizations.models import Organization, OrganizationKind, OrganizationStatus

        value = normalise(super().clean(value))
        if not value:
            return None
        organization = (
            Organization.objects.unscoped("organization picker: an approved organization by its public credit code")
            .filter(credit_code=value, kind=OrganizationKind.SERVICE, status=OrganizationStatus.ACTIVE)
            .first()
        )
        if organization is None:
            raise ValidationError(
                _("No approved social work service organization in the system has this credit code."),
                code="unknown_organization",
            )
        return organization


class ProfileForm(StyledFormMixin, forms.Form):
    """个人信息表: what a social worker keeps up to date themselves (every field is needed to apply)."""

    phone = forms.CharField(label=_("Mobile phone number"), max_length=20)
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(label=pgettext_lazy("postal", "Address"), max_length=200, required=False)
    education = forms.ChoiceField(label=_("Education"))
    major = forms.CharField(label=_("Major"), max_length=100, required=False)
    employer_type = forms.ChoiceField(label=_("Employer type"))
    employer_organization = EmployerOrganizationField(
        label=_("Employer (social work service organization)"), required=False
    )
    employer_name = forms.CharField(
        label=_("Employer name"),
        max_length=200,
        required=False,
        help_text=_("For every other employer type: type the employer's name."),
    )
    household_region = RegionField(label=_("Household registration (户籍) county"))
    region = RegionField(label=_("County (district) where you work"))
    photo = forms.FileField(
        label=_("ID photo"),
        required=False,
        help_text=_("A 1-inch or 2-inch ID photo, JPEG or PNG, at most 500 KB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, person=None, **kwargs):
        from .models import Education, EmployerType

        super().__init__(*args, **kwargs)
        self.fields["education"].choices = [("", "—"), *Education.choices]
        self.fields["employer_type"].choices = [("", "—"), *EmployerType.choices]
        for name in ("household_region", "region"):
            self.fields[name].set_root(None)

    def clean(self):
        cleaned = super().clean()
        from shegong.workers.queries import is_base_unit

        for name in ("household_region", "region"):
            region = cleaned.get(name)
            if region is not None and not is_base_unit(region):
                self.add_error(name, _("Choose down to the county (district)."))
        return cleaned


class CertificateCorrectionForm(StyledFormMixin, forms.Form):
    """An official corrects a certificate's level and date of issue; the reason is recorded."""

    level = forms.ChoiceField(label=_("Level"))
    issued_on = forms.DateField(
        label=_("Certificate issued on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The first-registration time limit counts from this date (or from 31 December of the exam year)."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("What you checked the certificate against, and why you corrected it."),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from shegong.workers.models import CertificateLevel

        self.fields["level"].choices = CertificateLevel.choices


class TransferRequestForm(StyledFormMixin, forms.Form):
    """The receiving side asks for a person registered elsewhere: ID number and name, and the county they move to."""

    id_number = forms.CharField(
        label=_("ID number"), max_length=40, widget=forms.TextInput({"autocomplete": "off", "spellcheck": "false"})
    )
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=100)
    to_region = RegionField(label=_("Moves to (county)"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("For example the new employer in your region."),
    )

    def __init__(self, *args, root=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_region"].set_root(root)

    def clean_id_number(self):
        try:
            return validate_id_number(self.cleaned_data["id_number"]).number
        except IdentifierError as exc:
            raise ValidationError(exc.messages, code=exc.code) from exc


class CheckForm(StyledFormMixin, forms.Form):
    """核对: confirm a holder record, optionally correcting it first; the reason is always recorded."""

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=100)
    id_number = forms.CharField(
        label=_("Corrected ID number"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to keep the ID number."),
        widget=forms.TextInput({"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(label=_("Mobile phone number"), max_length=20, required=False)
    region = RegionField(label=_("Work region"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("What you checked the record against, and why you corrected it."),
    )

    def __init__(self, *args, root=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].set_root(root)

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        if not value:
            return ""
        try:
            return validate_id_number(value).number
        except IdentifierError as exc:
            raise ValidationError(exc.messages, code=exc.code) from exc

    def clean_region(self):
        from shegong.workers.queries import is_base_unit

        region = self.cleaned_data["region"]
        if not is_base_unit(region):
            raise ValidationError(_("Choose down to the county (district)."))
        return region


class FeedbackForm(StyledFormMixin, forms.Form):
    level = forms.ChoiceField(label=_("Certificate level"))
    management_no = forms.CharField(
        label=_("Management number"), max_length=40, help_text=_("As printed on your certificate (管理号).")
    )
    exam_year = forms.IntegerField(label=_("Exam year"), min_value=2008)
    message = forms.CharField(label=_("Message"), required=False, max_length=2000, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args, **kwargs):
        from .models import CertificateLevel

        super().__init__(*args, **kwargs)
        self.fields["level"].choices = CertificateLevel.choices


class FeedbackDecisionForm(StyledFormMixin, forms.Form):
    issued_on = forms.DateField(
        label=_("Certificate issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Required when rejecting: the holder reads it."),
    )

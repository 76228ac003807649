from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shegong.accounts.forms.security import captcha_field
from shegong.accounts.models import User
from shegong.core.forms import StyledFormMixin
from shegong.core.identifiers import EXPECTED_PREFIXES, validate_credit_code
from shegong.regions.forms import RegionField, RegionPickerWidget
from shegong.regions.models import Level

from .models import Organization, OrganizationKind, OrganizationStatus


def division_warning(credit, region):
    """A warning when the code's registering authority (characters 3-8) is not the region or above it."""
    division = credit.division_code
    if not division.isdigit() or region is None:
        return ""
    chain = set(region.ancestors()) | {region.code}
    if division in chain:
        return ""
    return str(
        _(
            "Characters 3-8 of the code (%(division)s) name a registering authority that is not %(region)s "
            "or a unit above it."
        )
        % {"division": division, "region": region}
    )


class OrganizationFieldsForm(StyledFormMixin, forms.Form):
    """The organization's own fields, shared by the sign-up and the correction of a returned sign-up."""

    kind = forms.ChoiceField(label=_("Kind"), choices=OrganizationKind.choices)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        help_text=_("18 characters, as on the registration certificate."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    confirm_credit_code = forms.BooleanField(
        label=_("I have checked the code against the registration certificate: register it despite the warning."),
        required=False,
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    region = RegionField(
        label=_("Region (county)"),
        help_text=_("The county-level division whose civil affairs bureau registered the organization."),
        widget=RegionPickerWidget(max_level=Level.COUNTY),
    )
    address = forms.CharField(label=pgettext_lazy("postal", "Address"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)
        self.credit = None
        self.needs_confirmation = False
        self.warnings = []
        # The confirmation box appears only once the code has failed its check.
        self.fields["confirm_credit_code"].widget = forms.HiddenInput()

    def full_clean(self):
        super().full_clean()
        if self.needs_confirmation or (self.credit is not None and not self.credit.valid_check):
            self.fields["confirm_credit_code"].widget = forms.CheckboxInput(attrs={"class": "form-check-input"})

    def clean_region(self):
        region = self.cleaned_data.get("region")
        if (
            region is not None
            and region.level < Level.COUNTY
            and region.children.unscoped("division tree: public reference data").filter(active=True).exists()
        ):
            raise ValidationError(_("Choose the county-level division."), code="not_county")
        return region

    def clean(self):
        cleaned = super().clean()
        raw = cleaned.get("credit_code")
        kind = cleaned.get("kind")
        if not raw:
            return cleaned
        try:
            credit = validate_credit_code(raw, expected_kind=kind if kind in EXPECTED_PREFIXES else None)
        except ValidationError as exc:
            self.add_error("credit_code", exc)
            return cleaned
        self.credit = credit
        cleaned["credit_code"] = credit.code
        existing = Organization.objects.unscoped("duplicate check: credit codes are unique nationwide").filter(
            credit_code=credit.code
        )
        if self.instance is not None:
            existing = existing.exclude(pk=self.instance.pk)
        other = existing.first()
        if other is not None:
            self.add_error(
                "credit_code",
                ValidationError(
                    _(
                        "An organization with this credit code is already registered (status: %(status)s). "
                        "Contact the civil affairs bureau of %(region)s if this is a mistake."
                    ),
                    params={"status": OrganizationStatus(other.status).label, "region": other.region},
                    code="duplicate",
                ),
            )
            return cleaned
        self.warnings = [str(w) for w in credit.warnings]
        extra = division_warning(credit, cleaned.get("region"))
        if extra:
            self.warnings.append(extra)
        if not credit.valid_check and not cleaned.get("confirm_credit_code"):
            self.needs_confirmation = True
            self.add_error(
                "credit_code",
                ValidationError(
                    _(
                        "This code fails the check-character test. If it is exactly as on the registration "
                        "certificate (some early codes are like this), tick the confirmation box below and "
                        "submit again; the reviewer will see this warning."
                    ),
                    code="check_failed",
                ),
            )
        return cleaned

    @property
    def warning_text(self):
        return "\n".join(self.warnings)


class SignupForm(OrganizationFieldsForm):
    username = forms.CharField(
        label=_("User name of the administrator account"),
        max_length=150,
        help_text=_("Letters, digits and @/./+/-/_ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    captcha = captcha_field()

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        User.username_validator(username)
        if (
            User.objects.unscoped("sign-up: user names are unique nationwide")
            .filter(username__iexact=username)
            .exists()
        ):
            raise ValidationError(_("This user name is taken; choose another."), code="username_taken")
        return username

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", ValidationError(_("The two passwords differ."), code="password_mismatch"))
        elif password1:
            probe = User(
                username=cleaned.get("username", ""),
                full_name=cleaned.get("contact_name", ""),
                phone=cleaned.get("contact_phone", ""),
            )
            try:
                validate_password(password1, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned

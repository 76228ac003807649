"""Forms of the account administration pages. The rules themselves live in ``permissions``."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shegong.accounts import permissions
from shegong.accounts.roles import Role
from shegong.accounts.services import users
from shegong.core.forms import StyledFormMixin
from shegong.regions.forms import RegionField
from shegong.regions.models import Level


def _role_choices(roles):
    return [(role.value, role.label) for role in roles]


class UserCreateForm(StyledFormMixin, forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("3 to 150 letters, digits and . @ _ -; used to sign in."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    full_name = forms.CharField(label=_("Name"), max_length=100)
    role = forms.ChoiceField(label=_("Role"))
    region = RegionField(label=_("Region the account serves"))
    phone = forms.CharField(
        label=_("Telephone"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["role"].choices = [("", "—")] + _role_choices(permissions.grantable_roles(actor))
        root = permissions.management_root(actor)
        if actor is not None and actor.role == Role.SECURITY:
            root = actor.region  # the security and audit administrators of the levels below
        self.fields["region"].set_root(root)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        users.validate_username(username)
        return username

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        users.validate_phone(phone)
        return phone

    def clean(self):
        cleaned = super().clean()
        role, region = cleaned.get("role"), cleaned.get("region")
        if role and region is not None:
            refusal = permissions.refusal_to_grant(self.actor, role, region)
            if refusal:
                raise ValidationError(refusal)
        return cleaned


class ChangeRoleForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("New role"))

    def __init__(self, *args, actor, target, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.target = actor, target
        self.fields["role"].choices = _role_choices(
            [
                role
                for role in permissions.grantable_roles(actor)
                if role != target.role and permissions.refusal_to_change_role(actor, target, role) is None
            ]
        )

    def clean_role(self):
        role = self.cleaned_data["role"]
        refusal = permissions.refusal_to_change_role(self.actor, self.target, role)
        if refusal:
            raise ValidationError(refusal)
        return role


class ChangeRegionForm(StyledFormMixin, forms.Form):
    region = RegionField(label=_("New region"))

    def __init__(self, *args, actor, target, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.target = actor, target
        root = permissions.management_root(actor)
        if actor is not None and actor.role == Role.SECURITY:
            root = actor.region
        self.fields["region"].set_root(root)

    def clean_region(self):
        region = self.cleaned_data["region"]
        refusal = permissions.refusal_to(self.actor, permissions.CHANGE_REGION, self.target, region=region)
        if refusal:
            raise ValidationError(refusal)
        return region


ISSUE_LEVEL_CHOICES = [
    (Level.PROVINCE.value, Level.PROVINCE.label),
    (Level.PREFECTURE.value, Level.PREFECTURE.label),
    (Level.COUNTY.value, Level.COUNTY.label),
]


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes whose Bootstrap class goes on each box, not on the list around them."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("class", None)
        return context


class IssueAccountsForm(StyledFormMixin, forms.Form):
    within = RegionField(
        label=_("Issue within"),
        required=False,
        max_level=Level.PROVINCE,
        help_text=_("Leave empty for your whole region."),
    )
    levels = forms.TypedMultipleChoiceField(
        label=_("Levels"), choices=ISSUE_LEVEL_CHOICES, coerce=int, widget=CheckboxList
    )
    role = forms.ChoiceField(label=_("Role of the issued accounts"), initial=Role.ADMIN)
    confirm = forms.BooleanField(
        label=_(
            "I understand that the result file holds initial passwords, that it expires, and that I must hand "
            "each password over securely."
        )
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        root = permissions.management_root(actor)
        if root is not None and root.level >= Level.PROVINCE:
            del self.fields["within"]  # a province issues within itself: nothing to choose
        else:
            self.fields["within"].set_root(root)
        self.fields["levels"].choices = [
            (v, label) for v, label in ISSUE_LEVEL_CHOICES if root is None or v > root.level
        ]
        self.fields["levels"].initial = [v for v, _label in self.fields["levels"].choices]
        grantable = permissions.grantable_roles(actor)
        self.fields["role"].choices = _role_choices([role for role in users.ISSUE_ROLES if role in grantable])

    def root(self):
        return self.cleaned_data.get("within") or permissions.management_root(self.actor)

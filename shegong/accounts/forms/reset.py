from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shegong.accounts.forms.security import captcha_field
from shegong.core.forms import StyledFormMixin


class ResetRequestForm(StyledFormMixin, forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("Social workers: the mobile phone number you sign in with."),
        widget=forms.TextInput({"autocomplete": "username", "autofocus": True}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["captcha"] = captcha_field()


class ResetCompleteForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("One-time code"),
        max_length=12,
        help_text=_("The six digits we sent to your phone or e-mail."),
        widget=forms.TextInput({"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput({"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password2") and data["new_password1"] != data["new_password2"]:
            self.add_error("new_password2", ValidationError(_("The two passwords do not match.")))
        return data

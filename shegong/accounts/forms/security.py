from captcha.fields import CaptchaField
from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.accounts import security
from shegong.accounts.forms.auth import LoginForm
from shegong.core.forms import StyledFormMixin


def captcha_field():
    field = CaptchaField(
        label=_("Characters in the picture"),
        help_text=_("Type the characters shown in the picture (not case-sensitive)."),
        error_messages={
            "invalid": _("The characters do not match the picture. Try the new picture."),
            "required": _("Type the characters shown in the picture."),
            "incomplete": _("Type the characters shown in the picture."),
        },
    )
    field.widget.template_name = "accounts/captcha_widget.html"
    answer = field.widget.widgets[1]
    answer.attrs.update({"aria-label": _("Characters in the picture"), "class": "form-control w-auto"})
    return field


class SecureLoginForm(LoginForm):
    """The sign-in form, with a CAPTCHA once the user name or the address has a recent failure.

    The password is checked only when the CAPTCHA is answered, so that guesses without it are
    neither tried nor counted.
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.data.get("username", "") if self.is_bound else ""
        if security.captcha_required(request, username):
            self.add_captcha()

    @property
    def has_captcha(self):
        return "captcha" in self.fields

    def add_captcha(self):
        if not self.has_captcha:
            self.fields["captcha"] = captcha_field()

    def clean(self):
        if self.has_captcha and "captcha" in self._errors:
            return self.cleaned_data
        return super().clean()


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "autocomplete": "one-time-code",
                    "autocapitalize": "off",
                    "spellcheck": "false",
                    "autofocus": True,
                }
            ),
        )
        super().__init__(**kwargs)


class SecondFactorForm(StyledFormMixin, forms.Form):
    code = CodeField(
        label=_("Authentication code"),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )


class TotpConfirmForm(StyledFormMixin, forms.Form):
    code = CodeField(
        label=_("Code from the app"),
        help_text=_("After adding the account in the app, type the 6-digit code it shows."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "autofocus": True}
        ),
    )

    def clean_code(self):
        code = security.normalise_code(self.cleaned_data["code"])
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError(_("Enter the 6 digits shown in the app."))
        return code


class UnlockForm(forms.Form):
    kind = forms.ChoiceField(choices=[("username", "username"), ("ip_address", "ip_address")])
    value = forms.CharField(max_length=255)


class AccountSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("User name or name"), required=False, max_length=150)

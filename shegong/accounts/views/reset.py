"""Forgotten password: ask for a one-time code, then set a new password with it (services.reset does the work)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from shegong.accounts.forms.reset import ResetCompleteForm, ResetRequestForm
from shegong.accounts.security import client_ip
from shegong.accounts.services import reset as services
from shegong.core import capabilities
from shegong.core.scoping import PublicViewMixin

SESSION_KEY = "accounts:password-reset"


def _add_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class _SignedOutOnly:
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            messages.info(request, _("You are signed in already: change your password here."))
            return redirect("accounts:password-change")
        return super().dispatch(request, *args, **kwargs)


class PasswordResetRequestView(_SignedOutOnly, PublicViewMixin, FormView):
    """忘记密码: the same answer for every user name (sent, or ask the security administrator)."""

    capability = capabilities.public
    template_name = "accounts/password_reset_request.html"
    form_class = ResetRequestForm

    def form_valid(self, form):
        username = form.cleaned_data["username"].strip()
        try:
            services.request_reset(username, address=client_ip(self.request))
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)
        self.request.session[SESSION_KEY] = username
        return redirect("accounts:password-reset-code")


class PasswordResetCompleteView(_SignedOutOnly, PublicViewMixin, FormView):
    capability = capabilities.public
    template_name = "accounts/password_reset_code.html"
    form_class = ResetCompleteForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated and not request.session.get(SESSION_KEY):
            return redirect("accounts:password-reset")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.complete_reset(
                self.request.session[SESSION_KEY], data["code"], data["new_password1"], address=client_ip(self.request)
            )
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)
        self.request.session.pop(SESSION_KEY, None)
        messages.success(self.request, _("Your password has been reset. Sign in with the new password."))
        return redirect("login")

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from shegong.accounts import security
from shegong.accounts.forms.auth import ActivationForm, ChangePasswordForm
from shegong.accounts.services import activation
from shegong.accounts.services import password as services
from shegong.accounts.views.security import SecureLoginMixin
from shegong.core import capabilities
from shegong.core.scoping import PUBLIC, OwnViewMixin

# Session flag: the password change page says why it is asked (the rules for officials became stricter).
PASSWORD_BELOW_RULE_KEY = "password_below_rule"


class LoginView(SecureLoginMixin, auth_views.LoginView):
    """Sign-in: lockout (django-axes), CAPTCHA after a failure; the second factor follows (middleware)."""

    capability = capabilities.public
    scope_policy = PUBLIC
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if services.require_change_if_below_rule(form.get_user(), form.cleaned_data.get("password") or ""):
            self.request.session[PASSWORD_BELOW_RULE_KEY] = True
        return response


class LogoutView(auth_views.LogoutView):
    # Signing out needs no signed-in session (an expired one just goes on to the login page), and shows no data.
    capability = capabilities.public
    scope_policy = PUBLIC


class PasswordChangeView(OwnViewMixin, FormView):
    capability = capabilities.signed_in
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["password_expired"] = not user.must_change_password and security.password_expired(user)
        context["password_below_rule"] = bool(self.request.session.get(PASSWORD_BELOW_RULE_KEY))
        return context

    def form_valid(self, form):
        services.change_own_password(self.request.user, form.cleaned_data["new_password1"])
        self.request.session.pop(PASSWORD_BELOW_RULE_KEY, None)
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect("home")


class ProfileView(OwnViewMixin, TemplateView):
    capability = capabilities.signed_in
    template_name = "accounts/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["sign_ins"] = security.recent_sign_ins(user)
        context["two_factor_enrolled"] = security.has_totp(user)
        context["two_factor_required"] = security.two_factor_required(user)
        return context


class ActivateView(FormView):
    """A security or audit administrator's first sign-in: the activation code and their own password; then,
    signed in, they set up their own authenticator app (TwoFactorEnrolmentMiddleware) before anything else.

    Only for a signed-out browser: the issuer, signed in, cannot spend the code in their own session."""

    capability = capabilities.public
    scope_policy = PUBLIC
    template_name = "accounts/activate.html"
    form_class = ActivationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return self.render_to_response({"signed_in": True})
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = activation.activate(data["username"].strip(), data["code"], data["new_password1"])
        except ValidationError as exc:
            form.add_error("new_password1" if exc.code != "invalid_activation" else None, exc)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, _("Your account is active. Now set up your authenticator app."))
        return redirect("accounts:2fa-setup")

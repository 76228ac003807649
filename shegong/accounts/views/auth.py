from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from shegong.accounts import security
from shegong.accounts.forms.auth import ChangePasswordForm
from shegong.accounts.services import password as services
from shegong.accounts.views.security import SecureLoginMixin
from shegong.core import capabilities
from shegong.core.scoping import PUBLIC, OwnViewMixin


class LoginView(SecureLoginMixin, auth_views.LoginView):
    """Sign-in: lockout (django-axes), CAPTCHA after a failure; the second factor follows (middleware)."""

    capability = capabilities.public
    scope_policy = PUBLIC
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


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
        return context

    def form_valid(self, form):
        services.change_own_password(self.request.user, form.cleaned_data["new_password1"])
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

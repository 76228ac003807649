from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from shegong.core.scoping import OWN, PUBLIC, OwnViewMixin

from . import services
from .forms import ChangePasswordForm, LoginForm


class LoginView(auth_views.LoginView):
    scope_policy = PUBLIC
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    scope_policy = OWN


class PasswordChangeView(OwnViewMixin, FormView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        services.change_own_password(self.request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect("home")


class ProfileView(OwnViewMixin, TemplateView):
    template_name = "accounts/profile.html"

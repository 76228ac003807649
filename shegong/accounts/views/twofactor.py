"""Two-factor authentication pages for one's own account: set up, sign-in step, recovery codes."""

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from shegong.accounts import actions, security
from shegong.accounts.forms.security import SecondFactorForm, TotpConfirmForm
from shegong.accounts.services import security as security_services
from shegong.core import capabilities
from shegong.core.audit import record
from shegong.core.scoping import OwnViewMixin

FRESH_CODES_KEY = "2fa_fresh_recovery_codes"
NEXT_KEY = "2fa_next"


def safe_next(request, value=None):
    value = value if value is not None else request.POST.get("next") or request.GET.get("next", "")
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()}, require_https=request.is_secure()):
        return value
    return ""


class NoStoreMixin:
    """Pages with secrets (QR code, recovery codes) must not stay in a browser or proxy cache."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


class TwoFactorView(OwnViewMixin, TemplateView):
    """Status of one's own second factor, with what one may do about it."""

    capability = capabilities.signed_in
    template_name = "accounts/two_factor.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            enrolled=security.has_totp(user),
            required=security.two_factor_required(user),
            recovery_codes_left=security.remaining_recovery_codes(user),
        )
        return context


class TwoFactorSetupView(NoStoreMixin, OwnViewMixin, FormView):
    """Enrolment: scan the QR code (or type the key) into an authenticator app, confirm with a code."""

    capability = capabilities.signed_in
    template_name = "accounts/two_factor_setup.html"
    form_class = TotpConfirmForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and security.has_totp(request.user):
            messages.info(request, _("Two-factor authentication is already set up for your account."))
            return redirect("accounts:2fa")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        device = security_services.pending_totp_device(self.request.user)
        context.update(
            qr_code=security.qr_code_data_uri(device.config_url),
            secret=security.base32_secret(device),
            issuer=settings.OTP_TOTP_ISSUER,
            required=security.two_factor_required(self.request.user),
            next=safe_next(self.request),
        )
        return context

    def form_valid(self, form):
        user = self.request.user
        device = security_services.pending_totp_device(user)
        wait = security.throttle_wait(device)
        if wait:
            form.add_error(
                "code", _("Too many wrong codes. Wait %(seconds)d seconds and try again.") % {"seconds": wait}
            )
            return self.form_invalid(form)
        result = security_services.confirm_totp(user, device, form.cleaned_data["code"])
        if result is None:
            form.add_error("code", _("The code is not right. Check the time on your phone and type the newest code."))
            return self.form_invalid(form)
        device, codes = result
        django_otp.login(self.request, device)
        self.request.session.cycle_key()
        security_services.reset_sign_in_failures(user.get_username())
        self.request.session[FRESH_CODES_KEY] = codes
        self.request.session[NEXT_KEY] = safe_next(self.request)
        messages.success(self.request, _("Two-factor authentication is set up."))
        return redirect("accounts:2fa-recovery-codes")


class RecoveryCodesView(NoStoreMixin, OwnViewMixin, TemplateView):
    """Shows newly made recovery codes once; afterwards only how many are left."""

    capability = capabilities.signed_in
    template_name = "accounts/two_factor_recovery_codes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["codes"] = self.request.session.pop(FRESH_CODES_KEY, None)
        context["next"] = self.request.session.pop(NEXT_KEY, "") or ""
        context["recovery_codes_left"] = security.remaining_recovery_codes(self.request.user)
        context["enrolled"] = security.has_totp(self.request.user)
        return context


class RegenerateRecoveryCodesView(OwnViewMixin, View):
    capability = capabilities.signed_in

    def post(self, request):
        if not security.has_totp(request.user) or not security.is_verified(request.user):
            messages.error(request, _("Set up two-factor authentication first."))
            return redirect("accounts:2fa")
        request.session[FRESH_CODES_KEY] = security_services.regenerate_recovery_codes(request.user)
        messages.success(request, _("New recovery codes were made; the old ones no longer work."))
        return redirect("accounts:2fa-recovery-codes")


class DisableTwoFactorView(OwnViewMixin, View):
    capability = capabilities.signed_in

    def post(self, request):
        if security.two_factor_required(request.user):
            messages.error(request, _("Your role requires two-factor authentication; it cannot be turned off."))
            return redirect("accounts:2fa")
        security_services.disable_own_two_factor(request.user)
        messages.success(request, _("Two-factor authentication is turned off."))
        return redirect("accounts:2fa")


class SecondFactorVerifyView(OwnViewMixin, FormView):
    """The sign-in step after the password, for accounts with an authenticator or recovery codes."""

    capability = capabilities.signed_in
    template_name = "accounts/two_factor_verify.html"
    form_class = SecondFactorForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated:
            if security.is_verified(user) or not security.has_second_factor(user):
                return redirect(safe_next(request) or settings.LOGIN_REDIRECT_URL)
            credentials = {"username": user.get_username()}
            if settings.AXES_ENABLED and AxesProxyHandler.is_locked(request, credentials):
                return self._locked_out(credentials)
        return super().dispatch(request, *args, **kwargs)

    def _locked_out(self, credentials):
        self.request.logout_reason = "locked_out"
        logout(self.request)
        return security.lockout_response(self.request, None, credentials)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = safe_next(self.request)
        context["has_totp"] = security.has_totp(self.request.user)
        return context

    def form_valid(self, form):
        request, user = self.request, self.request.user
        device, method, wait = security_services.verify_second_factor(user, form.cleaned_data["code"])
        if device is None:
            if wait:
                form.add_error(
                    "code", _("Too many wrong codes. Wait %(seconds)d seconds and try again.") % {"seconds": wait}
                )
                return self.form_invalid(form)
            credentials = {"username": user.get_username()}
            # Counted by django-axes like a wrong password: five in all lock the account.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request, reason="second_factor")
            if getattr(request, "axes_locked_out", False):
                return self._locked_out(credentials)
            form.add_error("code", _("The code is not right. Type the newest code from your app."))
            return self.form_invalid(form)
        django_otp.login(request, device)
        request.session.cycle_key()
        record(user, actions.LOGIN_SECOND_FACTOR, user, changes={"method": method})
        security_services.reset_sign_in_failures(user.get_username())
        if method == "recovery_code":
            left = security.remaining_recovery_codes(user)
            messages.warning(
                request,
                _("You signed in with a recovery code; %(count)d are left. Make new ones on your account page.")
                % {"count": left},
            )
        return redirect(safe_next(request) or settings.LOGIN_REDIRECT_URL)

"""Gates every signed-in request passes, in this order (see MIDDLEWARE in settings):

1. IdleTimeoutMiddleware: sign out after inactivity, and after the absolute session lifetime.
2. SecondFactorRequiredMiddleware: an account with a second factor must give its code first.
3. PasswordChangeRequiredMiddleware: an initial, reset or expired password must be changed.
4. TwoFactorEnrolmentMiddleware: an account that must use a second factor sets one up.

Each lets through only what its step needs (its own page, signing out, static files).
"""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import security

# Paths every gate lets through: signing out, assets, language switch, health checks.
COMMON_ALLOWED = ("/accounts/logout/", "/static/", "/i18n/", "/healthz", "/jsi18n/", "/captcha/")
# Paths an account with an initial password may still use: changing it (and the second factor before it).
ALWAYS_ALLOWED = ("/accounts/password/", "/accounts/2fa/verify/", *COMMON_ALLOWED)
SECOND_FACTOR_ALLOWED = ("/accounts/2fa/verify/", *COMMON_ALLOWED)
ENROLMENT_ALLOWED = ("/accounts/2fa/setup/", "/accounts/2fa/recovery-codes/", *COMMON_ALLOWED)

LOGIN_AT_KEY = "login_at"


def _signed_in(request):
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def _refuse(request, url_name, message):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=403)
    url = reverse(url_name)
    if request.method == "GET" and request.path != "/":
        url = f"{url}?next={quote(request.get_full_path())}"
    return redirect(url)


class PasswordChangeRequiredMiddleware:
    """An account with an initial, reset or expired password can do nothing until it sets its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _signed_in(request) and not request.path.startswith(ALWAYS_ALLOWED):
            if security.password_change_required(request.user):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("You must change your password first.")}, status=403)
                return redirect(reverse("accounts:password-change"))
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """An account with an authenticator (or recovery codes) must give a code before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _signed_in(request) and not request.path.startswith(SECOND_FACTOR_ALLOWED):
            user = request.user
            if not security.is_verified(user) and security.has_second_factor(user):
                return _refuse(request, "accounts:2fa-verify", _("Enter your authentication code first."))
        return self.get_response(request)


class TwoFactorEnrolmentMiddleware:
    """Administrators and ministry and province officials must set up an authenticator app first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _signed_in(request) and not request.path.startswith(ENROLMENT_ALLOWED):
            user = request.user
            if (
                not security.is_verified(user)
                and security.two_factor_required(user)
                and not security.password_change_required(user)  # that comes first
                and not security.has_second_factor(user)
            ):
                return _refuse(request, "accounts:2fa-setup", _("Set up two-factor authentication first."))
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Sign a user out after SESSION_IDLE_SECONDS without a request, and SESSION_COOKIE_AGE after
    signing in whatever the activity (the session cookie itself is renewed by every request)."""

    KEY = "last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _signed_in(request):
            now = int(timezone.now().timestamp())
            last = request.session.get(self.KEY)
            login_at = request.session.setdefault(LOGIN_AT_KEY, now)
            if last is not None and now - last > settings.SESSION_IDLE_SECONDS:
                return self._sign_out(request, "idle", _("You were signed out after a period of inactivity."))
            if now - login_at > settings.SESSION_COOKIE_AGE:
                return self._sign_out(request, "session_expired", _("Your session has ended. Please sign in again."))
            request.session[self.KEY] = now
        return self.get_response(request)

    def _sign_out(self, request, reason, message):
        request.logout_reason = reason
        logout(request)
        messages.info(request, message)
        return redirect(f"{reverse('login')}?next={quote(request.path)}")

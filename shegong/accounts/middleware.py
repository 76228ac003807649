from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

# Paths an account with an initial password may still use: changing it, signing out, assets.
ALWAYS_ALLOWED = ("/accounts/password/", "/accounts/logout/", "/static/", "/i18n/", "/healthz", "/jsi18n/")


class PasswordChangeRequiredMiddleware:
    """An account with an initial or reset password can do nothing until it sets its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            if not request.path.startswith(ALWAYS_ALLOWED):
                if request.path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse({"detail": _("You must change your initial password first.")}, status=403)
                return redirect(reverse("accounts:password-change"))
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Sign a user out after SESSION_IDLE_SECONDS without a request (the absolute limit is the cookie age)."""

    KEY = "last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(timezone.now().timestamp())
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity."))
                return redirect(f"{reverse('login')}?next={request.path}")
            request.session[self.KEY] = now
        return self.get_response(request)

"""Sign-in events into the audit log: successes, failures, lockouts, sign-outs.

Connected in AccountsConfig.ready(). django-axes listens to the same Django signals to count
failures; these receivers only record, and work whichever of the two runs first.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.utils import timezone

from shegong.accounts import actions
from shegong.accounts.services import security as security_services
from shegong.core.audit import record

from . import security
from .middleware import LOGIN_AT_KEY, IdleTimeoutMiddleware
from .models import User


def _account(username):
    if not username:
        return None
    return User.objects.filter(username=username).select_related("region").first()


def on_logged_in(sender, request, user, **kwargs):
    second_factor = security.has_second_factor(user)
    if request is not None and hasattr(request, "session"):
        now = int(timezone.now().timestamp())
        request.session[LOGIN_AT_KEY] = now
        request.session[IdleTimeoutMiddleware.KEY] = now
    record(user, actions.LOGIN, user, changes={"second_factor": "pending" if second_factor else "none"})
    if not second_factor:
        # Complete sign-in: forget the user name's earlier failures. With a second factor this
        # waits for the code, so that a known password does not reset the count of wrong codes.
        security_services.reset_sign_in_failures(user.get_username())


def on_login_failed(sender, credentials, request=None, reason=None, **kwargs):
    username = (credentials or {}).get("username") or ""
    if reason is None:
        # django-axes's backend marks a request it refused because of an existing lock before
        # any failure is counted (axes_failures_since_start stays None).
        refused = (
            getattr(request, "axes_locked_out", False) and getattr(request, "axes_failures_since_start", 1) is None
        )
        reason = "locked_out" if refused else "bad_credentials"
    if reason == "bad_credentials" and request is not None:
        security_services.count_address_failure(security.client_ip(request))
    record_failure(username, reason)


def record_failure(username, reason):
    user = _account(username)
    record(
        None,
        actions.LOGIN_FAILED,
        user,
        changes={"username": username[:150], "reason": reason},
        object_repr=None if user else username[:150],
        region_code=user.region_id if user and user.region_id else "",
    )


def on_logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    record(user, actions.LOGOUT, user, changes={"reason": getattr(request, "logout_reason", "user")})


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    if request is not None and getattr(request, "axes_failures_since_start", None) is None:
        return  # a refusal during an existing lock, already recorded as a failed sign-in
    user = _account(username)
    record(
        None,
        actions.LOCKOUT,
        user,
        changes={"username": (username or "")[:150], "ip_address": ip_address or ""},
        object_repr=None if user else (username or ip_address or "")[:150],
        region_code=user.region_id if user and user.region_id else "",
    )


def connect():
    from axes.signals import user_locked_out

    user_logged_in.connect(on_logged_in, dispatch_uid="shegong.accounts.logged_in")
    user_login_failed.connect(on_login_failed, dispatch_uid="shegong.accounts.login_failed")
    user_logged_out.connect(on_logged_out, dispatch_uid="shegong.accounts.logged_out")
    user_locked_out.connect(on_locked_out, dispatch_uid="shegong.accounts.locked_out")

"""Sign-in security: who needs a second factor, password expiry, lockouts, recovery codes.

The rules (questions about an account) come first, then the verbs: every change goes through a
function here, inside one transaction, and writes the audit log. Views, signals and middleware
call these; nothing else touches django-axes attempts or django-otp devices.

- Lockout (django-axes): 5 failures lock the user name (and the user name at an address) for
  15 minutes (settings ``AXES_*``). The address alone is throttled apart, only after
  ``SIGN_IN_ADDRESS_FAILURE_LIMIT`` (50) failures in the window (``AddressThrottle``), so that one
  person's mistakes never lock their colleagues behind the same address out; lifting an address's
  throttle leaves the accounts' locks alone. Security administrators can lift either earlier.
- CAPTCHA: the sign-in form asks for one as soon as the user name or the address has a failure
  within the lockout window, so a first sign-in (and every browser test) never sees one.
- Second factor (django-otp): a TOTP authenticator app, plus 10 one-time recovery codes.
  Mandatory for administrators and for ministry and province officials.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.accounts import actions
from shegong.core import capabilities
from shegong.core.addresses import client_address
from shegong.core.audit.actions import canonical_code, codes_matching
from shegong.regions.models import Level

from .models import AddressThrottle, User
from .roles import REGION_ROLES, Role

# Roles that always sign in with a second factor, whatever their level.
SECOND_FACTOR_ROLES = {Role.ADMIN, Role.SECURITY, Role.AUDITOR, Role.OPERATOR, Role.ORG_ADMIN, Role.ASSOC_ADMIN}
# Region roles at these levels (ministry, province) also always do.
SECOND_FACTOR_LEVELS = {Level.NATIONAL, Level.PROVINCE}
RECOVERY_CODE_COUNT = 10

# Audit actions shown in "My recent sign-ins", with their labels.
SIGN_IN_ACTIONS = {
    actions.LOGIN: _("Signed in (password)"),
    actions.LOGIN_SECOND_FACTOR: _("Second factor accepted"),
    actions.LOGIN_FAILED: _("Failed sign-in"),
    actions.LOCKOUT: _("Locked after repeated failures"),
}
FAILURE_REASONS = {
    "bad_credentials": _("wrong user name or password"),
    "second_factor": _("wrong authentication code"),
    "locked_out": _("refused: locked"),
    "address_throttled": _("refused: too many failures from this address"),
}

# Apps above accounts may widen a security administrator's reach to accounts that are tied to a
# region through them (e.g. an organization's users through the organization's region):
# functions(region) -> Q over User. accounts itself knows only ``User.region``.
EXTRA_ACCOUNT_SCOPES = []


# --- Rules ------------------------------------------------------------------------------------
def two_factor_required(user):
    """Administrators, and officials of the ministry and the provinces, must use a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role in SECOND_FACTOR_ROLES:
        return True
    return user.role in REGION_ROLES and user.region_id is not None and user.region.level in SECOND_FACTOR_LEVELS


def has_totp(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_second_factor(user):
    """Whether sign-in asks this account for a code (any confirmed device: authenticator or recovery codes)."""
    from django_otp import user_has_device

    return user_has_device(user)


def is_verified(user):
    """Whether this session passed the second factor (django_otp's OTPMiddleware sets is_verified)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def password_expired(user, now=None):
    """Officials must change their password every PASSWORD_MAX_AGE_DAYS days (0: never)."""
    days = getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0)
    if not days or user.role not in REGION_ROLES or not user.has_usable_password():
        return False
    changed = user.password_changed_at or user.date_joined
    return changed is not None and (now or timezone.now()) - changed > timedelta(days=days)


def password_change_required(user):
    return bool(user.must_change_password) or password_expired(user)


def is_security_admin(user):
    return capabilities.administers_security(user)


def is_national(user):
    return user.region_id is not None and user.region.level == Level.NATIONAL


def accounts_in_scope(admin):
    """The accounts a security administrator looks after: those of their region's subtree.

    The national security administrator looks after every account, including those with no
    region (social workers, organization users) unless a higher app places them in a region.
    """
    if not is_security_admin(admin):
        return User.objects.none()
    if is_national(admin):
        return User.objects.all()
    q = admin.region.subtree_q("region__code")
    for extra in EXTRA_ACCOUNT_SCOPES:
        q |= extra(admin.region)
    return User.objects.filter(q)


def client_ip(request):
    """The client address django-axes counts failures against (AXES_CLIENT_IP_CALLABLE), the CAPTCHA
    trigger and the rate limits: ``core.addresses.client_address`` (SHEGONG_PROXY_HOPS), or None."""
    return client_address(request) or None


# --- Lockouts ---------------------------------------------------------------------------------
def cool_off():
    from axes.helpers import get_cool_off

    return get_cool_off() or timedelta(0)


def _recent_attempts():
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off())


def captcha_required(request, username=""):
    """A CAPTCHA is asked once the user name or the client address has a failure in the window."""
    if request is None or not settings.AXES_ENABLED:
        return False
    ip = client_ip(request)
    q = Q(pk__in=[])
    if ip:
        q |= Q(ip_address=ip)
    if username:
        q |= Q(username=username)
    return _recent_attempts().filter(q).exists()


def address_limit():
    return getattr(settings, "SIGN_IN_ADDRESS_FAILURE_LIMIT", 50)


def _live_throttles():
    return AddressThrottle.objects.filter(last_failure_at__gte=timezone.now() - cool_off())


def address_throttled(request):
    """Whether sign-in from the request's address is paused: ``SIGN_IN_ADDRESS_FAILURE_LIMIT`` failures within
    the lockout window, whichever accounts they tried."""
    if request is None or not settings.AXES_ENABLED:
        return False
    ip = client_ip(request)
    return bool(ip) and _live_throttles().filter(ip_address=ip, failures__gte=address_limit()).exists()


def _locked_addresses():
    delta = cool_off()
    return [
        {"value": row.ip_address, "failures": row.failures, "until": row.last_failure_at + delta}
        for row in _live_throttles().filter(failures__gte=address_limit()).order_by("-last_failure_at")
    ]


def _locked(field):
    limit = settings.AXES_FAILURE_LIMIT
    rows = (
        _recent_attempts()
        .exclude(**{f"{field}__isnull": True})
        .values(field)
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=limit)
        .order_by("-last")
    )
    delta = cool_off()
    return [{"value": row[field], "failures": row["failures"], "until": row["last"] + delta} for row in rows]


def locked_accounts(admin):
    """Locked user names the security administrator may unlock, with the account where there is one."""
    rows = _locked("username")
    users = {
        u.username: u for u in User.objects.filter(username__in=[r["value"] for r in rows]).select_related("region")
    }
    in_scope = set(accounts_in_scope(admin).filter(username__in=list(users)).values_list("username", flat=True))
    national = is_national(admin)
    visible = []
    from . import permissions

    for row in rows:
        row["user"] = users.get(row["value"])
        if row["user"] is not None and row["value"] in in_scope:
            if permissions.may_manage(admin, row["user"], permissions.UNLOCK):
                visible.append(row)
        elif national and row["user"] is None:
            visible.append(row)
    return visible


def locked_addresses(admin):
    """Locked client addresses: all of them for the national security administrator; for a regional
    one, those whose recent failures all concern accounts of their region (their own users' office)."""
    rows = _locked_addresses()
    if is_national(admin) or not rows:
        return rows if is_security_admin(admin) else []
    tried = {}
    for ip, username in (
        _recent_attempts().filter(ip_address__in=[r["value"] for r in rows]).values_list("ip_address", "username")
    ):
        tried.setdefault(ip, set()).add(username)
    names = set().union(*tried.values())
    in_scope = set(accounts_in_scope(admin).filter(username__in=names).values_list("username", flat=True))
    return [row for row in rows if tried.get(row["value"]) and tried[row["value"]] <= in_scope]


def lock_ends_at(username=None, ip_address=None):
    q = Q()
    if username:
        q |= Q(username=username)
    if ip_address:
        q |= Q(ip_address=ip_address)
    if not q:
        return None
    last = _recent_attempts().filter(q).aggregate(last=Max("attempt_time"))["last"]
    return last + cool_off() if last else None


def address_ends_at(ip_address):
    row = _live_throttles().filter(ip_address=ip_address).first() if ip_address else None
    return row.last_failure_at + cool_off() if row else None


def lockout_response(request, original_response=None, credentials=None):
    """The page shown to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): what happened and what to do."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    address = address_throttled(request)
    context = {
        "username": username,
        "address": address,
        "failure_limit": address_limit() if address else settings.AXES_FAILURE_LIMIT,
        "minutes": int(cool_off().total_seconds() // 60),
        "until": address_ends_at(client_ip(request)) if address else lock_ends_at(username),
    }
    return render(request, "accounts/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def normalise_code(code):
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()


def format_recovery_code(token):
    return f"{token[:4]}-{token[4:]}"


def throttle_wait(device):
    """Seconds to wait before the device accepts another code (django-otp's exponential back-off)."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return 0
    locked_until = (data or {}).get("locked_until")
    if locked_until:
        return max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
    return 1


def remaining_recovery_codes(user):
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def base32_secret(device):
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(text):
    """An SVG QR code as a data: URI (the Content-Security-Policy allows img-src data:)."""
    from base64 import b64encode

    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    return "data:image/svg+xml;base64," + b64encode(image.to_string()).decode()


# --- Sign-in history --------------------------------------------------------------------------
def recent_sign_ins(user, limit=20):
    from shegong.core.models import AuditEvent

    events = AuditEvent.objects.filter(
        object_type=User._meta.label,
        object_id=str(user.pk),
        action__in=[code for action in SIGN_IN_ACTIONS for code in codes_matching(action)],
    ).order_by("-at", "-id")[:limit]
    rows = []
    for event in events:
        reason = (event.changes or {}).get("reason", "")
        rows.append(
            {
                "at": event.at,
                "action": event.action,
                "label": SIGN_IN_ACTIONS[canonical_code(event.action)],
                "detail": FAILURE_REASONS.get(reason, ""),
                "address": event.address,
                "failed": canonical_code(event.action) in {actions.LOGIN_FAILED, actions.LOCKOUT},
            }
        )
    return rows


def accounts_with_second_factor(queryset):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return queryset.annotate(has_totp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))).filter(
        has_totp=True
    )

"""Registration rules that docs/domain.md marks UNVERIFIED or that provinces vary: Django settings with documented defaults.

Every value is read when used, so a test (or a deployment) can change it.

REGISTRATION_FIRST_WITHIN_MONTHS = 12
    First registration must be applied for within this many months after passing the exam
    (民发〔2009〕44号 art. 4). The pass date is the certificate's date of issue, or 31 December of
    the exam year when that is unknown.
REGISTRATION_FIRST_LIMIT_WAIVED_PROVINCES = []
    Province codes (e.g. ["340000"]) where that limit is waived (Anhui 2021, Guangdong 2021).
REGISTRATION_REGISTER_AGAIN_AFTER_LAPSE = True
    Whether a holder whose registration lapsed or was cancelled may apply for registration again
    (a "first registration" of the same certificate, without the time limit). Per province:
    REGISTRATION_REGISTER_AGAIN_BY_PROVINCE = {"440000": True, ...} overrides it.
REGISTRATION_RENEWAL_WINDOW_MONTHS = 3
    Re-registration is open in this many months before expiry (also the "expiring" status;
    see workers/status.py).
REGISTRATION_VALIDITY_YEARS = 3
REGISTRATION_RENEWAL_START = "previous_expiry"
    When a re-registration's validity starts: "previous_expiry" (the day after the previous
    registration expires) or "approval" (the day of final approval). First registrations always
    start on the day of approval.
REGISTRATION_INITIAL_REVIEW_LEVELS = {}
    Initial review level per province code: {"440000": "prefecture"}; default "county".
REGISTRATION_DECISION_WORKING_DAYS = 30
    The decision deadline from acceptance (art. 7), counted by core.workdays.
REGISTRATION_NUMBER_SCHEME = "shegong.registration.numbering.default_number"
    A callable (registration) -> str issuing registration numbers.
REGISTRATION_REVOKE_LEVEL = "province"
    The level (or above) of the administrators who may revoke a registration.
REGISTRATION_REMINDER_DAYS = [90, 30]
    Days before expiry at which holders are reminded (once per threshold).
REGISTRATION_EXPIRY_WARNING_DAYS = 90
    From this many days before expiry, the holder's home page warns that the registration expires
    (registration/dashboard.py), until it is renewed or has expired.
REGISTRATION_REMINDER_SENDER = "shegong.registration.reminders.sms_sender"
    A callable (person, text) sending an SMS or e-mail; the default sends an SMS through core.messaging.
REGISTRATION_PUBLIC_CHECK_LIMIT = 10, REGISTRATION_PUBLIC_CHECK_WINDOW_SECONDS = 600
    Public checks allowed per client address per window (page and API together).
REGISTRATION_PUBLIC_LINK_LIMIT = 300
    Openings of the certificate's QR link (a signed token, nothing to guess) allowed per client
    address per window, counted apart from the checks by number and name.
REGISTRATION_CERTIFICATE_FONTS = [...]
    TrueType fonts for the e-certificate, tried in order for each character (see certificate.py).
"""

from django.conf import settings
from django.utils.module_loading import import_string

from shegong.regions.models import Level
from shegong.workers.status import renewal_window_months  # noqa: F401  (one setting, read in workers)

LEVELS = {
    "county": Level.COUNTY,
    "prefecture": Level.PREFECTURE,
    "province": Level.PROVINCE,
    "national": Level.NATIONAL,
}


def get(name, default):
    return getattr(settings, f"REGISTRATION_{name}", default)


def first_within_months():
    return int(get("FIRST_WITHIN_MONTHS", 12))


def first_limit_waived(province_code):
    return province_code in set(get("FIRST_LIMIT_WAIVED_PROVINCES", []))


def may_register_again(province_code):
    by_province = get("REGISTER_AGAIN_BY_PROVINCE", {})
    if province_code in by_province:
        return bool(by_province[province_code])
    return bool(get("REGISTER_AGAIN_AFTER_LAPSE", True))


def validity_years():
    return int(get("VALIDITY_YEARS", 3))


def renewal_start():
    value = get("RENEWAL_START", "previous_expiry")
    if value not in {"previous_expiry", "approval"}:
        raise ValueError("REGISTRATION_RENEWAL_START must be 'previous_expiry' or 'approval'")
    return value


def initial_review_level(province_code):
    name = get("INITIAL_REVIEW_LEVELS", {}).get(province_code, "county")
    return LEVELS[name]


def decision_working_days():
    return int(get("DECISION_WORKING_DAYS", 30))


def number_scheme():
    return import_string(get("NUMBER_SCHEME", "shegong.registration.numbering.default_number"))


def revoke_level():
    return LEVELS[get("REVOKE_LEVEL", "province")]


def reminder_days():
    return sorted({int(d) for d in get("REMINDER_DAYS", [90, 30])}, reverse=True)


def expiry_warning_days():
    return int(get("EXPIRY_WARNING_DAYS", 90))


def reminder_sender():
    return import_string(get("REMINDER_SENDER", "shegong.registration.reminders.sms_sender"))


def public_check_limit():
    return int(get("PUBLIC_CHECK_LIMIT", 10)), int(get("PUBLIC_CHECK_WINDOW_SECONDS", 600))


def public_link_limit():
    return int(get("PUBLIC_LINK_LIMIT", 300)), int(get("PUBLIC_CHECK_WINDOW_SECONDS", 600))

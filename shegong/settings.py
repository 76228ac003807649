"""shegong settings: one module, configured only through SHEGONG_* environment variables.

Every variable is documented in README.md. Secrets are never in the repository: when
SHEGONG_SECRET_KEY or SHEGONG_FIELD_KEY is unset, a random key is generated once into
``var/`` (the embedded run only). In production mode (SHEGONG_HTTPS=true) both must come from the
secret store: a missing one stops the start with ImproperlyConfigured naming it (docs/keys.md).
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(f"SHEGONG_{name}", default)


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = env(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


VAR_DIR = Path(env("VAR_DIR", BASE_DIR / "var"))


def generated_secret(name, length=50):
    """Read a key from var/, creating it on first use (embedded run only)."""
    path = VAR_DIR / name
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(length))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
# Behind TLS (production): secure cookies, HSTS and the HTTPS redirect; keys must be configured.
HTTPS = env_bool("HTTPS", False)

# Keys generated into var/ because their variable is unset (embedded run); `check --deploy` reports them.
GENERATED_KEYS = []


def configured_secret(name, length):
    """SHEGONG_<name>, or (embedded run only) a key generated once into var/."""
    value = (env(name) or "").strip()
    if value:
        return value
    if HTTPS:
        raise ImproperlyConfigured(
            f"SHEGONG_{name} is not set. In production mode (SHEGONG_HTTPS=true) every app server and "
            f"worker must get the same SHEGONG_{name} from the secret store; see docs/keys.md."
        )
    GENERATED_KEYS.append(f"SHEGONG_{name}")
    return generated_secret(name.lower(), length)


SECRET_KEY = configured_secret("SECRET_KEY", 50)
# Earlier signing keys, still accepted for sessions and signed links during a rotation (docs/keys.md).
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
# Key material for encrypting personal identifiers and deriving their blind index.
FIELD_KEY = configured_secret("FIELD_KEY", 32)
# Earlier field keys: still decrypted and looked up until `manage.py rotate_field_key` has finished.
# (SHEGONG_FIELD_KEY_OLD is the former name of the variable and is still read.)
FIELD_KEY_FALLBACKS = env_list("FIELD_KEY_FALLBACKS") + env_list("FIELD_KEY_OLD")

# How many of our own reverse proxies stand in front of the app. 0: the client address is the
# socket's; N: the address the outermost of them added to X-Forwarded-For (core/addresses.py).
PROXY_HOPS = env_int("PROXY_HOPS", 0)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "captcha",
    "shegong.core",
    "shegong.regions",
    "shegong.accounts",
    "shegong.workers",
    "shegong.organizations",
    "shegong.registration",
    "shegong.education",
    "shegong.services",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "shegong.core.middleware.RequestIdMiddleware",
    # Cache-Control: no-store on every dynamic answer, and the Permissions-Policy.
    "shegong.core.middleware.NoStoreMiddleware",
    # 403s and the 404s of detail pages and downloads into the audit log (one per caller, route, minute).
    "shegong.core.middleware.RefusalAuditMiddleware",
    "shegong.core.middleware.ScopeGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shegong.accounts.middleware.IdleTimeoutMiddleware",
    # Order matters: the second factor first, then a forced password change, then 2FA enrolment.
    "shegong.accounts.middleware.SecondFactorRequiredMiddleware",
    "shegong.accounts.middleware.PasswordChangeRequiredMiddleware",
    "shegong.accounts.middleware.TwoFactorEnrolmentMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a lockout flagged during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses locked-out usernames and addresses before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "shegong.urls"
WSGI_APPLICATION = "shegong.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
FORM_RENDERER = "shegong.core.forms.ShegongFormRenderer"
CSRF_FAILURE_VIEW = "shegong.core.views.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shegong.core.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'shegong.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids
    # "database is locked" upgrades from read to write transactions.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    VAR_DIR.mkdir(parents=True, exist_ok=True)
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ----------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    SHEGONG_SHARED_CACHE = "default"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Counters every process must share (sign-up, password-reset and public-check limits, reset codes):
        # without Redis they live in the database (`manage.py createcachetable`, run by `make setup`).
        "shared": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "shegong_shared_cache"},
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    SHEGONG_SHARED_CACHE = "shared"

# --- Outgoing messages (shegong.core.messaging) ---------------------------------------------
# SMS: a backend class; the console one prints and logs each message (the demo shows the codes there).
# The HTTP gateway backend posts to SHEGONG_SMS_GATEWAY_URL with SHEGONG_SMS_GATEWAY_KEY.
SHEGONG_SMS_BACKEND = env("SMS_BACKEND") or "shegong.core.messaging.ConsoleSMSBackend"
SHEGONG_SMS_GATEWAY_URL = env("SMS_GATEWAY_URL") or ""
SHEGONG_SMS_GATEWAY_KEY = env("SMS_GATEWAY_KEY") or ""
SHEGONG_SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT", 10)
SHEGONG_SMS_SIGNATURE = env("SMS_SIGNATURE") or "【社会工作信息系统】"
# E-mail goes through Django's EMAIL_BACKEND (console by default, like SMS).
EMAIL_BACKEND = env("EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL") or "noreply@shegong.localhost"

SESSION_COOKIE_AGE = env_int("SESSION_MAX_HOURS", 12) * 3600  # absolute session lifetime
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict Content-Security-Policy: every script and style is served from this site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Passwords -------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "shegong.accounts.validators.CharacterClassValidator"},
    {"NAME": "shegong.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"count": 5}},
    # Officials (region roles): at least 12 characters, no common password in disguise (Passw0rd!). Existing
    # officials whose password fails it are asked to change it at their next sign-in.
    {
        "NAME": "shegong.accounts.validators.OfficialPasswordValidator",
        "OPTIONS": {"min_length": env_int("OFFICIAL_PASSWORD_MIN_LENGTH", 12)},
    },
]
OFFICIAL_PASSWORD_MIN_LENGTH = AUTH_PASSWORD_VALIDATORS[-1]["OPTIONS"]["min_length"]
# Officials (region roles) must choose a new password after this many days; 0 turns expiry off.
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)

# --- Sign-in protection -----------------------------------------------------------------
# django-axes: 5 failures lock the user name for 15 minutes; 50 from one address throttle the address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Lock by account, not by office: the failures lock the user name (from any address) and the user name at the
# address. The address alone is throttled apart, at a much higher count, so that one person's mistakes never lock
# out the colleagues behind the same address (accounts.security.address_throttled).
AXES_LOCKOUT_PARAMETERS = [["username"], ["username", "ip_address"]]
SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int("SIGN_IN_ADDRESS_FAILURE_LIMIT", 50)
# Attempts during a lockout do not extend it: the lock ends 15 minutes after it began.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "shegong.accounts.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "shegong.accounts.security.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit log
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# django-otp: TOTP authenticator apps and one-time recovery codes.
OTP_TOTP_ISSUER = env("OTP_ISSUER", "全国社会工作信息系统")
# django-simple-captcha: shown on the sign-in form once a user name or address has a recent failure.
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_2X_IMAGE = True

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if env("S3_BUCKET"):
    # S3-compatible object storage for uploaded and generated files (needs django-storages[s3]).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL"),
            "access_key": env("S3_ACCESS_KEY"),
            "secret_key": env("S3_SECRET_KEY"),
            "region_name": env("S3_REGION"),
            "default_acl": "private",
            "querystring_auth": True,
        },
    }

# --- Background tasks ------------------------------------------------------------------
TASKS = {"default": {"BACKEND": env("TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}
# A worker that has not been seen for this long is reported as down by /healthz.
WORKER_HEARTBEAT_SECONDS = 30
# /healthz answers only ok/fail, except to monitoring: from these addresses or networks
# (comma-separated, e.g. 10.0.0.0/8), or with this token in the X-Healthz-Token header.
HEALTHZ_ALLOWED_IPS = env_list("HEALTHZ_ALLOWED_IPS")
HEALTHZ_TOKEN = env("HEALTHZ_TOKEN", "")
# Generated files (exports, reports) are deleted after this many hours.
RESULT_FILE_HOURS = env_int("RESULT_FILE_HOURS", 72)
# Bulk import (core/tabular): largest file accepted, rows per committed batch, how long an unconfirmed
# import keeps its staged rows, and how long uploaded files are kept with the import record.
IMPORT_MAX_MB = env_int("IMPORT_MAX_MB", 200)
IMPORT_BATCH_ROWS = env_int("IMPORT_BATCH_ROWS", 10000)
IMPORT_STAGE_HOURS = env_int("IMPORT_STAGE_HOURS", 72)
IMPORT_FILE_DAYS = env_int("IMPORT_FILE_DAYS", 30)
# Audit events older than this many days are pruned daily (never fewer than 180: core/audit/tasks.py).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)

# --- API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "shegong.core.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "shegong API",
    "DESCRIPTION": "全国社会工作信息系统 API / National Social Work Information System API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Logging ---------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

SYSTEM_NAME = _("National Social Work Information System")

# --- API: error answers, throttling, export quota (shegong.core.api) ----------------------------------
# Requests per signed-in account and per anonymous address ("600/min", "10000/hour"; empty: no limit),
# counted in the Django cache (the store all processes share when SHEGONG_REDIS_URL is set).
SHEGONG_API_RATE = env("API_RATE", "600/min")
SHEGONG_API_ANON_RATE = env("API_ANON_RATE", "60/min")
# Exports per account in any 60 minutes: at most this many jobs, and at most this many rows written.
SHEGONG_EXPORT_JOBS_PER_HOUR = env_int("EXPORT_JOBS_PER_HOUR", 20)
SHEGONG_EXPORT_ROWS_PER_HOUR = env_int("EXPORT_ROWS_PER_HOUR", 2_000_000)
REST_FRAMEWORK["EXCEPTION_HANDLER"] = "shegong.core.api.exception_handler"
REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"] = ["shegong.core.api.FilterBackend"]
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "shegong.core.api.AccountRateThrottle",
    "shegong.core.api.AnonymousRateThrottle",
]
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "shegong.core.api.document_error_responses",
]

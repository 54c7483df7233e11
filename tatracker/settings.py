"""tatracker settings: one module, every deploy value from the environment.

Environment variables (see `.env.example`):
    DEBUG, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, CSRF_TRUSTED_ORIGINS,
    SECURE_SSL_REDIRECT, EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
    EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL, TATRACKER_REQUIRE_2FA,
    METRICS_TOKEN, LOG_FORMAT, REQUEST_LOG_LEVEL, REDIS_URL, TRUSTED_PROXIES,
    API_TOKEN_DAYS, API_RATE_ANON, API_RATE_USER, API_TOKEN_FAILURES_ACCOUNT_ADDRESS,
    API_TOKEN_FAILURES_ADDRESS, API_TOKEN_FAILURES_ACCOUNT.
"""

import datetime
import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


# ---------------------------------------------------------------------------
# Environment helpers: small, typed, and loud when a value is malformed.
# ---------------------------------------------------------------------------
def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean (use 1/0, true/false)."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_config(url: str) -> dict:
    """Return a DATABASES entry for `url`; SQLite under var/ when `url` is empty."""
    if not url:
        VAR_DIR.mkdir(exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "tatracker.sqlite3",
        }
    if not url.startswith(("postgres://", "postgresql://", "sqlite://")):
        raise ImproperlyConfigured(
            "DATABASE_URL must start with postgres:// or sqlite://, "
            f"got {url.split(':')[0]!r}."
        )
    return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)


# The database cache table (`createcachetable`; `migrate` creates it, see needs.apps).
CACHE_TABLE = "tatracker_cache"


def cache_config(redis_url: str, database: dict | None = None) -> dict:
    """Return the CACHES entry: Redis at `redis_url`, else the database's table.

    In Redis, keys are prefixed with the database they were computed from: two sites
    (or a site and its staging copy) sharing one Redis never read each other's
    statistics."""
    if not redis_url:
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    if not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "REDIS_URL must start with redis://, rediss:// or unix://, "
            f"got {redis_url.split(':')[0]!r}."
        )
    where = [str((database or {}).get(key, "")) for key in ("HOST", "PORT", "NAME")]
    digest = hashlib.sha256("/".join(where).encode()).hexdigest()[:12]
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
        "KEY_PREFIX": f"tatracker-{digest}",
    }


# ---------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", default=False)
INSECURE_SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", INSECURE_SECRET_KEY)
if not DEBUG and (SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY is unset or insecure. Set SECRET_KEY to a random string of at "
        "least 50 characters, or set DEBUG=1 for local development."
    )
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "tatracker.admin_site.AdminConfig",  # django.contrib.admin, for the secretariat
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "reviews",
    "needs",
]

MIDDLEWARE = [
    # First: the request id (X-Request-ID), one log line and the metrics per request.
    "tatracker.observability.RequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # NUL and control characters answer 400 before any view looks them up.
    "tatracker.middleware.ControlCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # After the user is known: their profile's language wins.
    "tatracker.middleware.UserLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # The secretariat, administrators and anyone with an authenticator: no page but
    # the second factor's until it is given (reviews/permissions.py).
    "tatracker.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: throttles repeated login failures.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tatracker.urls"
WSGI_APPLICATION = "tatracker.wsgi.application"

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
                "django.template.context_processors.csp",
                "tatracker.context_processors.navigation",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Database: SQLite file under var/ by default, PostgreSQL when DATABASE_URL says so.
# ---------------------------------------------------------------------------
DATABASES = {"default": database_config(env_str("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------
# Cache: the statistics document (needs.reports.cache), shared by every process and
# server. The database's cache table by default; Redis when REDIS_URL is set.
# ---------------------------------------------------------------------------
CACHES = {"default": cache_config(env_str("REDIS_URL"), DATABASES["default"])}
# Sessions: in the database; with Redis, read through it too (written to both, so a
# session outlives a restart of Redis): a signed-in request reads its session without
# a database query. Not with the database's cache table, which would add one.
if env_str("REDIS_URL"):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# ---------------------------------------------------------------------------
# Authentication
# ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: a new password revokes the user's API tokens.
    {"NAME": "reviews.authentication.RevokeApiTokensOnPasswordChange"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user's Account in the same query.
    "reviews.authentication.AccountModelBackend",
]
# Login throttling: five failures from one address, or for one account, lock that
# address or account out for 15 minutes; every failure and lockout is logged.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Two-factor sign-in (django-otp): TOTP authenticators and one-time recovery codes.
# Required of the secretariat and administrators unless TATRACKER_REQUIRE_2FA=0 (the
# default with DEBUG, for local development); optional for everybody else.
TATRACKER_REQUIRE_2FA = env_bool("TATRACKER_REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = "tatracker"
OTP_TOTP_THROTTLE_FACTOR = 1  # seconds, doubled after each wrong code in a row
OTP_STATIC_THROTTLE_FACTOR = 1

# The client's address behind TRUSTED_PROXIES reverse proxies (X-Forwarded-For):
# the same function for axes and for the API's rate limits.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "tatracker.throttling.client_address"
# The API's token endpoint counts its own failures (tatracker.throttling): five for
# one account at one address stop that pair only, so that one integration's mistakes
# do not shut out everyone behind the same address; more failures stop an address
# (guessing across accounts) or an account (guessing from many addresses). Answered
# 429 with Retry-After.
AXES_WHITELIST_CALLABLE = "tatracker.throttling.is_api_token_request"
API_TOKEN_FAILURE_LIMITS = {
    "account_address": env_int("API_TOKEN_FAILURES_ACCOUNT_ADDRESS", 5),
    "address": env_int("API_TOKEN_FAILURES_ADDRESS", 20),
    "account": env_int("API_TOKEN_FAILURES_ACCOUNT", 20),
}
API_TOKEN_FAILURE_WINDOW = AXES_COOLOFF_TIME
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# ---------------------------------------------------------------------------
# Internationalization
# ---------------------------------------------------------------------------
# The six official languages of the United Nations, each named in itself (the menu).
# The language comes from the user's profile, else the language menu's cookie, else
# the browser's Accept-Language; URLs are the same in every language.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", "العربية"),
    ("zh-hans", "中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------
# Static files: served by the app itself (whitenoise), no CDN.
# ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# ---------------------------------------------------------------------------
# Security: strict by default, relaxed only by DEBUG for local http.
# ---------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# ---------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------
_MAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _MAIL_BACKEND,
        "OPTIONS": (
            {
                "host": env_str("EMAIL_HOST", "localhost"),
                "port": int(env_str("EMAIL_PORT", "25")),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", default=False),
            }
            if _MAIL_BACKEND.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tatracker@localhost")

# ---------------------------------------------------------------------------
# REST framework and OpenAPI
# ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    # The token class first: its challenge makes "no or bad credentials" a 401 with
    # WWW-Authenticate (REST framework asks only the first class for one).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "reviews.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Request bodies are JSON only: one body format for clients generated from the
    # schema (the browsable API still renders for people reading it).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Unknown, empty or malformed query parameters are 400 (tatracker.filters).
    "DEFAULT_FILTER_BACKENDS": [
        "tatracker.filters.KnownParametersFilter",
        "tatracker.filters.FilterBackend",
        "tatracker.filters.SearchFilter",
        "tatracker.filters.OrderingFilter",
    ],
    # Rate limits per address without credentials, per user with; 429 + Retry-After.
    # Counted in the default cache (the database's table, or Redis with REDIS_URL):
    # one count across processes.
    "DEFAULT_THROTTLE_CLASSES": [
        "tatracker.throttling.AnonRateThrottle",
        "tatracker.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_RATE_ANON", "60/minute"),
        "user": env_str("API_RATE_USER", "600/minute"),
    },
    "NUM_PROXIES": TRUSTED_PROXIES,
    "DEFAULT_PAGINATION_CLASS": "tatracker.drf.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "tatracker.schema.AutoSchema",
    "EXCEPTION_HANDLER": "tatracker.drf.exception_handler",
}
# API tokens expire this many days after they are made (POST /api/v1/token/).
API_TOKEN_TTL = datetime.timedelta(days=env_int("API_TOKEN_DAYS", 30))
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Passkeys (django-otp-webauthn), a second factor beside the authenticator app, never
# a way in alone. They belong to SITE_URL's host name and answer its origin only;
# browsers offer them on HTTPS and on localhost alone (never at an IP address), so
# with another SITE_URL (the default http://127.0.0.1:8000) they work at
# http://localhost:8000.
_SITE = urlsplit(SITE_URL)
_PASSKEYS_AT_SITE = _SITE.scheme == "https" or _SITE.hostname == "localhost"
OTP_WEBAUTHN_RP_NAME = "tatracker"
OTP_WEBAUTHN_RP_ID = _SITE.hostname if _PASSKEYS_AT_SITE else "localhost"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    f"{_SITE.scheme}://{_SITE.netloc}" if _PASSKEYS_AT_SITE else "http://localhost:8000"
]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
SPECTACULAR_SETTINGS = {
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TITLE": "tatracker API",
    "DESCRIPTION": "Technical assistance needs from UNCAC country reviews.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "NeedSourceEnum": "needs.models.Need.Source",
        "AssistanceSourceEnum": "needs.models.Assistance.Source",
        "NeedCoverageEnum": "needs.models.Need.Coverage",
        "LinkCoverageEnum": "needs.models.AssistanceNeed.Coverage",
        "AssistanceStatusEnum": "needs.models.Assistance.Status",
    },
}

# ---------------------------------------------------------------------------
# Health and metrics (tatracker/health.py): /health/, /ready/, /metrics.
# ---------------------------------------------------------------------------
# A scraper reads /metrics with "Authorization: Bearer <METRICS_TOKEN>"; without a
# token set, only the secretariat's browser sessions can.
METRICS_TOKEN = env_str("METRICS_TOKEN")
# Load balancers probe these over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^ready/$", r"^metrics$"]

# ---------------------------------------------------------------------------
# Logging: to standard output; JSON lines in production (LOG_FORMAT=json, the
# default without DEBUG), one per request (tatracker.request) with its request id,
# user id, path, status and duration; warnings and security events besides.
# ---------------------------------------------------------------------------
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "tatracker.observability.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level"},
        },
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "tatracker.request": {"level": env_str("REQUEST_LOG_LEVEL", "INFO")},
        "tatracker.security": {"level": "INFO"},
        "axes": {"level": "INFO"},
    },
}

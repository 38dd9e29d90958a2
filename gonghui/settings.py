"""Settings for gonghui, driven only by GONGHUI_* environment variables.

GONGHUI_ENV=production switches on the production profile: secrets and hosts must then
come from the environment, and the security headers and cookie flags are strict.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"GONGHUI_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value else default


PRODUCTION = env("ENV", "development") == "production"
DEBUG = env_bool("DEBUG", False)
VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))


def _development_keys() -> dict[str, str]:
    """Keys for a development machine, made once and kept under var/ (never committed)."""
    path = VAR_DIR / "development-keys.json"
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        keys = {name: secrets.token_urlsafe(48) for name in ("secret", "audit", "field")}
        path.write_text(json.dumps(keys))
        path.chmod(0o600)
        return keys


def _key(name: str, dev_name: str) -> str:
    value = env(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"GONGHUI_{name} must be set in production")
    return _development_keys()[dev_name]


SECRET_KEY = _key("SECRET_KEY", "secret")
# Earlier secret keys, comma-separated, still accepted for signed values (sessions, password
# reset links) while they expire: how the secret key is changed without signing everyone out.
SECRET_KEY_FALLBACKS = [k for k in env("SECRET_KEY_FALLBACKS").split(",") if k.strip()]
# "aes" (AES-256-GCM, HMAC-SHA256) or "sm" (SM4-GCM, HMAC-SM3: GB/T 39786): the algorithms of
# the current keys. Moving a database from one to the other is a key rotation.
CRYPTO = env("CRYPTO", "aes")


def _keyring(name: str, single: str, dev_name: str) -> list[str]:
    """A keyring from GONGHUI_<name> (comma-separated, the current key first, an older key
    optionally prefixed "aes:" or "sm:" with the algorithms it was used with), or the single
    key GONGHUI_<single> as a ring of one."""
    ring = [key.strip() for key in env(name).split(",") if key.strip()]
    return ring or [_key(single, dev_name)]


# The audit chain's HMAC keys live outside the database, so that whoever can write to the
# database still cannot forge a consistent chain. The first signs; older ones verify the part of
# the chain they signed, up to the event that hands over to the next key.
AUDIT_KEYS = _keyring("AUDIT_KEYS", "AUDIT_KEY", "audit")
# Checkpoints of the audit trail's head, appended outside the database (another disk or host):
# deleting the newest events and rewriting the head row no longer goes unnoticed.
# An audit event whose action no app declared: refused (development, tests) or logged.
AUDIT_STRICT = env_bool("AUDIT_STRICT", DEBUG)
AUDIT_CHECKPOINTS = Path(env("AUDIT_CHECKPOINTS", str(VAR_DIR / "audit-checkpoints.log")))
# An import of at least this many rows is followed by a checkpoint at once.
CHECKPOINT_IMPORT_ROWS = env_int("CHECKPOINT_IMPORT_ROWS", 10_000)
# The field keys, current first: older ones only open what they sealed until `rotate_keys`
# has sealed it again with the current one.
FIELD_KEYS = _keyring("FIELD_KEYS", "FIELD_KEY", "field")

ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not PRODUCTION and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
# How many reverse proxies stand in front (their X-Forwarded-For entries are believed).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    # before django.contrib.auth, whose `changepassword` command accounts replaces
    "gonghui.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "gonghui.core",
    "gonghui.orgs",
    "gonghui.people",
    "gonghui.honours",
    "gonghui.contests",
    "gonghui.services",
    # the shell on top: home, navigation, audit pages, serve and demo
    "gonghui.site",
]

MIDDLEWARE = [
    "gonghui.core.middleware.RequestMetricsMiddleware",  # first: it times the whole answer
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gonghui.core.middleware.RequestContextMiddleware",
    "gonghui.core.middleware.HtmxSignInRedirectMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gonghui.accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "gonghui.accounts.middleware.SecondFactorMiddleware",
    "gonghui.accounts.middleware.PasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gonghui.core.middleware.SecurityHeadersMiddleware",
    "gonghui.core.middleware.NulRefusalMiddleware",  # its refusals get the headers above
]

ROOT_URLCONF = "gonghui.site.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

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
                "gonghui.site.context_processors.navigation",
            ],
        },
    }
]


def _database(url: str) -> dict[str, Any]:
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # IMMEDIATE: a write transaction takes the lock when it starts, so two writers
            # queue instead of failing half-way (select_for_update is a no-op on SQLite).
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"
            ),
        }
    else:
        config.setdefault("OPTIONS", {})
        config["TEST"] = {"NAME": f"test_{config['NAME']}"}
    return config


DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gonghui.sqlite3'}")
if DATABASE_URL.startswith("sqlite:///") and not DATABASE_URL.startswith("sqlite:////"):
    # relative paths are relative to the project, not to wherever the command runs
    DATABASE_URL = f"sqlite:///{(BASE_DIR / DATABASE_URL[len('sqlite:///') :]).resolve()}"
DATABASES = {"default": _database(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
# the pages of signing in: an htmx request redirected to one goes there as a whole page
SIGN_IN_STEPS = [LOGIN_URL, "accounts:mfa_verify", "accounts:mfa_setup"]
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login security (等保 level 3: limit attempts and lock, log out idle sessions).
LOCKOUT_THRESHOLD = env_int("LOCKOUT_THRESHOLD", 5)
LOCKOUT_MINUTES = env_int("LOCKOUT_MINUTES", 15)
# Failed sign-ins per client address, across usernames, within the window: past it, the
# address waits out the window, except for accounts that signed in before from this browser
# or this address within ADDRESS_KNOWN_DAYS (colleagues behind one office address).
ADDRESS_LOCKOUT_THRESHOLD = env_int("ADDRESS_LOCKOUT_THRESHOLD", 20)
ADDRESS_LOCKOUT_MINUTES = env_int("ADDRESS_LOCKOUT_MINUTES", 15)
ADDRESS_KNOWN_DAYS = env_int("ADDRESS_KNOWN_DAYS", 30)
IDLE_TIMEOUT_MINUTES = env_int("IDLE_TIMEOUT_MINUTES", 30)
# Two-step verification (等保: two factors, one cryptographic): a password, then a code from an
# authenticator app (TOTP) or a single-use recovery code. "required": every account enrols at its
# next sign-in (the production default); "optional": accounts that enrolled are asked for a code.
MFA = env("MFA", "required" if PRODUCTION else "optional")
if MFA not in {"required", "optional"}:
    raise ImproperlyConfigured("GONGHUI_MFA is 'required' or 'optional'.")
OTP_TOTP_ISSUER = "gonghui 工会"
OTP_TOTP_THROTTLE_FACTOR = 1  # after n wrong codes, wait 2^(n-1) seconds before the next try
OTP_STATIC_THROTTLE_FACTOR = 1
RECOVERY_CODES = 10
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest spreadsheet accepted for import, and largest it may unpack to (zip bombs).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 200) * 1024 * 1024
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_MB", 2048) * 1024 * 1024
# calamine reserves memory for every cell of a sheet's bounding box: refuse absurd boxes first
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 50_000_000)
# an .xls or .ods sheet is built whole in memory (some 64 bytes a cell): 4 million is 256 MB
IMPORT_MAX_WHOLE_SHEET_CELLS = env_int("IMPORT_MAX_WHOLE_SHEET_CELLS", 4_000_000)
# Uploads checked but never imported nor cancelled are deleted after this many days.
UPLOAD_RETENTION_DAYS = env_int("UPLOAD_RETENTION_DAYS", 7)
# In-app notifications are forgotten by the worker after this many days.
NOTIFICATION_DAYS = env_int("NOTIFICATION_DAYS", 180)
# 送温暖 for a hardship worker: at most so many yuan an occasion, and a person a year
HARDSHIP_WARMTH_PER_OCCASION = env_int("HARDSHIP_WARMTH_PER_OCCASION", 3000)
HARDSHIP_WARMTH_PER_YEAR = env_int("HARDSHIP_WARMTH_PER_YEAR", 6000)
# /readyz: how long a worker may be silent, and how old the latest audit checkpoint may be
READY_WORKER_SECONDS = env_int("READY_WORKER_SECONDS", 120)
READY_CHECKPOINT_HOURS = env_int("READY_CHECKPOINT_HOURS", 2)
# /metrics answers only a scraper that sends this token (Authorization: Bearer …); unset: 404
METRICS_TOKEN = env("METRICS_TOKEN")
# The worker's nightly backup: into this folder (empty: none), after this hour, keeping so many.
BACKUP_DIR = env("BACKUP_DIR")
BACKUP_HOUR = env_int("BACKUP_HOUR", 2)
BACKUP_KEEP = env_int("BACKUP_KEEP", 7)

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Identity numbers and mobiles in request lines (an exact search's query string) are masked
# in every log; gunicorn's access log masks them through gonghui.core.accesslog.GunicornLogger.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal": {"()": "gonghui.core.accesslog.MaskPersonalNumbers"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_personal"],
        },
    },
    "loggers": {
        # the development server's request lines (runserver)
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["mask_personal"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

SILENCED_SYSTEM_CHECKS: list[str] = []
if PRODUCTION and not env_bool("HSTS_PRELOAD", False):
    # Preloading HSTS is a one-way commitment for the whole domain; intranet deployments
    # are not on the public preload list, so this stays a deliberate choice per site.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

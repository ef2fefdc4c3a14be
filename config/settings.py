"""Lumeire's one settings module. Deploy-time values come from ``config.env`` only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_decimal,
    env_int,
    env_list,
    env_networks,
    env_required,
    env_str,
)
from config.storage_url import storages_from_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# --- Core -----------------------------------------------------------------------------------
SECRET_KEY = env_required("SECRET_KEY")
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default="127.0.0.1,localhost")
HTTPS = env_bool("LUMEIRE_HTTPS", default=False)
# The store's own reverse proxies (IPs or CIDRs): only their X-Forwarded-For and
# X-Forwarded-Proto are believed (lumeire.core.client). Empty: nobody's are.
LUMEIRE_TRUSTED_PROXIES = env_networks("LUMEIRE_TRUSTED_PROXIES")
# Who may read /metrics (IPs or CIDRs, as the client address resolves); empty: nobody (404).
LUMEIRE_METRICS_ALLOWED = env_networks("LUMEIRE_METRICS_ALLOWED")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "csp",
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "lumeire.core",
    "lumeire.vault",
    "lumeire.audit",
    "lumeire.staff",
    "lumeire.privacy",
    "lumeire.accounts",
    "lumeire.catalog",
    "lumeire.merchandising",
    "lumeire.cart",
    "lumeire.payments",
    "lumeire.invoicing",
    "lumeire.orders",
    "lumeire.checkout",
    "lumeire.exports",
    "lumeire.compliance",
    "lumeire.storefront",
    "lumeire.backoffice",
    # After the back office, so its admin/base_site.html wins; no autodiscovery: one site only.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "lumeire.api",
    "lumeire.demo",
]

MIDDLEWARE = [
    # First: the client's address and scheme, from the socket or a trusted proxy only.
    "lumeire.core.client.ClientAddressMiddleware",
    # Counts and times every answer, the refusals of the middleware below included.
    "lumeire.core.metrics.MetricsMiddleware",
    # Lockout and rate-limit counters unreachable: 503 with Retry-After, never a 500.
    "lumeire.core.outage.SharedStoreOutageMiddleware",
    "lumeire.core.middleware.RequestIdMiddleware",
    # The access log (gunicorn's own is off: config/gunicorn_conf.py).
    "lumeire.core.request_log.RequestLogMiddleware",
    # NUL and lone surrogates in the path, query, headers or a form: a 400 before any use.
    "lumeire.core.input_guard.UnsafeTextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A restored database serves nothing until its erasures are replayed (erasure_replay).
    "lumeire.privacy.restore_gate.ErasureReplayGateMiddleware",
    "lumeire.core.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside session, CSRF and messages, so it sees (and polices) every cookie they set.
    "lumeire.privacy.middleware.CookieConsentMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lumeire.accounts.middleware.SessionLimitsMiddleware",
    # Addresses a compliance case blocked may browse but not sign in, sign up or order.
    "lumeire.compliance.middleware.AddressBlockMiddleware",
    "lumeire.storefront.policy_gate.PolicyAcceptanceMiddleware",
    "lumeire.accounts.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Benchmarks serve bench.urls: the store unchanged plus a bare page as the framework floor.
ROOT_URLCONF = env_str("LUMEIRE_ROOT_URLCONF", "config.urls")
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lumeire" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "lumeire.core.context_processors.store",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'lumeire.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the storefront read while a write (an order, a key rotation batch) commits.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A one-letter typo in a short word scores about 0.5 word similarity; the default is 0.6.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c pg_trgm.word_similarity_threshold=0.45"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
# Each Redis call (connect, then answer) gives up after this long; after a failure the worker
# process leaves Redis alone for a few seconds (lumeire.core.cache), so an outage costs a page
# one short wait now and then, never seconds on every call.
LUMEIRE_REDIS_TIMEOUT_MS = env_int("LUMEIRE_REDIS_TIMEOUT_MS", 250)
_REDIS_OPTIONS = {
    "socket_timeout": LUMEIRE_REDIS_TIMEOUT_MS / 1000,
    "socket_connect_timeout": LUMEIRE_REDIS_TIMEOUT_MS / 1000,
}
if REDIS_URL:
    # Without Redis the store serves without this cache: a miss, never an error.
    CACHES = {
        "default": {
            "BACKEND": "lumeire.core.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lumeire",
            "OPTIONS": _REDIS_OPTIONS,
        }
    }
else:
    # Room for the cached catalogue fragments of a large store (the default keeps only 300).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
# Sessions live in the database, Redis or not: a cache outage must sign nobody out, and a
# sign-out made while the cache is unreachable must not come back when it returns.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Whole catalogue pages for visitors without a session, each worker its own copy (no network
# round trip); keyed by the catalogue version (a database row), so a staff edit retires them
# everywhere.
# Bounded by bytes (pages are stored compressed, about 3 KB a product page): 48 MB holds some
# 14,000 pages, a 2,000-product catalogue in both languages several times over; the least
# recently used page goes first. The workers of a machine share what they render through a
# folder (var/pages/, or LUMEIRE_PAGE_SHARE_DIR: the systemd unit's runtime folder), so each page
# is rendered once per machine (lumeire.storefront.page_memory).
CACHES["pages"] = {
    "BACKEND": "lumeire.storefront.page_memory.PageMemoryCache",
    "LOCATION": "lumeire-pages",
    "OPTIONS": {
        "MAX_ENTRIES": 50_000,
        "MAX_BYTES": 48 * 2**20,
        "SHARED_DIR": Path(env_str("LUMEIRE_PAGE_SHARE_DIR") or VAR_DIR / "pages"),
    },
}
# What every worker process must agree on (lockout and rate-limit counters): Redis when there
# is one, otherwise a database table. Local memory would give each worker its own count. It
# fails closed: while Redis is away, sign-in and rate-limited actions answer 503 with
# Retry-After (lumeire.core.outage) rather than count nothing.
CACHES["shared"] = (
    {
        "BACKEND": "lumeire.core.cache.FailClosedRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "lumeire-shared",
        "OPTIONS": _REDIS_OPTIONS,
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "lumeire_shared_cache",
    }
)

# Background tasks (django-tasks): queued in the database, run by `manage.py task_worker`
# (lumeire.core.worker), which `make run` starts beside gunicorn and which also queues the
# periodic tasks, one run per slot across all nodes. Tests switch to the immediate backend.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Each worker beats this often; a RUNNING task whose worker has been silent for the lease goes
# back to the queue and runs again, at most LUMEIRE_TASK_MAX_ATTEMPTS times in all.
LUMEIRE_TASK_HEARTBEAT_SECONDS = env_int("LUMEIRE_TASK_HEARTBEAT_SECONDS", 5)
LUMEIRE_TASK_LEASE_SECONDS = env_int("LUMEIRE_TASK_LEASE_SECONDS", 60)
LUMEIRE_TASK_MAX_ATTEMPTS = env_int("LUMEIRE_TASK_MAX_ATTEMPTS", 5)
# A periodic task is overdue (ERROR log line, back office notice) once a slot's run has not
# succeeded this long after the slot ended.
LUMEIRE_PERIODIC_GRACE_SECONDS = env_int("LUMEIRE_PERIODIC_GRACE_SECONDS", 120)
# Export files: sealed, outside MEDIA_ROOT and static files, never behind a URL.
LUMEIRE_EXPORTS_DIR = VAR_DIR / "exports"
# Audit checkpoint archives: the sealed entries that left the live audit log (see lumeire/audit).
LUMEIRE_AUDIT_ARCHIVE_DIR = VAR_DIR / "audit-archive"
# Signed heads of the audit log, written every minute outside the database (see lumeire/audit):
# best on a volume or host that those who administer the database cannot write.
LUMEIRE_AUDIT_ANCHOR_DIR = Path(env_str("LUMEIRE_AUDIT_ANCHOR_DIR") or VAR_DIR / "audit-anchors")
# The erasure journal: one signed line per destroyed data key, kept outside the database (and so
# outside its backups) and replayed after a restore by `manage.py erasure_replay`. Back it up apart.
LUMEIRE_ERASURE_JOURNAL_DIR = Path(
    env_str("LUMEIRE_ERASURE_JOURNAL_DIR") or VAR_DIR / "erasure-journal"
)

# --- Accounts and passwords -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins before any password check
    # Permissions come from the staff roles only (lumeire/staff/access.py); before the sign-in
    # backend, whose group and account permissions it overrules.
    "lumeire.staff.backends.StaffRoleBackend",
    "lumeire.accounts.backends.LoginBackend",
]
LOGIN_URL = "storefront:sign_in"
PASSWORD_HASHERS = [
    "lumeire.accounts.hashers.StoreArgon2PasswordHasher",  # argon2id, 64 MiB, t=2, p=2
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # legacy hashes verify, then upgrade
]
LUMEIRE_PASSWORD_MIN_LENGTH = env_int("LUMEIRE_PASSWORD_MIN_LENGTH", 15)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "lumeire.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": LUMEIRE_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "lumeire.accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {
        "NAME": "lumeire.accounts.validators.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "email")},
    },
    {"NAME": "lumeire.accounts.validators.CommonPasswordValidator"},
    {"NAME": "lumeire.accounts.validators.ContextWordsValidator"},
]
LUMEIRE_MIN_AGE = env_int("LUMEIRE_MIN_AGE", 18)
LUMEIRE_RECOVERY_LINK_LIFETIME = timedelta(minutes=env_int("LUMEIRE_RECOVERY_LINK_MINUTES", 15))
LUMEIRE_RECOVERY_PER_LOGIN_PER_HOUR = 5
LUMEIRE_RECOVERY_PER_CLIENT_PER_HOUR = 20
# Sign-ups: per client address (then 429), and per email address typed (then nothing is sent,
# and the answer is unchanged, whether or not the address has an account).
LUMEIRE_SIGN_UPS_PER_CLIENT_PER_HOUR = 10
LUMEIRE_SIGN_UPS_PER_EMAIL_PER_HOUR = 3
LUMEIRE_API_TOKEN_LIFETIME = timedelta(days=30)
# Sessions: 30 minutes idle (SESSION_COOKIE_AGE), 12 hours in all; "remember me" keeps browsing
# and the cart for 30 days, but sensitive changes ask for the password after 30 minutes.
LUMEIRE_SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
LUMEIRE_REMEMBER_ME_LIFETIME = timedelta(days=30)
LUMEIRE_REAUTHENTICATE_AFTER = timedelta(minutes=30)

# Lockout (django-axes): 5 failures per login, or per client address, lock for 15 minutes.
# Logins and addresses are counted only as keyed hashes (lumeire.accounts.lockout).
AXES_FAILURE_LIMIT = env_int("LUMEIRE_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LUMEIRE_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A good sign-in clears its account's count (lumeire.accounts.lockout.forget_failures_of) but
# not the address's: otherwise one valid account could launder guesses against others.
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_STR_CALLABLE = "lumeire.accounts.lockout.axes_client_str"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "lumeire.accounts.lockout.SharedCacheAxesHandler"
AXES_CACHE = "shared"
AXES_USERNAME_CALLABLE = "lumeire.accounts.lockout.axes_login_key"
AXES_CLIENT_IP_CALLABLE = "lumeire.accounts.lockout.axes_client_key"
AXES_USERNAME_FORM_FIELD = "login"
AXES_LOCKOUT_CALLABLE = "lumeire.accounts.lockout.lockout_response"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True

# --- Email: files in var/mail/ locally, SMTP in production ----------------------------------
# One .eml file per message and recipient, mode 0600, in a 0700 folder.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "lumeire.core.mail.MailFolderBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Lumeire <no-reply@lumeire.example>")
# Links in emails are built from this address, never from the request's Host header.
LUMEIRE_SITE_URL = env_str("LUMEIRE_SITE_URL", "http://127.0.0.1:8000")

# --- Sessions, cookies and HTTPS -------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 30 * 60
# The idle clock is restarted by lumeire.accounts.sessions.renew_idle_clock, written at most once
# a minute, rather than by saving the session on every request.
SESSION_SAVE_EVERY_REQUEST = False
LANGUAGE_COOKIE_NAME = "lumeire_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
if HTTPS:
    # The __Host- prefix makes the browser refuse these cookies without Secure, a Domain or "/".
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    # The balancer's health checks and the metrics scrape reach each node in plain HTTP on the
    # private network: a redirect there would take every node out of the balancer.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # No SECURE_PROXY_SSL_HEADER: it would believe X-Forwarded-Proto from anyone. The scheme
    # comes from lumeire.core.client.ClientAddressMiddleware (trusted proxies only).
else:
    SESSION_COOKIE_NAME = "lumeire_session"
    CSRF_COOKIE_NAME = "lumeire_csrftoken"

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(self), usb=(), interest-cohort=()"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
    }
}

# --- Languages ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "lumeire" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Riyadh"
# One date format per language, everywhere (Arabic month names and the Arabic comma).
FORMAT_MODULE_PATH = ["lumeire.core.formats"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded files and their folders are the store's own (Django's default is 0644).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Photos, exports, audit archives and anchors: folders under var/ when LUMEIRE_STORAGE_URL is
# empty, else one S3-compatible bucket every node shares (config/storage_url.py). Static files
# ship with each release.
LUMEIRE_STORAGE_URL = env_str("LUMEIRE_STORAGE_URL", "")
STORAGES = {
    **storages_from_url(
        LUMEIRE_STORAGE_URL,
        access_key=env_str("AWS_ACCESS_KEY_ID"),
        secret_key=env_str("AWS_SECRET_ACCESS_KEY"),
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- The store ------------------------------------------------------------------------------
LUMEIRE_STORE_NAME = "Lumeire"
LUMEIRE_CURRENCY = env_str("LUMEIRE_CURRENCY", "SAR")
LUMEIRE_VAT_RATE = env_decimal("LUMEIRE_VAT_RATE", "0.15")
# Cards are taken by this gateway (a lumeire.payments.gateway.PaymentGateway); the built-in test
# gateway charges no real card.
LUMEIRE_CARD_GATEWAY = "lumeire.payments.test_gateway.TestGateway"
# Printed on every invoice and in its ZATCA QR code: the seller's registered names and VAT
# registration number (15 digits, first and last a 3).
LUMEIRE_SELLER_NAME_EN = env_str("LUMEIRE_SELLER_NAME_EN", "Lumeire Trading Co.")
LUMEIRE_SELLER_NAME_AR = env_str("LUMEIRE_SELLER_NAME_AR", "شركة لوميير للتجارة")
LUMEIRE_VAT_NUMBER = env_str("LUMEIRE_VAT_NUMBER", "300000000000003")
# Countries the store delivers to (ISO 3166 codes); addresses elsewhere are refused at checkout.
LUMEIRE_SHIPPING_COUNTRIES = tuple(env_list("LUMEIRE_SHIPPING_COUNTRIES") or ["SA"])
# Retention and erasure (days); `manage.py purge_expired` applies them.
LUMEIRE_ERASURE_GRACE_DAYS = env_int("LUMEIRE_ERASURE_GRACE_DAYS", 14)
LUMEIRE_GUEST_CART_DAYS = env_int("LUMEIRE_GUEST_CART_DAYS", 30)
# A guest order's contact and delivery details: this many days after it is delivered, cancelled
# or refunded (docs/decisions/0021-guest-orders.md).
LUMEIRE_GUEST_ORDER_DAYS = env_int("LUMEIRE_GUEST_ORDER_DAYS", 30)
LUMEIRE_SIGN_IN_EVENT_DAYS = env_int("LUMEIRE_SIGN_IN_EVENT_DAYS", 180)
LUMEIRE_INACTIVE_ACCOUNT_DAYS = env_int("LUMEIRE_INACTIVE_ACCOUNT_DAYS", 1095)
# Audit entries older than this move into a signed checkpoint and its archive file.
LUMEIRE_AUDIT_LIVE_DAYS = env_int("LUMEIRE_AUDIT_LIVE_DAYS", 730)
# Irregular activity (lumeire/compliance): rule overrides as {"rule": {"threshold": 8, ...}},
# rules turned off, how often the sweep runs, how long cases are kept, address blocks.
LUMEIRE_DETECTION_RULES: dict[str, dict[str, object]] = {}
LUMEIRE_DETECTION_OFF = tuple(env_list("LUMEIRE_DETECTION_OFF"))
LUMEIRE_DETECTION_SWEEP_MINUTES = env_int("LUMEIRE_DETECTION_SWEEP_MINUTES", 15)
LUMEIRE_CASE_RETENTION_DAYS = env_int("LUMEIRE_CASE_RETENTION_DAYS", 5 * 365)
LUMEIRE_DISMISSED_CASE_DAYS = env_int("LUMEIRE_DISMISSED_CASE_DAYS", 90)
LUMEIRE_ADDRESS_BLOCK_HOURS = env_int("LUMEIRE_ADDRESS_BLOCK_HOURS", 72)
# Searches by identity number are reveals: each staff member may make this many an hour.
LUMEIRE_IDENTITY_SEARCHES_PER_HOUR = env_int("LUMEIRE_IDENTITY_SEARCHES_PER_HOUR", 10)
# How often the background worker runs the retention pass (minutes).
LUMEIRE_PURGE_EVERY_MINUTES = env_int("LUMEIRE_PURGE_EVERY_MINUTES", 24 * 60)

# The vault: keys never live in the database. The first master key encrypts; retired ones
# still decrypt until `manage.py vault_rotate` has re-wrapped every data key.
LUMEIRE_MASTER_KEY = env_required("LUMEIRE_MASTER_KEY")
LUMEIRE_MASTER_KEYS_RETIRED = env_list("LUMEIRE_MASTER_KEYS_RETIRED")
LUMEIRE_BLIND_INDEX_KEY = env_required("LUMEIRE_BLIND_INDEX_KEY")
LUMEIRE_VAULT_KEY_CACHE_SECONDS = env_int("LUMEIRE_VAULT_KEY_CACHE_SECONDS", 30)

# Identity numbers: the country rule is pluggable; the Saudi check digit is a setting because
# no official publication of the algorithm exists.
LUMEIRE_IDENTITY_VALIDATOR = "lumeire.core.identity.validate_saudi_identity_number"
LUMEIRE_IDENTITY_CHECK_DIGIT = env_bool("LUMEIRE_IDENTITY_CHECK_DIGIT", default=True)

# --- Logging: JSON lines, request id on every record, nothing personal ----------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "lumeire.core.logging.RequestIdFilter"},
        "private_request": {"()": "lumeire.core.logging.PrivateRequestFilter"},
    },
    "formatters": {"json": {"()": "lumeire.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id", "private_request"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger would print URLs with query strings; our middleware logs instead.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # One line per request (lumeire.core.request_log), kept at INFO whatever LOG_LEVEL says.
        "lumeire.requests": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # The storage bucket's client libraries: their debug lines name objects, hosts and
        # thread ids, and could carry signed URLs; warnings and errors only, whatever LOG_LEVEL.
        **{
            name: {"level": "WARNING"}
            for name in ("boto3", "botocore", "s3transfer", "urllib3", "storages")
        },
    },
}

SILENCED_SYSTEM_CHECKS: list[str] = []

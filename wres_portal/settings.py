"""Settings for WRES Portal: one module, every difference between environments is an environment
variable (listed in .env.example and the README).

Local mode: with no DATABASE_URL the portal uses an embedded SQLite database, and with no REDIS_URL
Celery tasks run eagerly in the web process. Production sets both, plus SECRET_KEY, ALLOWED_HOSTS
and HTTPS=true.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# Core ---------------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
DATABASE_URL = env.str("DATABASE_URL", default="")
# The role the application runs as in production (not the owner that runs migrations): `migrate`
# grants it what it needs and nothing that could rewrite or skip the audit trail (audit/roles.py).
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="")
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DATABASE_URL and not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is set and DEBUG is off.")
    # Only for local SQLite runs (make demo, make test); `check --deploy` flags it.
    SECRET_KEY = "django-insecure-local-only-wres-portal-key-not-for-production"  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SERVICE_NAME = "WRES Portal"
# Public address used in emails sent outside a request (invitations, reminders).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # intcomma: counts of a thousand or more written with commas, as GOV.UK style has them
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "wres_portal",  # plumbing models (API idempotency keys) and tasks
    "accounts",
    "submissions",
    "metrics",
    "actionplans",
    "pgtrigger",
    "pghistory",
    "audit",  # after the apps whose models it tracks
    "portal",  # the pages that gather from every app: the top layer
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Under /api/: refuses cross-origin preflights, and makes every error a problem document.
    "wres_portal.api_errors.ApiProblemMiddleware",
    # Refuses a body over MAX_REQUEST_BYTES before anything reads it (issue 13, L8), and a NUL byte
    # (%00) in the address with a 400 naming the parameter.
    "wres_portal.middleware.RequestLimitsMiddleware",
    # Cache-Control: no-store on everything not explicitly public (issue 13, L10); outside the
    # others so that it sees the user set by session or API token authentication.
    "wres_portal.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    # RateLimit headers on API responses (the limits themselves are DRF throttles).
    "wres_portal.throttling.RateLimitHeadersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, taking the user read with the session (accounts.sessions).
    "accounts.middleware.AuthenticationMiddleware",
    # Sets request.user.is_verified(); then users who must (or chose to) use a second factor may
    # open only the sign-in, set-up and sign-out pages until they have entered a code.
    "accounts.middleware.OTPMiddleware",
    "accounts.middleware.MFARequiredMiddleware",
    # Audit trail: records the signed-in user and URL with every change (PostgreSQL only).
    "audit.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "wres_portal.urls"
WSGI_APPLICATION = "wres_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# Database -----------------------------------------------------------------------------------------
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The hot read statements (wres_portal/prepared.py) are prepared after 5 runs on a connection
        # and planned once; Django's own cursors bind in the client and are never prepared.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3")),
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Keep a web or worker process's connection open between requests (a new PostgreSQL connection costs
# several milliseconds, more than a whole page's queries: issue 7), checked before reuse.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when available (shared by web and workers), memory otherwise -------------------------
REDIS_URL = env.str("REDIS_URL", default="")
#: Seconds to connect to, and to wait for an answer from, Redis on the web side: a hung Redis (one
#: that accepts connections and answers nothing) is then a cache miss or a task queued later, never
#: a wait; on one network Redis answers in well under a millisecond.
REDIS_TIMEOUT = 0.25
REDIS_CLIENT_OPTIONS = {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT}
if REDIS_URL:
    # Cache reads and writes that cannot reach Redis are a miss and a no-op (wres_portal/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "wres_portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CLIENT_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Accounts and authentication ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend, refusing a sign-in while it is paused after wrong passwords
    # (accounts/signin_throttle.py).
    "accounts.signin_throttle.ThrottledModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link lasts one day
INVITATION_VALID_DAYS = 7

# Sign-in throttling (accounts/signin_throttle.py): per email address and client address, the first
# wrong passwords are free, then each makes the next try wait longer (15 s, 30 s, 1 min... up to 15
# minutes); per client address, SIGN_IN_ADDRESS_FAILURE_LIMIT wrong passwords for any accounts in 15
# minutes pause sign-in from that address for the rest of the 15 minutes.
SIGN_IN_FAILURES_BEFORE_DELAY = env.int("SIGN_IN_FAILURES_BEFORE_DELAY", default=5)
SIGN_IN_FIRST_DELAY_SECONDS = 15
SIGN_IN_MAX_DELAY_SECONDS = 15 * 60
SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=50)
# How many reverse proxies of ours add to X-Forwarded-For in front of the app (wres_portal/net.py):
# the client address is the entry that many places from the right. 0: no proxy, the header is
# ignored. docker-compose.yml sets 1 (the TLS proxy it requires in front).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Multi-factor sign-in (django-otp): an authenticator app (TOTP) plus 10 single-use recovery codes.
# Senior sponsors, analysts and administrators must use it; everyone else may. Only `make demo`
# turns enforcement off (so the demo users can sign in without an authenticator app); API tokens
# are for systems and are not asked for a code.
MFA_REQUIRED_ROLES_ENFORCED = env.bool("MFA_REQUIRED_ROLES_ENFORCED", default=True)
MFA_RECOVERY_CODE_COUNT = 10
OTP_TOTP_ISSUER = "WRES Portal"
OTP_TOTP_THROTTLE_FACTOR = 1  # after n failures, wait 2^(n-1) seconds before the next try
OTP_STATIC_THROTTLE_FACTOR = 1

# Sessions end after 30 minutes without activity. Every page warns SESSION_WARNING_SECONDS before
# the end and offers to stay signed in (WCAG 2.2.1): static/js/session-timeout.mjs.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_WARNING_SECONDS = min(2 * 60, SESSION_COOKIE_AGE // 2)
# The inactivity clock is restarted at most once a minute (accounts.middleware.
# SessionRefreshMiddleware), in a signed cookie rather than by writing the session (issue 7: that
# write was a transaction per page; issue 18: not even once a minute). Sessions stay in the
# database only: not in Redis, whose outage must neither sign everyone out nor (a delete lost
# meanwhile) bring a signed-out session back.
SESSION_ENGINE = "accounts.sessions"
SESSION_REFRESH_SECONDS = 60
# The session row's own expiry: the inactivity clock rides in a signed cookie between writes, so the
# row is written at sign-in and then about every SESSION_STORE_SECONDS - SESSION_COOKIE_AGE of use.
SESSION_STORE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused form comes back with its answers and a fresh token, not Django's plain page (issue 15).
CSRF_FAILURE_VIEW = "wres_portal.csrf.csrf_failure"

# Security headers ---------------------------------------------------------------------------------
HTTPS = env.bool("HTTPS", default=False)  # true in production, behind TLS
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy (django-csp 4): no inline script or style on any page, the API
# documentation included (wres_portal/api_docs.py). Charts and the QR code are inline SVG
# with presentation attributes, which are not inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Email: console in local mode; EMAIL_URL (e.g. smtp+tls://user:pass@host:587) in production ------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds before a mail server that stops answering counts as a failed send (wres_portal/emails.py retries).
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="WRES Portal <no-reply@wres-portal.invalid>")

# Static files: built by npm into static_build/, served by WhiteNoise ------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "static_build"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "wres_portal.storage.StaticStorage"},
}
# Uploaded returns are parsed in memory and never written to a public location. Nothing routes
# MEDIA_URL (no static() helper, no WhiteNoise root for it): tests/accounts/test_security.py checks.
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "private_media"))
MEDIA_URL = "/media/"
# Request bodies (issue 13, L8): wres_portal.middleware.RequestLimitsMiddleware answers 413 to a
# declared body over MAX_REQUEST_BYTES before anything reads it (a 5 MB upload and its form fields
# fit), so an upload is never spooled to disk; other fields and JSON bodies may hold 1 MB in all.
# The proxy in front should refuse bodies over 6 MB too (nginx: client_max_body_size 6m).
MAX_REQUEST_BYTES = 5 * 1024 * 1024 + 512 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 2

# Internationalisation -----------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

# REST API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first, so an anonymous API request gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Every API view: signed in, and a token's scope large enough (accounts/authentication.py).
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.authentication.TokenScopePermission",
    ],
    # JSON in and out; an operation that takes a file says MultiPartParser itself. One encoding per
    # operation, so generated clients have one way to call each.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["wres_portal.renderers.JSONRenderer"],
    "URL_FORMAT_OVERRIDE": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "wres_portal.api_schema.AutoSchema",
    # Lists (wres_portal/api_lists.py): cursor pages, django-filter filters, strict ordering.
    "DEFAULT_PAGINATION_CLASS": "wres_portal.api_lists.CursorPage",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "wres_portal.api_lists.StrictOrderingFilter",
    ],
    # Every error an RFC 9457 problem document (wres_portal/problems.py).
    "EXCEPTION_HANDLER": "wres_portal.api_errors.exception_handler",
    # Rate limits for the whole API, per token and per client address (wres_portal/throttling.py):
    # 429 with Retry-After past a limit, RateLimit and RateLimit-Policy headers on every response.
    # ApiGate, last, limits nothing: it refuses unknown query parameters and honours
    # Idempotency-Key on every POST (wres_portal/api_gate.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "wres_portal.throttling.ApiRateThrottle",
        "wres_portal.api_gate.ApiGate",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("API_RATE_PER_TOKEN", default="300/minute"),
        "address": env.str("API_RATE_PER_ADDRESS", default="600/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "WRES Portal API",
    "DESCRIPTION": "Submit and read Social Care WRES returns. Every endpoint is scoped to the "
    "caller's authority; objects of other authorities answer 404.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and Swagger UI are for signed-in users and token holders only (issue 13).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name for the services wherever a field lists them (a row's service, remove_services).
    "ENUM_NAME_OVERRIDES": {
        "ServiceEnum": "submissions.schema.SERVICES",
        # Statuses, each with its own name (several are called `status`).
        "ReturnStatusEnum": "submissions.apis.RETURN_STATUSES",
        "ReturnEventActionEnum": "submissions.models.ReturnEvent.Action",
        "VersionSourceEnum": "submissions.models.ReturnVersion.Source",
        "PlanStatusEnum": "actionplans.apis.PLAN_STATUSES",
        "ActionStatusEnum": "actionplans.models.Action.Status",
        "QuarterlyReportStatusEnum": "actionplans.models.QuarterlyReport.Status",
    },
    # Operations are named and grouped after /api/v1/ (authorities_returns_submit_create, ...).
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # A number in a path (`<int64:...>`, wres_portal/converters.py): an integer, at most 2**63 - 1.
    "PATH_CONVERTER_OVERRIDES": {
        "int64": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 2**63 - 1}
    },
    # Requests and responses as separate components, so a file is `format: binary` in requests and
    # read-only fields stay out of request bodies: generated clients get types that fit both.
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVERS": [{"url": SITE_URL, "description": "This portal"}],
    # One schema built at a time in a process: drf-spectacular is not thread-safe (api_schema.py).
    "DEFAULT_GENERATOR_CLASS": "wres_portal.api_schema.SchemaGenerator",
    # What every operation shares (problem responses, Idempotency-Key, Location on 201, examples):
    # wres_portal/api_schema.py.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "wres_portal.api_schema.postprocess",
    ],
}

# Celery -------------------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = 5 * 60
CELERY_TASK_TIME_LIMIT = 6 * 60
# Longer than the longest task, so a task in progress is not redelivered to a second worker. A task
# whose worker died (acks late) goes back on the queue after this many seconds. Only the worker-fault
# test (tests/test_worker_faults.py) shortens it, for the worker it starts.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60),
    # Publishing (web requests, beat) gives up quickly on a hung broker: the task is then done by
    # the sweeps. Workers restore the defaults when they start (wres_portal/celery.py), since their
    # blocking reads wait longer than this by design.
    **REDIS_CLIENT_OPTIONS,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0,
    "interval_max": 0,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE

# Audit trail (django-pghistory, audit/) ------------------------------------------------
# Triggers are installed after every migrate rather than through migrations, so tracking a model
# adds no migration to the app that owns it. pgtrigger skips databases that are not PostgreSQL.
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = True
# Each event is stamped with the time of the change itself, not the start of its transaction, so
# the history reads in the order things happened.
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"

# Logging ------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"pgtrigger": {"level": "WARNING"}},
}

# Forms render with GOV.UK Design System markup (templates/includes/forms/).
FORM_RENDERER = "wres_portal.forms_rendering.GovukFormRenderer"

"""Settings for the IPS job-development CRM.

Everything comes from environment variables with development defaults; see the
configuration table in README.md. Production (DEBUG off) refuses to start without a
real SECRET_KEY.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

_DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY") or _DEVELOPMENT_SECRET_KEY
if not DEBUG and (
    SECRET_KEY == _DEVELOPMENT_SECRET_KEY
    or SECRET_KEY.startswith("django-insecure")
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off "
        "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_dramatiq",
    "dramatiq_crontab",
    "django_htmx",
    "axes",
    "csp",
    "simple_history",
    "crm",
    "employers",
    "placements",
    "jobdev",
    "rest_framework",
    "drf_spectacular",
    "integrations.calendar",
    "integrations.api",
    "integrations.webhooks",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Security headers on every response from here on (not on static files).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "crm.middleware.NoStoreMiddleware",
    "crm.middleware.NulBytesRefusedMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "crm.middleware.SessionIdleMiddleware",
    "crm.middleware.ProgramTimeZoneMiddleware",
    "crm.middleware.AccessScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "crm.errors.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm.middleware.scope",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
(BASE_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Background threads (embedded worker and scheduler) write too: wait for the lock
    # instead of failing at once, and use WAL so readers never block the writer.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file too: the in-memory database's shared cache fails concurrent
    # writers ("table is locked") instead of making them wait.
    # One file per test process, so that parallel runs never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: our queries are short, and a long generated one (a dashboard's) had LLVM
    # compile it for minutes, deaf to statement_timeout and cancellation.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "crm.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out login is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A password-reset link works once, for this long.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT_MINUTES", "60")) * 60
# Password-reset requests an hour from one client address, and emails an hour to one
# address (crm.account_views.password_reset_allowed); over them, no email leaves.
PASSWORD_RESET_LIMIT_PER_CLIENT = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_CLIENT", "10"))
PASSWORD_RESET_LIMIT_PER_EMAIL = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_EMAIL", "3"))
# Wrong current passwords an hour on the password-change page, per account.
PASSWORD_CHANGE_FAILURE_LIMIT = int(os.environ.get("PASSWORD_CHANGE_FAILURE_LIMIT", "5"))

# Sessions end when the browser closes, or after SESSION_IDLE_MINUTES without a request
# of the user's own (crm.middleware.SessionIdleMiddleware slides the expiry; calendar
# feeds and background polling do not).
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "60"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# Email (password resets): printed on the console in development; SMTP in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_SSL:
    EMAIL_USE_TLS = False  # implicit TLS (port 465) and STARTTLS exclude each other
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "IPS CRM <no-reply@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Brute-force protection: 5 failures for a username from one address lock it for an hour.
# The address is the client's, also behind reverse proxies (crm/client_address.py):
# TRUSTED_PROXY_COUNT is the number of proxies in front of the app that each append to
# X-Forwarded-For (0: the app is reached directly and the header is ignored).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "crm.client_address.client_ip_address"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Internationalisation: English and French; the header switch sets the language cookie.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "crm" / "locale"]
FORMAT_MODULE_PATH = ["crm.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
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

# Security: Django's secure defaults, hardened when DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles and everything else from this
# site only; no inline script or style, no eval (htmx is configured for it in
# base.html), no framing, forms post here only. Images may be data: URLs (the admin).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Powerful browser features the app never uses are off for it and anything it embeds
# (only features Chromium and Firefox recognise: an unknown one is a console warning).
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# The cache holds the password-reset limits' counters only. With Redis (services mode)
# every web process shares them; without, each process counts on its own.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "ips-crm"),
        }
    }

# Background work: dramatiq. Redis when REDIS_URL is set (services mode); otherwise
# an in-memory broker whose worker runs inside the `make run` process (embedded mode).
# Middleware is listed explicitly: django-dramatiq's default list names a Prometheus
# middleware that dramatiq 2 removed.
REDIS_URL = os.environ.get("REDIS_URL", "")
DRAMATIQ_MIDDLEWARE = [
    "dramatiq.middleware.AgeLimit",
    "dramatiq.middleware.TimeLimit",
    "dramatiq.middleware.Callbacks",
    "dramatiq.middleware.Retries",
    "dramatiq.middleware.CurrentMessage",
    "django_dramatiq.middleware.DbConnectionsMiddleware",
]
if REDIS_URL:
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.redis.RedisBroker",
        "OPTIONS": {"url": REDIS_URL, "namespace": os.environ.get("DRAMATIQ_NAMESPACE", "ips-crm")},
        "MIDDLEWARE": DRAMATIQ_MIDDLEWARE,
    }
else:
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.stub.StubBroker",
        "OPTIONS": {},
        "MIDDLEWARE": DRAMATIQ_MIDDLEWARE,
    }
# Actors live in tasks.py; handlers.py modules are imported by their AppConfig.ready().
DRAMATIQ_AUTODISCOVER_MODULES = ["tasks"]
# dramatiq-crontab's own tasks module is a minute-by-minute heartbeat that only writes
# a decorative line to the log: the worker does not load it.
DRAMATIQ_IGNORED_MODULES = ["dramatiq_crontab.tasks"]
# Events (docs/events.md): a failed handler is tried again after these delays, in
# minutes, in order (the last one repeats), by the minute sweep; after
# EVENT_HANDLER_MAX_ATTEMPTS attempts it is shown to program admins as failed. A
# pending event whose message was lost is sent again after the grace period.
EVENT_RETRY_DELAYS_MINUTES = [int(m) for m in env_list("EVENT_RETRY_DELAYS_MINUTES", "1,5,15,60")]
if not EVENT_RETRY_DELAYS_MINUTES or min(EVENT_RETRY_DELAYS_MINUTES) < 1:
    raise ImproperlyConfigured("EVENT_RETRY_DELAYS_MINUTES must list whole minutes from 1, e.g. 1,5,15,60.")
EVENT_HANDLER_MAX_ATTEMPTS = int(os.environ.get("EVENT_HANDLER_MAX_ATTEMPTS", "5"))
EVENT_RESEND_GRACE_SECONDS = int(os.environ.get("EVENT_RESEND_GRACE_SECONDS", "60"))
# A dispatch running longer than this is stopped by dramatiq; the attempt still counts.
EVENT_HANDLER_TIME_LIMIT_SECONDS = int(os.environ.get("EVENT_HANDLER_TIME_LIMIT_SECONDS", "300"))
# The scheduler (`manage.py runscheduler`) holds a Redis lock so only one acts at a
# time, refreshes it every LOCK_REFRESH_INTERVAL seconds (it expires after
# LOCK_TIMEOUT), and re-takes it if Redis lost it (docs/operations.md).
DRAMATIQ_CRONTAB = {
    "REDIS_URL": REDIS_URL or None,
    # A second scheduler waits this long for the lock, then exits.
    "LOCK_BLOCKING_TIMEOUT": int(os.environ.get("SCHEDULER_LOCK_WAIT_SECONDS", "15")),
    "LOCK_REFRESH_INTERVAL": int(os.environ.get("SCHEDULER_LOCK_REFRESH_SECONDS", "5")),
    "LOCK_TIMEOUT": int(os.environ.get("SCHEDULER_LOCK_TIMEOUT_SECONDS", "10")),
    "LOCK_NAME": os.environ.get("SCHEDULER_LOCK_NAME", "dramatiq-scheduler"),
}

# Calendar feeds (iCal): the date window each feed covers, how long a cancelled visit
# stays (as CANCELLED) so subscribed calendars remove it, and the refresh hint.
CALENDAR_PAST_DAYS = int(os.environ.get("CALENDAR_PAST_DAYS", "90"))
CALENDAR_FUTURE_DAYS = int(os.environ.get("CALENDAR_FUTURE_DAYS", "365"))
CALENDAR_CANCELLED_GRACE_DAYS = int(os.environ.get("CALENDAR_CANCELLED_GRACE_DAYS", "30"))
CALENDAR_REFRESH_MINUTES = int(os.environ.get("CALENDAR_REFRESH_MINUTES", "60"))

# The audit history is read-only: a revert would bypass the services and their events.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Partner REST API (integrations/api, docs/api.md) -------------------------------------
# Swagger UI's files served from this site (the CSP allows nothing else).
INSTALLED_APPS += ["drf_spectacular_sidecar"]
# Requests per partner key and per staff user (DRF rate: "<n>/<second|minute|hour|day>").
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "600/min")
API_STAFF_THROTTLE_RATE = os.environ.get("API_STAFF_THROTTLE_RATE", "1200/min")
# Lists and tombstones hold changes at least this old: a service stamps `updated_at`
# before its transaction commits, so a row committed late could otherwise fall behind
# a cursor a client already holds (docs/api.md, "Incremental sync").
API_SYNC_SETTLE_SECONDS = int(os.environ.get("API_SYNC_SETTLE_SECONDS", "10"))
# An Idempotency-Key whose first request has been in progress this long counts as
# abandoned (a crashed process): the same request may take it over.
API_IDEMPOTENCY_ABANDONED_MINUTES = int(os.environ.get("API_IDEMPOTENCY_ABANDONED_MINUTES", "5"))
# Deleted records are listed at /api/v1/tombstones/ for this many days.
API_TOMBSTONE_DAYS = int(os.environ.get("API_TOMBSTONE_DAYS", "90"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.api.authentication.BearerAuthentication",
        "integrations.api.authentication.StaffSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["integrations.api.permissions.HasGrant"],
    "DEFAULT_THROTTLE_CLASSES": [
        "integrations.api.throttling.PartnerKeyThrottle",
        "integrations.api.throttling.StaffThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "integrations.api.pagination.SyncCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["integrations.api.filters.StrictFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "integrations.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IPS CRM API",
    "DESCRIPTION": (
        "The partner and staff REST API of the IPS job-development CRM. Partner keys carry grants; "
        "staff reach exactly what they reach in the app. Errors are RFC 9457 problem details. "
        "Walkthrough: docs/api.md."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets sharing a field name across resources, named by their model.
    "ENUM_NAME_OVERRIDES": {
        "AccommodationStatusEnum": "placements.models.Accommodation.Status",
        "BenefitsStepStatusEnum": "placements.models.BenefitsStep.Status",
        "BenefitsStepReasonEnum": "placements.models.BenefitsStep.Reason",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "integrations.api.schema.problem_responses",
    ],
}

# Webhooks (integrations/webhooks, docs/webhooks.md) ----------------------------------
# A failed delivery is tried again after these delays, in minutes, in order, each
# stretched or shrunk by up to WEBHOOKS_RETRY_JITTER (a fraction) so that receivers
# coming back are not hit by every retry at once; after the last one it gives up.
# The default spans about 3.9 days (at least 3.4 with the jitter). The minute sweep
# sends what is due (integrations.webhooks.tasks).
WEBHOOKS_RETRY_DELAYS_MINUTES = [
    int(m) for m in env_list("WEBHOOKS_RETRY_DELAYS_MINUTES", "1,5,30,120,360,720,1440,1440,1440")
]
if not WEBHOOKS_RETRY_DELAYS_MINUTES or min(WEBHOOKS_RETRY_DELAYS_MINUTES) < 1:
    raise ImproperlyConfigured("WEBHOOKS_RETRY_DELAYS_MINUTES must list whole minutes from 1.")
WEBHOOKS_RETRY_JITTER = float(os.environ.get("WEBHOOKS_RETRY_JITTER", "0.1"))
# A queued delivery whose message was lost (Redis flushed or restarted before a worker
# took it) is queued again by the minute sweep after this many seconds.
WEBHOOKS_REQUEUE_AFTER_SECONDS = int(os.environ.get("WEBHOOKS_REQUEUE_AFTER_SECONDS", "300"))
# A subscription whose deliveries all failed for this many days, or that gave up this
# many deliveries in a row, is disabled (program admins see why; re-enabling replays).
WEBHOOKS_DISABLE_AFTER_FAILING_DAYS = int(os.environ.get("WEBHOOKS_DISABLE_AFTER_FAILING_DAYS", "3"))
WEBHOOKS_DISABLE_AFTER_GIVEN_UP = int(os.environ.get("WEBHOOKS_DISABLE_AFTER_GIVEN_UP", "5"))
# Re-enabling a subscription replays the deliveries of this many past days it missed.
WEBHOOKS_REPLAY_DAYS = int(os.environ.get("WEBHOOKS_REPLAY_DAYS", "14"))
# Finished deliveries (delivered, given up, cancelled) and their attempts are deleted
# after this many days by a daily job: they name job seekers (by id).
WEBHOOKS_LOG_DAYS = int(os.environ.get("WEBHOOKS_LOG_DAYS", "90"))
# After a secret rotation the previous secret also signs, for this many hours.
WEBHOOKS_ROTATION_HOURS = int(os.environ.get("WEBHOOKS_ROTATION_HOURS", "24"))
# Each attempt: connect and read time-outs (seconds) and the most of a response read.
WEBHOOKS_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOKS_TIMEOUT_SECONDS", "5"))
WEBHOOKS_MAX_RESPONSE_BYTES = int(os.environ.get("WEBHOOKS_MAX_RESPONSE_BYTES", str(64 * 1024)))
# SSRF protection (integrations/webhooks/transport.py): outside development and tests,
# only https:// and only public addresses. Development (DEBUG) and tests may send to a
# local receiver over plain HTTP; production refuses to start with either switched on.
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", DEBUG)
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", DEBUG)
if not DEBUG and (WEBHOOKS_ALLOW_HTTP or WEBHOOKS_ALLOW_PRIVATE_ADDRESSES):
    raise ImproperlyConfigured(
        "WEBHOOKS_ALLOW_HTTP and WEBHOOKS_ALLOW_PRIVATE_ADDRESSES are for development and tests only (DEBUG on)."
    )

# Every handler masks calendar feed tokens and password-reset tokens in the paths it
# writes (config/log_masking.py). Django's own handlers are replaced: runserver's
# request lines (django.server) and django.* records go through masking handlers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secrets_in_paths": {"()": "config.log_masking.MaskSecretsInPaths"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_secrets_in_paths"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_secrets_in_paths"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Through the root's handler (Django's default sends them to its own, unmasked).
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "apscheduler": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
    },
}

# Geocoding (crm/geocoding.py, docs/operations.md "Geocoding") -------------------------
# Job seekers' home addresses and employer sites are located after each save by a
# background job. GEOCODER: "ban" (Base Adresse Nationale, France's public address
# service), "nominatim" (OpenStreetMap; needs GEOCODER_USER_AGENT), "fake" (no network:
# a table of known towns and streets, for development, tests, the demo and CI) or
# "none" (nothing is sent anywhere; pins are set by hand). Development and tests (DEBUG)
# default to "fake"; production must choose.
GEOCODER = os.environ.get("GEOCODER", "").strip().lower() or ("fake" if DEBUG else "")
if GEOCODER not in {"ban", "nominatim", "fake", "none"}:
    raise ImproperlyConfigured(
        "GEOCODER must be set when DEBUG is off: ban (French addresses), nominatim, fake or none (docs/operations.md)."
        if not GEOCODER
        else f"GEOCODER={GEOCODER!r} is not one of ban, nominatim, fake, none."
    )
# The provider's host (and path), e.g. api-adresse.data.gouv.fr for BAN, or your own
# Nominatim server; empty: the provider's public service.
GEOCODER_DOMAIN = os.environ.get("GEOCODER_DOMAIN", "").strip()
# Sent with every address: never name the health service in it (docs/operations.md).
GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "").strip()
if GEOCODER == "nominatim" and not GEOCODER_USER_AGENT:
    raise ImproperlyConfigured(
        "GEOCODER=nominatim needs GEOCODER_USER_AGENT naming this deployment and a contact (Nominatim's usage policy)."
    )
GEOCODER_TIMEOUT_SECONDS = float(os.environ.get("GEOCODER_TIMEOUT_SECONDS", "10"))
# The least time between two requests from one worker process (Nominatim's public
# server allows one request per second).
GEOCODER_MIN_DELAY_SECONDS = float(
    os.environ.get("GEOCODER_MIN_DELAY_SECONDS", "1" if GEOCODER == "nominatim" else "0")
)
# Nominatim: the countries searched (ISO 3166-1 alpha-2, comma-separated; empty: all).
GEOCODER_COUNTRY_CODES = env_list("GEOCODER_COUNTRY_CODES", "fr")
# BAN: a best match scoring below this (0 to 1) counts as "address not found".
GEOCODER_MIN_SCORE = float(os.environ.get("GEOCODER_MIN_SCORE", "0.4"))
# The fake geocoder's towns and streets (the demo's places).
GEOCODER_FAKE_PLACES = Path(os.environ.get("GEOCODER_FAKE_PLACES", str(BASE_DIR / "demo" / "data" / "places.json")))
# The sweep (every 10 minutes) sends at most this many rows still to locate.
GEOCODING_SWEEP_BATCH = int(os.environ.get("GEOCODING_SWEEP_BATCH", "200"))
# A row whose provider failed this many times (time-outs, server errors; retried with a
# growing delay) is given up: its page asks for the pin to be set by hand.
GEOCODING_MAX_ATTEMPTS = int(os.environ.get("GEOCODING_MAX_ATTEMPTS", "6"))
# The map where a pin is set by hand (Leaflet): the tile server's URL template and its
# attribution (HTML). The Content-Security-Policy lets images come from its host.
LEAFLET_TILE_URL = os.environ.get("LEAFLET_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
LEAFLET_TILE_ATTRIBUTION = os.environ.get(
    "LEAFLET_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
# Where the map opens for a record with no point yet: "latitude,longitude,zoom".
LEAFLET_DEFAULT_VIEW = os.environ.get("LEAFLET_DEFAULT_VIEW", "46.6,2.4,5")


def _tile_source(url: str) -> str:
    """The CSP source of a tile URL template: its scheme and host, "{s}" (Leaflet's
    subdomains) as a wildcard."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "tiles-subdomain"))
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(
            "LEAFLET_TILE_URL must be an http(s) URL template, like https://host/{z}/{x}/{y}.png."
        )
    host = parts.netloc.rsplit("@", 1)[-1].replace("tiles-subdomain", "*")
    return f"{parts.scheme}://{host}"


CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(_tile_source(LEAFLET_TILE_URL))

"""Django settings for inklab, taken from the environment.

``INKLAB_DATA_DIR``      data directory (SQLite database, media, uploads, exports)
``INKLAB_DATABASE_URL``  ``postgresql://...`` to use PostgreSQL instead of SQLite
``INKLAB_SECRET_KEY``    signing key (default: generated once into the data directory)
``INKLAB_DEBUG``         ``1`` for Django debug mode (never in production)
``INKLAB_ALLOWED_HOSTS`` comma-separated host names (default ``*``)
``INKLAB_CSRF_TRUSTED_ORIGINS`` comma-separated origins allowed behind a proxy
``INKLAB_BEHIND_PROXY``  ``1`` to trust ``X-Forwarded-Host`` / ``X-Forwarded-Proto``
``INKLAB_SHARE_DIR``     server share root for ``server_files`` (default ``<data>/share``)
``INKLAB_EMBEDDED_WORKERS`` background worker threads inside each web process (default 2;
                         0 when separate ``inklab worker`` processes do the work: the web
                         process then only keeps its heartbeat and housekeeping)
``INKLAB_WORKER_HEARTBEAT_SECONDS`` how often each background worker process proves it is alive
                         (default 5); one silent for four intervals is taken for dead and its
                         running requests fail (at once when it ran on the same machine)
``INKLAB_HOUSEKEEPING_SECONDS`` how often each process expires results and removes orphan files (default 60)
``INKLAB_RESULT_TTL``    seconds an export's result stays downloadable (default 86400)
``INKLAB_UPLOAD_TTL_SECONDS`` how long an upload may stay idle or unclaimed before it is removed
                         (default 86400)
``INKLAB_AGENT_LEASE_SECONDS`` how long an auto-annotation agent may go without reporting
                         before its request is handed to another agent (default 300)
``INKLAB_AGENT_MAX_ATTEMPTS`` agents that may take one request before it fails (default 3)
``INKLAB_AGENT_WATCH_SECONDS`` length of one agent event stream before it reconnects (default 300)
``INKLAB_AGENT_MAX_WATCHERS`` event streams one web process holds at a time (default 16)
``INKLAB_INTERACTIVE_TIMEOUT`` seconds an interactive function call (a click, a tracker step)
                         waits for its agent before it is answered 503 (default 30)
``INKLAB_INTERACTIVE_MAX_WAITING`` interactive calls one web process lets wait at once
                         (default: its threads less two)
``INKLAB_LOGIN_MAX_FAILURES`` failed password checks for one account, or from one address,
                         before further ones are refused with 429 (default 10; 0 turns throttling off)
``INKLAB_LOGIN_LOCKOUT_SECONDS`` how long failures are remembered and a lockout lasts after
                         the last counted failure (default 900)
``INKLAB_MAX_IMAGE_PIXELS`` the most pixels an image (a frame, an image in a backup or a
                         dataset, a mask) may have (default 150,000,000); Pillow's own
                         decompression-bomb limit is set to match it
``INKLAB_HEADER_TIMEOUT`` seconds a client has to send a complete request head (default 30)
``INKLAB_BODY_TIMEOUT``   seconds a request body may pause before the request is answered 408
                         (default 60)
``INKLAB_KEEPALIVE_TIMEOUT`` seconds an idle keep-alive connection stays open (default 75)
``INKLAB_DB_BUSY_TIMEOUT`` seconds a request waits for a database lock (SQLite's busy timeout,
                         PostgreSQL's lock_timeout) before it is answered 503 (default 20)
``INKLAB_UPLOADS_PER_USER`` concurrent uploads (request bodies over 1 MiB) per user, across the
                         web processes (default 4); anonymous clients may not upload
``INKLAB_WEBHOOKS_ALLOW_PRIVATE`` ``1`` lets webhooks call private, loopback and link-local
                         addresses (default: refused, at creation and at delivery)
``INKLAB_WEBHOOKS_TIMEOUT`` seconds a webhook's target has to answer one delivery (default 10)
``INKLAB_WEBHOOKS_ATTEMPTS`` attempts of one delivery before it counts as failed (default 3)
``INKLAB_WEBHOOKS_BACKOFF`` seconds before the second attempt, doubled for each next (default 2); a
                         retry waits in the queue, holding no worker
``INKLAB_WEBHOOK_DELIVERIES_KEPT`` deliveries kept per webhook, the newest; the housekeeping removes
                         older ones (default 500)
``INKLAB_GUIDE_ASSET_MAX_BYTES`` the largest image a guide may hold (default 10 MiB)
``INKLAB_MEDIA_URL``      ``s3://bucket/prefix`` keeps frames, derived files and request results in
                         a bucket that several machines share (default: the data directory only);
                         see :mod:`inklab.server.media.blobstore`
``INKLAB_MEDIA_S3_ENDPOINT_URL`` the S3-compatible server of that bucket (default: AWS); credentials
                         and region come from the usual AWS variables and files
"""

from __future__ import annotations

import os
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

from inklab import vocabulary
from inklab._version import API_VERSION
from inklab.server import config
from inklab.server.webhooks import events as webhook_events


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _csv(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR: Path = config.data_dir()
MEDIA_ROOT = DATA_DIR / "media"
# Not Django's MEDIA_URL (a URL prefix of uploaded files): where media is kept for good.
MEDIA_STORE_URL = os.environ.get("INKLAB_MEDIA_URL", "").strip()
MEDIA_STORE_ENDPOINT_URL = os.environ.get("INKLAB_MEDIA_S3_ENDPOINT_URL", "").strip() or None
SHARE_ROOT = Path(os.environ.get("INKLAB_SHARE_DIR") or DATA_DIR / "share").resolve()
EMBEDDED_WORKERS = int(os.environ.get("INKLAB_EMBEDDED_WORKERS", "2"))
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("INKLAB_WORKER_HEARTBEAT_SECONDS", "5"))
HOUSEKEEPING_SECONDS = float(os.environ.get("INKLAB_HOUSEKEEPING_SECONDS", "60"))
RESULT_TTL_SECONDS = int(os.environ.get("INKLAB_RESULT_TTL", 24 * 3600))
UPLOAD_TTL_SECONDS = float(os.environ.get("INKLAB_UPLOAD_TTL_SECONDS", 24 * 3600))
# The server's temporary files (upload spools, import work directories) stay in the data
# directory, where the housekeeping finds what a crashed process left behind.
TEMP_DIR = DATA_DIR / "tmp"
AGENT_LEASE_SECONDS = float(os.environ.get("INKLAB_AGENT_LEASE_SECONDS", "300"))
AGENT_MAX_ATTEMPTS = int(os.environ.get("INKLAB_AGENT_MAX_ATTEMPTS", "3"))
AGENT_WATCH_SECONDS = float(os.environ.get("INKLAB_AGENT_WATCH_SECONDS", "300"))
AGENT_MAX_WATCHERS = int(os.environ.get("INKLAB_AGENT_MAX_WATCHERS", "16"))
INTERACTIVE_TIMEOUT = float(os.environ.get("INKLAB_INTERACTIVE_TIMEOUT", "30"))
WEB_THREADS = int(os.environ.get("INKLAB_WEB_THREADS", "8"))
INTERACTIVE_MAX_WAITING = int(os.environ.get("INKLAB_INTERACTIVE_MAX_WAITING", "0")) or max(1, WEB_THREADS - 2)
MAX_IMAGE_PIXELS = int(os.environ.get("INKLAB_MAX_IMAGE_PIXELS", "150000000"))
HEADER_TIMEOUT = float(os.environ.get("INKLAB_HEADER_TIMEOUT", "30"))
BODY_TIMEOUT = float(os.environ.get("INKLAB_BODY_TIMEOUT", "60"))
# Idle keep-alive connections cost only a socket in the event loop; a long timeout spares
# clients that pause between requests (the SDK polling a request, an annotator's browser)
# the race of sending on a connection the server is just closing, which fails POSTs.
KEEPALIVE_TIMEOUT = float(os.environ.get("INKLAB_KEEPALIVE_TIMEOUT", "75"))
UPLOADS_PER_USER = int(os.environ.get("INKLAB_UPLOADS_PER_USER", "4"))
# Long enough for another user's large write to commit (on SQLite a 100,000-shape PUT holds the
# write lock about 2 s on 2 vCPUs), short enough that a client hears "busy, retry" (503) soon.
DB_BUSY_TIMEOUT = float(os.environ.get("INKLAB_DB_BUSY_TIMEOUT", "20"))
WEBHOOKS_ALLOW_PRIVATE = _flag("INKLAB_WEBHOOKS_ALLOW_PRIVATE")
WEBHOOKS_TIMEOUT = float(os.environ.get("INKLAB_WEBHOOKS_TIMEOUT", "10"))
WEBHOOKS_ATTEMPTS = max(1, int(os.environ.get("INKLAB_WEBHOOKS_ATTEMPTS", "3")))
WEBHOOKS_BACKOFF = float(os.environ.get("INKLAB_WEBHOOKS_BACKOFF", "2"))
WEBHOOK_DELIVERIES_KEPT = max(1, int(os.environ.get("INKLAB_WEBHOOK_DELIVERIES_KEPT", "500")))
GUIDE_ASSET_MAX_BYTES = int(os.environ.get("INKLAB_GUIDE_ASSET_MAX_BYTES", str(10 * 1024 * 1024)))

SECRET_KEY = config.secret_key(DATA_DIR)
DEBUG = _flag("INKLAB_DEBUG")
ALLOWED_HOSTS = _csv("INKLAB_ALLOWED_HOSTS", "*")
CSRF_TRUSTED_ORIGINS = _csv("INKLAB_CSRF_TRUSTED_ORIGINS")
BEHIND_PROXY = _flag("INKLAB_BEHIND_PROXY")
if BEHIND_PROXY:
    USE_X_FORWARDED_HOST = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "inklab.server.iam",
    "inklab.server.projects",
    "inklab.server.media",
    "inklab.server.annotations",
    "inklab.server.datasets",
    "inklab.server.requests",
    "inklab.server.functions",
    "inklab.server.cloud",
    "inklab.server.review",
    "inklab.server.quality",
    "inklab.server.consensus",
    "inklab.server.webhooks",
    "inklab.server.guides",
    "inklab.server.meta",
    "inklab.ui",
]

MIDDLEWARE = [
    "inklab.server.headers.security_headers",  # first: every response gets its CSP and nosniff
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Failed password checks are counted (in the database, shared by all processes) and throttled
# per account and per address: see inklab.server.iam.throttling.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_MAX_FAILURES = int(os.environ.get("INKLAB_LOGIN_MAX_FAILURES", "10"))
AXES_ENABLED = LOGIN_MAX_FAILURES > 0
AXES_FAILURE_LIMIT = max(LOGIN_MAX_FAILURES, 1)
AXES_COOLOFF_TIME = timedelta(seconds=float(os.environ.get("INKLAB_LOGIN_LOCKOUT_SECONDS", "900")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account, per address
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True  # no row per successful login
AXES_CLIENT_IP_CALLABLE = "inklab.server.iam.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "inklab.server.iam.throttling.lockout_response"
AXES_VERBOSE = False

ROOT_URLCONF = "inklab.server.urls"
WSGI_APPLICATION = "inklab.server.wsgi.application"
# Never redirect: the CVAT clients POST to exact paths, with and without trailing slashes.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = config.database_url()
    if url:
        import dj_database_url

        db = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        options = db.setdefault("OPTIONS", {})
        # Waiting for a row or table lock ends like SQLite's busy timeout: a 503 to retry.
        options["options"] = f"{options.get('options', '')} -c lock_timeout={int(DB_BUSY_TIMEOUT * 1000)}".strip()
        return db
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "db.sqlite3",
        "OPTIONS": {
            # WAL lets readers proceed while one writer commits; IMMEDIATE transactions take
            # the write lock up front, so concurrent writers wait (busy timeout) instead of
            # failing with "database is locked" half way through.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": DB_BUSY_TIMEOUT,
        },
        # Keep each thread's connection between requests: opening one and running the
        # PRAGMAs above cost more than a typical API request's queries.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve the admin's and Swagger's assets straight from the installed packages: no
# collectstatic step is needed for `inklab serve`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: TUS chunks are 10 MiB, the SDK's multipart batches reach 100 MiB with any number
# of files, and an auto-annotation run sends every shape of a task in one JSON body.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = None
DATA_UPLOAD_MAX_NUMBER_FIELDS = None
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024
TEMP_DIR.mkdir(exist_ok=True)
FILE_UPLOAD_TEMP_DIR = str(TEMP_DIR)

# Cookies must stay parseable by the SDK's SimpleCookie-based login (see the API guide, §3.1).
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": [
        "inklab.server.api.renderers.JSONRenderer",
        "inklab.server.api.renderers.CvatJSONRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "inklab.server.api.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "inklab.server.iam.authentication.AccessTokenAuthentication",
        "inklab.server.iam.authentication.TokenAuthentication",
        "inklab.server.iam.authentication.BasicAuthentication",
        "inklab.server.iam.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["inklab.server.iam.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "inklab.server.api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "inklab.server.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "inklab.server.api.errors.exception_handler",
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

def _values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


SPECTACULAR_SETTINGS = {
    "TITLE": "inklab REST API",
    "DESCRIPTION": "CVAT REST API v2 as served by inklab.",
    "VERSION": API_VERSION,
    "SERVE_INCLUDE_SCHEMA": True,  # CVAT lists /api/schema/ too
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Bodies are JSON (the views that take files say multipart/form-data themselves); the form
    # parsers DRF adds are not part of the API.
    "PARSER_WHITELIST": ["inklab.server.api.parsers.JSONParser"],
    "PREPROCESSING_HOOKS": ["inklab.server.api.schema.cvat_paths"],
    "SCHEMA_PATH_PREFIX": "/api/",
    # CVAT's names for the choice sets (several share a field name: status, type).
    "ENUM_NAME_OVERRIDES": {
        "JobStatus": _values(vocabulary.StatusChoice),
        "JobStage": _values(vocabulary.JobStage),
        "OperationStatus": _values(vocabulary.JobState),
        "JobType": _values(vocabulary.JobType),
        "LabelType": _values(vocabulary.LabelType),
        "ShapeType": _values(vocabulary.ShapeType),
        "InputTypeEnum": _values(vocabulary.InputType),
        "RequestStatus": _values(vocabulary.RequestStatus),
        "SortingMethod": _values(vocabulary.SortingMethod),
        "ChunkType": _values(vocabulary.ChunkType),
        "WebhookType": _values(webhook_events.WebhookType),
        "WebhookContentType": _values(webhook_events.WebhookContentType),
        "EventsEnum": webhook_events.EVENTS,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "inklab": {"handlers": ["console"], "level": os.environ.get("INKLAB_LOG_LEVEL", "INFO")},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# Organizations: invitations expire this many days after they were (re)sent. Mail goes out
# through Django's SMTP backend when INKLAB_EMAIL_HOST is set; otherwise invitations are
# in-app only (the invitee sees them in GET /api/invitations and the web UI).
INVITATION_EXPIRY_DAYS = int(os.environ.get("INKLAB_INVITATION_EXPIRY_DAYS", "7"))
INVITATION_MAIL = bool(os.environ.get("INKLAB_EMAIL_HOST"))
if INVITATION_MAIL:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["INKLAB_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("INKLAB_EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("INKLAB_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("INKLAB_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = _flag("INKLAB_EMAIL_USE_TLS")
    DEFAULT_FROM_EMAIL = os.environ.get("INKLAB_EMAIL_FROM", "inklab@localhost")
#: the address invitation links point at (the web UI's origin); empty: links relative to the site
PUBLIC_URL = os.environ.get("INKLAB_PUBLIC_URL", "").rstrip("/")

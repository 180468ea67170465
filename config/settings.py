"""Settings for Desired Career Academy, read from the environment.

Every variable is documented in docs/configuration.md and .env.example. A `.env` file in the project
root is read when present; real environment variables win over it. The defaults make a fresh checkout run with
nothing set (SQLite, local-memory cache, eager Celery, console email); with DEBUG off the settings
refuse to load until the production essentials are set.
"""

from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env", overwrite=False)

# The development key is only ever used with DEBUG on; production must set its own SECRET_KEY.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="")
# Earlier keys, still accepted for signatures (sessions, reset links, unsubscribe links) during a rotation.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

if DEBUG:
    SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]", "testserver"]
else:
    if not SECRET_KEY or SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random string of at least 50 characters when DEBUG is off."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

FRONTEND_URL = env.str("FRONTEND_URL", default="http://localhost:3000").rstrip("/")
# The academy's name as account mails (sign-up, verification, password reset) give it.
ACADEMY_NAME = env.str("ACADEMY_NAME", default="Desired Career Academy")
# In development the web app on FRONTEND_URL may call the API out of the box (CORS and CSRF below);
# production names its origins explicitly.
_frontend = urlsplit(FRONTEND_URL)
DEVELOPMENT_FRONTEND_ORIGINS = [f"{_frontend.scheme}://{_frontend.netloc}"] if DEBUG and _frontend.netloc else []

# --- Applications -----------------------------------------------------------------------------

INSTALLED_APPS = [
    # The admin app with the staff-only site and dashboard (staff.admin_site.StaffAdminSite).
    "staff.admin_config.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # full-text search and trigram lookups (catalog.search); inert on SQLite
    # Third party
    "rest_framework",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.headless",
    "allauth.usersessions",
    "allauth.mfa",
    # Project, from the bottom of the dependency graph up (tests/architecture checks the imports)
    "common",
    "audit",
    "accounts",
    "catalog",
    "assessments",
    "billing",
    "certificates",
    "gamification",
    "forum",
    "reviews",
    "notifications",
    "staff",
    "seed",
]

MIDDLEWARE = [
    "common.middleware.ClientIPMiddleware",
    "common.middleware.RequestIDMiddleware",
    # Cache-Control: no-store on personal responses; CSP on the admin site and the API docs.
    "common.middleware.PrivateResponseMiddleware",
    "common.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "common.middleware.BodySizeLimitMiddleware",
    # Before anything reads the path: /api/x and /api/x/ (and allauth's x/) are the same route.
    "common.middleware.TrailingSlashMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Cached public reads of requests without credentials or cookies, answered before URL resolution and
    # DRF; after every middleware above, which still set their response headers on these answers, and before
    # the browser's session, CSRF, auth and messages middleware, whose headers (`Vary: Cookie`) are the same
    # for every such request and kept with the answer (common.http_cache).
    "common.http_cache.AnonymousReadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Rate limits on sign-in, sign-up, reset and refresh; refuses suspended users on allauth's routes.
    "accounts.middleware.AuthGuardMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# Email is unique ignoring case through a functional constraint, which auth.W004 cannot see.
SILENCED_CHECKS_ALWAYS = ["auth.W004"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
            ],
        },
    },
]

# --- Database and cache -------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# DATABASE_URL (and the replicas) point at PgBouncer in transaction-pooling mode.
DATABASE_TRANSACTION_POOLING = env.bool("DATABASE_TRANSACTION_POOLING", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions keep a development server and a worker from tripping over locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # Off by default: the check is a `SELECT 1` round trip at the start of every request that reuses a
    # connection. Without it, a connection the server dropped (a restart, a failover) fails its request's
    # first query, which answers 503 database_unavailable with Retry-After, and Django closes the broken
    # connection when that request ends, so the next one reconnects: one retryable 503 per stale
    # connection, instead of a round trip on every request. Turn it on where drops are routine.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=False)
    # Deadlines, so a stalled database answers 503 instead of holding every web thread: a statement and a
    # lock wait end after these many milliseconds (0 = none). Celery workers and management commands raise
    # them to DATABASE_LONG_STATEMENT_TIMEOUT_MS (common.db); keep the web value below GUNICORN_TIMEOUT.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    # Server-side binding, so psycopg prepares a query it has run DATABASE_PREPARE_THRESHOLD times on a connection
    # and PostgreSQL stops planning it again (planning costs more than running the hot reads). A prepared
    # statement lives in the server session: behind a transaction pooler only PgBouncer >= 1.21 with
    # max_prepared_statements > 0 keeps them working, hence off there unless said otherwise (docs/configuration.md).
    DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=not DATABASE_TRANSACTION_POOLING)
    if DATABASE_PREPARED_STATEMENTS:
        DATABASES["default"]["OPTIONS"].update(
            {"server_side_binding": True, "prepare_threshold": env.int("DATABASE_PREPARE_THRESHOLD", default=5)}
        )
    if DATABASE_TRANSACTION_POOLING:
        # Behind PgBouncer (pool_mode = transaction) consecutive transactions of one Django connection may run on
        # different server connections: nothing may live in the session. So no server-side cursors (iterator()
        # fetches client-side), and no deadlines as startup `options` or session SETs: the pooler's
        # `connect_query` (or ALTER ROLE ... SET) sets them per pool (docs/operations.md, "Connection pooling").
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    else:
        DATABASES["default"]["OPTIONS"]["options"] = " ".join(
            [
                DATABASES["default"]["OPTIONS"].get("options", ""),
                f"-c statement_timeout={env.int('DATABASE_STATEMENT_TIMEOUT_MS', default=15000)}",
                f"-c lock_timeout={env.int('DATABASE_LOCK_TIMEOUT_MS', default=5000)}",
            ]
        ).strip()
# Read replicas (PostgreSQL streaming replicas), zero or more, comma-separated URLs. Only reads that tolerate
# lag go to them, and only inside common.db_router.replica_reads(); everything else stays on the primary.
DATABASE_REPLICAS = []
for _index, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[])):
    _replica = environ.Env.db_url_config(_url)
    # The primary's connection settings (deadlines included), so a lagging or stalled replica fails as fast.
    _replica.update(
        {key: value for key, value in DATABASES["default"].items() if key.startswith(("CONN_", "DISABLE_"))}
    )
    _replica["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    # A replica's own database name may differ; its tables are the primary's, so tests mirror the primary.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_index}"] = _replica
    DATABASE_REPLICAS.append(f"replica_{_index}")
DATABASE_ROUTERS = ["common.db_router.PrimaryReplicaRouter"]
# Workers, beat and management commands (reports, upkeep, migrations): see common.db.long_running_timeouts.
DATABASE_LONG_STATEMENT_TIMEOUT_MS = env.int("DATABASE_LONG_STATEMENT_TIMEOUT_MS", default=300000)
DATABASE_LONG_LOCK_TIMEOUT_MS = env.int("DATABASE_LONG_LOCK_TIMEOUT_MS", default=60000)
# Seconds a client is told to wait (Retry-After) when the database is down or past its deadline.
DATABASE_RETRY_AFTER_SECONDS = env.int("DATABASE_RETRY_AFTER_SECONDS", default=5)

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                # A Redis outage must not take the API down: reads miss, writes are dropped.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
            "KEY_PREFIX": "dca",
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    SILENCED_SYSTEM_CHECKS = SILENCED_CHECKS_ALWAYS
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Without Redis, rate limits are counted per process: fine for development, documented.
    SILENCED_SYSTEM_CHECKS = [*SILENCED_CHECKS_ALWAYS, "django_ratelimit.E003", "django_ratelimit.W001"]

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Public reads (catalogue, course, curriculum, domains, leaderboards) answered from cached bodies
# (common.http_cache); off serves every one from the database, as before.
RESPONSE_CACHE = env.bool("RESPONSE_CACHE", default=True)

# --- Authentication -----------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -----------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Kolkata")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
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

# Generated files (certificate PDFs) go to a private S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is set,
# so web processes and workers on different machines share them without a shared disk. Objects are never
# public: downloads are streamed through the API after its permission checks (docs/operations.md, "Object storage").
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    # Unset values fall back to boto3's own chain (instance role, ~/.aws), so none is mandatory here.
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
    AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="") or None
    AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="") or None
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            # No ACL header: objects inherit the bucket's private policy (and buckets that disable ACLs accept it).
            "default_acl": None,
            "querystring_auth": True,
            # A re-render writes a new key and then deletes the old one, as on local disk: a download in
            # progress keeps reading the object it opened.
            "file_overwrite": False,
            "signature_version": "s3v4",
            # Path-style URLs work with every S3-compatible server (MinIO, moto, R2) behind AWS_S3_ENDPOINT_URL.
            "addressing_style": "path" if AWS_S3_ENDPOINT_URL else None,
        },
    }

# --- Email --------------------------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Desired Career Academy <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -----------------------------------------------------------------------------------

# Requests larger than this get 413 (JSON bodies of this API are small; uploads go to storage).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies (load balancer, nginx) append to X-Forwarded-For in front of the app; the client address
# for rate limits and logs is taken that many hops from the right. 0 = use the socket address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The load balancer's health probe speaks plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^api/health/((live|ready)/)?$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Set both to the parent domain (".example.com") when the SPA (app.example.com) and the API
# (api.example.com) are on sibling hosts, so the SPA can read the CSRF cookie.
SESSION_COOKIE_DOMAIN = env.str("SESSION_COOKIE_DOMAIN", default="") or None
CSRF_COOKIE_DOMAIN = env.str("CSRF_COOKIE_DOMAIN", default="") or None
CSRF_COOKIE_SECURE = not DEBUG
# The SPA reads the CSRF cookie to send X-CSRFToken, so it cannot be HttpOnly.
CSRF_COOKIE_HTTPONLY = False
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=DEVELOPMENT_FRONTEND_ORIGINS)
CSRF_FAILURE_VIEW = "common.views.csrf_failure"

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=DEVELOPMENT_FRONTEND_ORIGINS)
CORS_ALLOW_CREDENTIALS = True
CORS_URLS_REGEX = r"^/(api|_allauth)/.*$"
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
    "x-session-token",
    "x-request-id",
)
CORS_EXPOSE_HEADERS = ["Retry-After", "X-Request-ID", "Content-Disposition"]

# --- REST framework and OpenAPI -----------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # JWT first, so an anonymous request gets 401 with `WWW-Authenticate: Bearer`.
        "common.authentication.JWTAuthentication",
        "common.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "common.pagination.DefaultPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        # DRF's, except that an unknown ?ordering= is a 400 instead of being ignored.
        "common.filters.OrderingFilter",
    ],
    # DRF's JSON, byte for byte, at a fraction of the CPU (common.renderers).
    "DEFAULT_RENDERER_CLASSES": ["common.renderers.FastJSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PARSER_CLASSES": ["common.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "common.schema.AutoSchema",
    "EXCEPTION_HANDLER": "common.exceptions.api_exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Desired Career Academy API",
    "DESCRIPTION": (
        "REST API of the Desired Career Academy learning platform. Authenticate with "
        "`Authorization: Bearer <access token>` from the allauth headless `app` client, or with the "
        "session cookie and `X-CSRFToken` from the `browser` client. Errors are "
        '`{"detail", "code"}` (plus `errors` for invalid fields).'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The docs work offline (templates/drf_spectacular/redoc.html; CSP in common/middleware.py): no spec validator
    # badge, no web fonts. No REDOC_UI_SETTINGS: they would make Redoc's page start with an inline script.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"HealthStateEnum": "common.serializers.HEALTH_STATES"},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"],
    "SCHEMA_PATH_PREFIX": r"/api/",
}

# --- Rate limiting ------------------------------------------------------------------------------

RATELIMIT_USE_CACHE = "default"
# When Redis is down the API keeps answering rather than refusing every limited request.
RATELIMIT_FAIL_OPEN = True
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)

# --- Celery -------------------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in-process so a fresh checkout works end to end.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# A redis:// broker publishes through one Redis client per channel, not a new one per task (common/celery_redis.py).
if CELERY_BROKER_URL.startswith("redis://"):
    CELERY_BROKER_TRANSPORT = "common.celery_redis:Transport"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# With the Redis broker, a message taken by a worker that died unacknowledged goes back to its queue after
# this many seconds. Keep it above the longest task run and the longest retry countdown (600 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=3600)}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
# One queue per kind of work, so a backlog of PDFs never delays a receipt and upkeep never starves either.
# `celery -A config worker` with no -Q consumes every queue below (one worker is enough);
# `make worker QUEUES=pdf` runs a worker for one kind only. Unrouted tasks go to the default queue.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_QUEUE_NAMES = ("celery", "pdf", "email", "upkeep")
CELERY_TASK_QUEUES = {name: {"exchange": name, "routing_key": name} for name in CELERY_QUEUE_NAMES}
CELERY_TASK_ROUTES = {
    "certificates.tasks.certificate_render": {"queue": "pdf"},
    # Queued by the PDF workers' own timer (certificates.worker), not by beat: it runs where PDFs are made.
    "certificates.tasks.certificate_render_recover": {"queue": "pdf"},
    "billing.tasks.tax_document_render": {"queue": "pdf"},
    "billing.tasks.payout_statement_render": {"queue": "pdf"},
    "billing.tasks.payment_receipt_send": {"queue": "email"},
    "notifications.tasks.notification_email_send": {"queue": "email"},
    # Every task run by beat (CELERY_BEAT_SCHEDULE) belongs here: common/tests/test_celery_routing.py checks it.
    "certificates.tasks.certificate_render_pending": {"queue": "upkeep"},
    "billing.tasks.payments_reconcile": {"queue": "upkeep"},
    "gamification.tasks.leaderboards_upkeep": {"queue": "upkeep"},
    "billing.tasks.payment_receipts_pending": {"queue": "upkeep"},
    "billing.tasks.tax_documents_render_pending": {"queue": "upkeep"},
    "billing.tasks.payout_statements_issue_last_month": {"queue": "upkeep"},
    "billing.tasks.payout_statements_render_pending": {"queue": "upkeep"},
    "catalog.tasks.course_progress_upkeep": {"queue": "upkeep"},
    "assessments.tasks.quiz_attempts_expire_task": {"queue": "upkeep"},
    "accounts.tasks.spent_refresh_tokens_prune": {"queue": "upkeep"},
    "notifications.tasks.notification_emails_pending": {"queue": "upkeep"},
}

# --- Logging ------------------------------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "common.logging.RequestIDFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "text" if DEBUG else "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(dsn=SENTRY_DSN, send_default_pii=False, traces_sample_rate=0.0)

# --- Accounts (django-allauth headless) ---------------------------------------------------------

GOOGLE_CLIENT_ID = env.str("GOOGLE_CLIENT_ID", default="")
GOOGLE_CLIENT_SECRET = env.str("GOOGLE_CLIENT_SECRET", default="")
JWT_PRIVATE_KEY = env.str("JWT_PRIVATE_KEY", default="").replace("\\n", "\n")
if not JWT_PRIVATE_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("JWT_PRIVATE_KEY (an RSA private key in PEM) must be set when DEBUG is off.")
    # A fixed development key, so tokens stay valid across processes and restarts in development.
    JWT_PRIVATE_KEY = (BASE_DIR / "config" / "dev_jwt_private_key.pem").read_text()

# One switch for email/password sign-up and login; off = Google only (allauth's SOCIALACCOUNT_ONLY).
ACCOUNTS_PASSWORD_LOGIN_ENABLED = env.bool("ACCOUNTS_PASSWORD_LOGIN_ENABLED", default=True)
# Mandatory in production, optional in development; ACCOUNT_EMAIL_VERIFICATION (mandatory|optional|none) wins.
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="") or ("optional" if DEBUG else "mandatory")
if ACCOUNT_EMAIL_VERIFICATION not in ("mandatory", "optional", "none"):
    raise ImproperlyConfigured("ACCOUNT_EMAIL_VERIFICATION must be mandatory, optional or none.")
if not ACCOUNTS_PASSWORD_LOGIN_ENABLED:
    SOCIALACCOUNT_ONLY = True
    ACCOUNT_EMAIL_VERIFICATION = "none"  # allauth requires it: Google addresses arrive verified anyway

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
HEADLESS_ADAPTER = "accounts.adapter.HeadlessAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Google vouches for the address: a verified Google email logs into the local account that owns it.
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_STORE_TOKENS = False

HEADLESS_ONLY = True
HEADLESS_TOKEN_STRATEGY = "accounts.tokens.AccountTokenStrategy"  # noqa: S105
HEADLESS_JWT_PRIVATE_KEY = JWT_PRIVATE_KEY
HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN = env.int("JWT_ACCESS_TOKEN_LIFETIME", default=300)
HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN = env.int("JWT_REFRESH_TOKEN_LIFETIME", default=86400)
# Access tokens die with their session: logout (or an admin ending a session) revokes them at once.
HEADLESS_JWT_STATEFUL_VALIDATION_ENABLED = True
HEADLESS_JWT_ROTATE_REFRESH_TOKEN = True
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": f"{FRONTEND_URL}/auth/verify-email/{{key}}",
    # Linked from the "you already have an account" mail sent when someone signs up with a taken address.
    "account_reset_password": f"{FRONTEND_URL}/auth/password/reset",
    "account_reset_password_from_key": f"{FRONTEND_URL}/auth/password/reset/key/{{key}}",
    "account_signup": f"{FRONTEND_URL}/auth/signup",
    "socialaccount_login_error": f"{FRONTEND_URL}/auth/provider/callback",
}

SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "SCOPE": ["profile", "email"],
        "AUTH_PARAMS": {"access_type": "online"},
        "OAUTH_PKCE_ENABLED": True,
        **(
            {"APPS": [{"client_id": GOOGLE_CLIENT_ID, "secret": GOOGLE_CLIENT_SECRET, "key": ""}]}
            if GOOGLE_CLIENT_ID
            else {}
        ),
    }
}

# Per IP and per account (email, the refresh token's user, the pending sign-in's user), on the shared cache;
# 429 + Retry-After. Per account, "login" counts failed attempts only; the rest count all.
# "login" also limits the admin site's sign-in form.
ACCOUNTS_RATE_LIMITS = {
    "login": {"ip": env.str("ACCOUNTS_RATE_LOGIN_IP", default="30/m"), "account": "10/5m"},
    "signup": {"ip": env.str("ACCOUNTS_RATE_SIGNUP_IP", default="10/h"), "account": "3/h"},
    "password_reset": {"ip": env.str("ACCOUNTS_RATE_PASSWORD_RESET_IP", default="10/h"), "account": "3/h"},
    "token_refresh": {"ip": env.str("ACCOUNTS_RATE_REFRESH_IP", default="60/m"), "account": "20/m"},
    "provider_token": {"ip": env.str("ACCOUNTS_RATE_LOGIN_IP", default="30/m")},
}
# Spent refresh tokens are remembered until they expire (to detect replays); hourly, the expired ones go.
CELERY_BEAT_SCHEDULE["accounts-spent-refresh-tokens-prune"] = {
    "task": "accounts.tasks.spent_refresh_tokens_prune",
    "schedule": crontab(minute=17),
}
# These allauth limits are replaced by the ones above (allauth answers 400/429 without Retry-After).
ACCOUNT_RATE_LIMITS = {"login": None, "login_failed": None, "signup": None, "reset_password": None}

# --- Billing (Razorpay) -------------------------------------------------------------------------

RAZORPAY_KEY_ID = env.str("RAZORPAY_KEY_ID", default="")
RAZORPAY_KEY_SECRET = env.str("RAZORPAY_KEY_SECRET", default="")
RAZORPAY_WEBHOOK_SECRET = env.str("RAZORPAY_WEBHOOK_SECRET", default="")
RAZORPAY_API_BASE_URL = env.str("RAZORPAY_API_BASE_URL", default="https://api.razorpay.com").rstrip("/")
# Every Razorpay call gives up after this many seconds; the API then answers 503 payment_gateway_unavailable.
RAZORPAY_TIMEOUT_SECONDS = env.float("RAZORPAY_TIMEOUT_SECONDS", default=8.0)
# A still-open order for the same learner, course and price is handed out again within this window.
BILLING_ORDER_REUSE_MINUTES = env.int("BILLING_ORDER_REUSE_MINUTES", default=30)
# Reconciliation asks Razorpay about orders and refunds left unsettled for longer than this.
BILLING_RECONCILE_AFTER_MINUTES = env.int("BILLING_RECONCILE_AFTER_MINUTES", default=15)
BILLING_RECONCILE_EVERY_SECONDS = env.int("BILLING_RECONCILE_EVERY_SECONDS", default=300)
BILLING_ORDER_RATE = env.str("BILLING_ORDER_RATE", default="10/m")
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["PaymentStatusEnum"] = "billing.models.Payment.Status"
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["PayoutStatementStatusEnum"] = "billing.models.PayoutStatement.Status"
CELERY_BEAT_SCHEDULE["billing-reconcile-payments"] = {
    "task": "billing.tasks.payments_reconcile",
    "schedule": float(BILLING_RECONCILE_EVERY_SECONDS),
}
# Reconciliation also applies the refunds Razorpay made in this window that no webhook reported.
BILLING_RECONCILE_REFUNDS_LOOKBACK_HOURS = env.int("BILLING_RECONCILE_REFUNDS_LOOKBACK_HOURS", default=72)
# Receipts not sent BILLING_RECONCILE_AFTER_MINUTES after payment (broker outage) are sent by this sweep.
CELERY_BEAT_SCHEDULE["billing-receipts-pending"] = {
    "task": "billing.tasks.payment_receipts_pending",
    "schedule": float(BILLING_RECONCILE_EVERY_SECONDS),
}

# Invoice and credit-note PDFs still missing BILLING_RECONCILE_AFTER_MINUTES after issue are rendered by this sweep.
CELERY_BEAT_SCHEDULE["billing-tax-documents-pending"] = {
    "task": "billing.tasks.tax_documents_render_pending",
    "schedule": float(BILLING_RECONCILE_EVERY_SECONDS),
}
# Instructors' payout statements for the month just ended, on the 1st at 06:00 in TIME_ZONE (idempotent;
# `manage.py payout_statements --month YYYY-MM` does the same by hand). Their missing files are swept like invoices'.
CELERY_BEAT_SCHEDULE["billing-payout-statements"] = {
    "task": "billing.tasks.payout_statements_issue_last_month",
    "schedule": crontab(day_of_month=1, hour=6, minute=0),
}
CELERY_BEAT_SCHEDULE["billing-payout-statements-pending"] = {
    "task": "billing.tasks.payout_statements_render_pending",
    "schedule": float(BILLING_RECONCILE_EVERY_SECONDS),
}

# --- Commerce: GST and coupons (billing) --------------------------------------------------------------

# Course prices include GST (the learner pays the price); false = GST is added on top of the price.
PRICES_INCLUDE_GST = env.bool("PRICES_INCLUDE_GST", default=True)
# GST rate in percent (18 % for online education services, SAC 999293).
GST_RATE = Decimal(env.str("GST_RATE", default="18"))
# The seller printed on tax invoices. Set all of these before going live.
SELLER_LEGAL_NAME = env.str("SELLER_LEGAL_NAME", default=ACADEMY_NAME)
SELLER_ADDRESS = env.str("SELLER_ADDRESS", default="")
SELLER_GSTIN = env.str("SELLER_GSTIN", default="")
# Two-digit GST state code of the seller (29 = Karnataka): same state as the buyer → CGST + SGST, else IGST.
SELLER_STATE = env.str("SELLER_STATE", default="29")
GST_SAC_CODE = env.str("GST_SAC_CODE", default="999293")
# The platform's share of each sale's taxable value (percent); admins override it per course.
PLATFORM_COMMISSION_PERCENT = Decimal(env.str("PLATFORM_COMMISSION_PERCENT", default="30"))
# Coupons an instructor may create (for their own courses), in total.
INSTRUCTOR_COUPON_CAP = env.int("INSTRUCTOR_COUPON_CAP", default=10)
# Whether a refunded purchase gives its coupon use back.
COUPON_REFUND_RETURNS_USE = env.bool("COUPON_REFUND_RETURNS_USE", default=False)
# Quotes and coupon writes per user.
BILLING_QUOTE_RATE = env.str("BILLING_QUOTE_RATE", default="30/m")
BILLING_COUPON_WRITE_RATE = env.str("BILLING_COUPON_WRITE_RATE", default="30/m")

# Hourly: recount the progress of courses whose recount (queued when lessons change) was lost.
CELERY_BEAT_SCHEDULE["catalog-progress-upkeep"] = {
    "task": "catalog.tasks.course_progress_upkeep",
    "schedule": crontab(minute=20),
}

# --- Gamification -------------------------------------------------------------------------------

# Points per XP event type (gamification.services.xp_award reads them at award time).
XP_POINTS = {
    "lesson_complete": env.int("XP_LESSON_COMPLETE_POINTS", default=10),
    "quiz_pass": env.int("XP_QUIZ_PASS_POINTS", default=25),
    "course_complete": env.int("XP_COURSE_COMPLETE_POINTS", default=100),
    "forum_post": env.int("XP_FORUM_POST_POINTS", default=5),
    "answer_accepted": env.int("XP_ANSWER_ACCEPTED_POINTS", default=15),
}
# Most forum XP (posts + accepted answers) one user earns per day in TIME_ZONE; 0 turns forum XP off.
XP_FORUM_DAILY_CAP = env.int("XP_FORUM_DAILY_CAP", default=50)
# Nightly (03:30 in TIME_ZONE, off-peak: the check briefly holds new awards) compare and repair the roll-ups.
CELERY_BEAT_SCHEDULE["gamification-leaderboards-upkeep"] = {
    "task": "gamification.tasks.leaderboards_upkeep",
    "schedule": crontab(hour=3, minute=30),
}
# XPEvent.type and Badge.event_type share one choice set: name it once in the OpenAPI schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["XPEventTypeEnum"] = "gamification.models.XPEvent.Type"

# --- Certificates -------------------------------------------------------------------------------

# The academy name printed on every certificate (the academy's own name unless a certificate needs another).
CERTIFICATES_ACADEMY_NAME = env.str("CERTIFICATES_ACADEMY_NAME", default=ACADEMY_NAME)
# The public page a certificate's QR code and printed link point at; "{code}" is the verification code.
CERTIFICATES_VERIFY_URL = env.str("CERTIFICATES_VERIFY_URL", default=f"{FRONTEND_URL}/certificates/verify/{{code}}")
# Public verification lookups per client IP (guards against code enumeration).
CERTIFICATES_VERIFY_RATE = env.str("CERTIFICATES_VERIFY_RATE", default="60/m")
# Certificates whose PDF is still missing this long after issue are queued for rendering again.
CERTIFICATES_RENDER_PENDING_AFTER_MINUTES = env.int("CERTIFICATES_RENDER_PENDING_AFTER_MINUTES", default=15)
CELERY_BEAT_SCHEDULE["certificates-render-pending"] = {
    "task": "certificates.tasks.certificate_render_pending",
    "schedule": env.int("CERTIFICATES_RENDER_PENDING_EVERY_SECONDS", default=900),
}
# Prompt recovery without beat: every worker consuming the pdf queue queues, at start and every
# CERTIFICATES_RENDER_RECOVER_EVERY_SECONDS (0 = off), the renders of certificates still without a PDF
# CERTIFICATES_RENDER_RECOVER_AFTER_SECONDS after issue (certificates.worker.RenderRecoveryStep).
CERTIFICATES_RENDER_RECOVER_EVERY_SECONDS = env.int("CERTIFICATES_RENDER_RECOVER_EVERY_SECONDS", default=60)
CERTIFICATES_RENDER_RECOVER_AFTER_SECONDS = env.int("CERTIFICATES_RENDER_RECOVER_AFTER_SECONDS", default=120)
# Named in the OpenAPI schema, so it does not collide with the other apps' "status" enums.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["CertificateStatusEnum"] = "certificates.models.Certificate.Status"

# --- Forum --------------------------------------------------------------------------------------

# Per-user rate limits ("N/s|m|h|d"), answered with 429 and Retry-After.
FORUM_POST_RATE = env.str("FORUM_POST_RATE", default="10/h")
FORUM_REPLY_RATE = env.str("FORUM_REPLY_RATE", default="30/h")
FORUM_VOTE_RATE = env.str("FORUM_VOTE_RATE", default="60/m")
FORUM_FLAG_RATE = env.str("FORUM_FLAG_RATE", default="20/h")
# Distinct open flags that hide a post or reply until a moderator decides.
FORUM_AUTO_HIDE_FLAGS = env.int("FORUM_AUTO_HIDE_FLAGS", default=3)
# The flag status choices get their own schema name (other apps also have fields named "status").
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["FlagStatusEnum"] = "forum.models.Flag.Status"

# --- Notifications and announcements ------------------------------------------------------------

# The web app's page an e-mail's "stop these e-mails" link opens; "{token}" is the signed unsubscribe token.
NOTIFICATIONS_UNSUBSCRIBE_URL = env.str(
    "NOTIFICATIONS_UNSUBSCRIBE_URL", default=f"{FRONTEND_URL}/notifications/unsubscribe?token={{token}}"
)
# The RFC 8058 one-click target of the List-Unsubscribe header: POST /api/notifications/unsubscribe/ as
# reachable from the internet ("{token}" as above).
NOTIFICATIONS_ONE_CLICK_UNSUBSCRIBE_URL = env.str(
    "NOTIFICATIONS_ONE_CLICK_UNSUBSCRIBE_URL", default=f"{FRONTEND_URL}/api/notifications/unsubscribe/?token={{token}}"
)
# Per-user limit on inbox and preference writes; per-IP limit on unsubscribe links; per-user announcements.
NOTIFICATIONS_WRITE_RATE = env.str("NOTIFICATIONS_WRITE_RATE", default="120/m")
NOTIFICATIONS_UNSUBSCRIBE_RATE = env.str("NOTIFICATIONS_UNSUBSCRIBE_RATE", default="30/m")
ANNOUNCEMENTS_POST_RATE = env.str("ANNOUNCEMENTS_POST_RATE", default="10/h")
# E-mails still unsent this long after their notification was created are queued again.
NOTIFICATIONS_EMAIL_PENDING_AFTER_MINUTES = env.int("NOTIFICATIONS_EMAIL_PENDING_AFTER_MINUTES", default=15)
CELERY_BEAT_SCHEDULE["notifications-emails-pending"] = {
    "task": "notifications.tasks.notification_emails_pending",
    "schedule": env.int("NOTIFICATIONS_EMAIL_PENDING_EVERY_SECONDS", default=900),
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["NotificationKindEnum"] = "notifications.models.Kind"

# --- Wishlist -----------------------------------------------------------------------------------

# Per-user limit on saving and removing wishlist courses.
WISHLIST_WRITE_RATE = env.str("WISHLIST_WRITE_RATE", default="60/m")

# --- Reviews ------------------------------------------------------------------------------------

# Per-user rate limits: writing, editing, deleting and replying to reviews; helpful votes.
REVIEWS_WRITE_RATE = env.str("REVIEWS_WRITE_RATE", default="20/h")
REVIEWS_HELPFUL_RATE = env.str("REVIEWS_HELPFUL_RATE", default="60/m")

# --- Staff operations -----------------------------------------------------------------------------

# How long the dashboard / GET /api/admin/stats/ numbers are cached (seconds; 0 = always fresh).
ADMIN_STATS_CACHE_SECONDS = env.int("ADMIN_STATS_CACHE_SECONDS", default=60)
# Rows fetched per database round trip when streaming CSV reports and admin exports.
REPORT_CHUNK_SIZE = env.int("REPORT_CHUNK_SIZE", default=2000)

# --- Assessments --------------------------------------------------------------------------------

# Quiz attempts a learner may submit per module per day (the day is local to TIME_ZONE).
QUIZ_ATTEMPTS_PER_DAY = env.int("QUIZ_ATTEMPTS_PER_DAY", default=10)
# Saving answers of an open attempt (PATCH /api/quiz-attempts/{id}/), per learner.
QUIZ_ANSWER_SAVE_RATE = env.str("QUIZ_ANSWER_SAVE_RATE", default="120/m")
# CSV imports of questions (POST /api/modules/{id}/quizzes/import/), per user: each may write 500 rows.
QUIZ_IMPORT_RATE = env.str("QUIZ_IMPORT_RATE", default="20/h")
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["QuizAttemptStatusEnum"] = "assessments.models.QuizAttempt.Status"
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["QuizTypeEnum"] = "assessments.models.Quiz.Type"
CELERY_BEAT_SCHEDULE["assessments-attempts-expire"] = {
    "task": "assessments.tasks.quiz_attempts_expire_task",
    "schedule": 60.0,
}

# --- Catalog ------------------------------------------------------------------------------------

# Video position reports per learner (a player sends one every ~15 s; seeking sends a few more).
LESSON_POSITION_RATE = env.str("LESSON_POSITION_RATE", default="30/m")
# Course and enrollment choice sets get their own schema names (other apps also have "status"/"source").
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "CourseStatusEnum": "catalog.models.Course.Status",
        "EnrollmentStatusEnum": "catalog.models.Enrollment.Status",
        "EnrollmentSourceEnum": "catalog.models.Enrollment.Source",
    }
)

# --- Security and scale-out ---------------------------------------------------------------------

# The schema and its viewers are public and identical for everyone: they ignore credentials, so a stale or
# suspended session never turns the docs into a non-JSON 403 page.
SPECTACULAR_SETTINGS["SERVE_AUTHENTICATION"] = []

# --- Two-factor authentication (allauth.mfa) ----------------------------------------------------

# TOTP authenticator apps and single-use recovery codes, managed through the headless API
# (/_allauth/{browser,app}/v1/account/authenticators/...) and, for staff, on the admin site.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = ACADEMY_NAME
# TOTP secrets and recovery-code seeds are stored encrypted (accounts.mfa.MFAAdapter): keys derived from
# MFA_ENCRYPTION_KEYS (first encrypts, all decrypt), then SECRET_KEY and SECRET_KEY_FALLBACKS.
MFA_ADAPTER = "accounts.mfa.MFAAdapter"
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS", default=[])
# Admins (role admin, the only staff) must enrol TOTP before they may use the admin site or the API.
# Left empty (as in .env.example) it keeps that default: an empty value must never switch it off.
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED") if env.str("STAFF_MFA_REQUIRED", default="").strip() else not DEBUG
# Second-factor code attempts (sign-in and re-authentication), per IP and per account; 429 + Retry-After.
# allauth's own limit on them rides on ACCOUNT_RATE_LIMITS["login_failed"], which is replaced above.
ACCOUNTS_RATE_LIMITS["mfa_code"] = {"ip": env.str("ACCOUNTS_RATE_MFA_CODE_IP", default="30/m"), "account": "5/5m"}

"""Settings for the 综治中心 platform.

Configuration comes only from the environment (12-factor) through the one `env` object.
Defaults are safe for development on a fresh machine: SQLite, the filesystem Celery
broker, DEBUG on. Production differs only by environment; with DEBUG off the variables
that must not default (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, PARTY_DATA_KEY) fail loudly.
"""
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# With DEBUG on, show Django's technical 404/500 pages (settings, traceback) instead of the
# product's Chinese ones (governance/debug_pages.py). Only a developer asks for them.
DEBUG_ERROR_PAGES = DEBUG and env.bool("DEBUG_ERROR_PAGES", default=False)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"


def _required(name: str, default: str) -> str:
    """Return env[name]; in production (DEBUG off) a missing value is a startup error."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return default
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off")


SECRET_KEY = _required("SECRET_KEY", _DEV_SECRET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",  # API tokens: hashed at rest, expiring, one per sign-in (governance/authentication.py)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "governance",
    "grids",
    "disputes",
    "partybuilding",
    "assessment",
    "benchmarks",  # operator tooling (seed_scale, bench): above every app, imported by none
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The real client address, for audit rows written where no request is in hand.
    "governance.client_ip.ClientAddressMiddleware",
    "governance.security_middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # DEBUG on (make run): the product's 404/500 pages, not Django's technical ones.
    "governance.debug_pages.ProductErrorPagesMiddleware",
    # Cache-Control: no-store on every response to a signed-in caller (personal data).
    "governance.middleware.PrivateNoStoreMiddleware",
    # Every file handed to a signed-in user (exports, PDFs, attachments) leaves an audit row.
    "governance.download_audit.DownloadAuditMiddleware",
    # request.user.is_verified(): the second factor of this session (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages (they tell the user why): idle sign-out, then the second factor and an
    # expired password, which keep a session on their own pages until done.
    "governance.security_middleware.IdleTimeoutMiddleware",
    "governance.security_middleware.AccountPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks, so it sees the final authentication result.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"

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
                "django.template.context_processors.i18n",
                "governance.context_processors.layout",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite file under var/ when DATABASE_URL is unset (the embedded default).
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL + a busy timeout let the dev server and the embedded worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if not DEBUG and "DATABASE_URL" not in env:
    raise ImproperlyConfigured("DATABASE_URL must be set when DEBUG is off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "governance.User"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out credentials before any password check.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that loads the user with their region and its ancestors (one query).
    "governance.auth.UserBackend",
]
# Password policy (等保 level 3, governance/passwords.py): at least 8 characters of at least
# three classes (upper, lower, digit, symbol), not containing the username, none of the last
# PASSWORD_HISTORY_COUNT, and a change forced PASSWORD_MAX_AGE_DAYS after the last one (0: never).
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=8)
PASSWORD_HISTORY_COUNT = env.int("PASSWORD_HISTORY_COUNT", default=5)
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "governance.passwords.ComplexityValidator", "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH}},
    {"NAME": "governance.passwords.UsernameNotContainedValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "governance.passwords.HistoryValidator", "OPTIONS": {"count": PASSWORD_HISTORY_COUNT}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after SESSION_IDLE_TIMEOUT_MINUTES without a request (governance/
# security_middleware.py signs the user out and says so) and at the latest SESSION_MAX_AGE_HOURS
# after sign-in, and when the browser closes.
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_COOKIE_AGE = env.int("SESSION_MAX_AGE_HOURS", default=12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Second factor (django-otp, TOTP): the three administrator roles always, and the roles listed
# here too (e.g. "dispatcher,leader"). Users of other roles may enrol on their own; once
# enrolled they are asked for the code at every sign-in. OTP_ENFORCED=0 only for the test
# suite; `check --deploy` fails when it is off in production (governance/checks.py).
OTP_ENFORCED = env.bool("OTP_ENFORCED", default=True)
OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=[])
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="综治中心平台")

# The client address behind the reverse proxy (governance/client_ip.py, django-ipware): the
# X-Forwarded-For hop the proxy appended is believed only when the request comes from one of
# TRUSTED_PROXY (addresses or CIDR ranges, e.g. "10.0.0.2,10.0.1.0/24"); otherwise the peer
# address. TRUSTED_PROXY_HOPS counts further proxies in front of that one (a load balancer).
TRUSTED_PROXY = env.list("TRUSTED_PROXY", default=[])
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=0)

# Login lockout (django-axes): AXES_FAILURE_LIMIT failures lock the username (from any
# address) and, separately, the client address (for any username) for AXES_COOLOFF_MINUTES.
# The address is the real client's, not the proxy's (AXES_CLIENT_IP_CALLABLE).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "governance.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Rate limits per client address on the sign-in page and the token endpoint (POSTs), before
# axes counts failures: "count/period" as django-ratelimit and DRF read them.
LOGIN_RATE = env.str("LOGIN_RATE", default="30/m")

# --- i18n -----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------
# Front-end packages come from npm (package.json + package-lock.json) into node_modules/;
# VendorFinder (below) exposes only the files we use, under a vendor/ prefix.
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The npm files the pages use, and only those (governance/staticfinders.py): served as
# /static/<prefix>/<name> from node_modules/<folder>/<name>.
VENDOR_STATIC = [
    ("vendor/tabler/css", _NODE / "@tabler" / "core" / "dist" / "css", ["tabler.min.css", "tabler.min.css.map"]),
    ("vendor/tabler/js", _NODE / "@tabler" / "core" / "dist" / "js", ["tabler.min.js", "tabler.min.js.map"]),
    ("vendor/htmx", _NODE / "htmx.org" / "dist", ["htmx.min.js"]),
    ("vendor/echarts", _NODE / "echarts" / "dist", ["echarts.min.js"]),
    ("vendor/leaflet", _NODE / "leaflet" / "dist", ["leaflet.js", "leaflet.js.map", "leaflet.css"]),
    # leaflet.css points at these (the manifest storage fails on a missing one).
    ("vendor/leaflet/images", _NODE / "leaflet" / "dist" / "images",
     ["layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"]),
]
# The dashboard's figures and queues poll every N seconds (docs/dashboard.md); an Excel export
# of more rows than EXPORT_ASYNC_ROWS is written by a worker with a progress page.
DASHBOARD_REFRESH_SECONDS = env.int("DASHBOARD_REFRESH_SECONDS", default=60)
# The dashboard's state and card figures and its charts read a rollup the workers recount every
# N seconds (0: no rollup, counted live on every request; docs/dashboard.md).
DASHBOARD_TALLY_SECONDS = env.int("DASHBOARD_TALLY_SECONDS", default=60)
EXPORT_ASYNC_ROWS = env.int("EXPORT_ASYNC_ROWS", default=5000)
# The grid map draws boundaries without a base map: intranets have no internet tiles. An
# intranet map server's tile URL template ("https://gis.example/tiles/{z}/{x}/{y}.png") adds one.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "governance.staticfinders.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# Uploaded attachments live outside the static tree and are served only by a
# permission-checked view (never by the web server directly).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"
# Where `manage.py backup` writes (docs/operations.md); keep it on another disk or host.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Party personal data ------------------------------------------------------------------
# 32 hex chars (SM4 key, 128 bits) for encryption at rest and a separate HMAC key for lookup.
PARTY_DATA_KEY = _required("PARTY_DATA_KEY", "00112233445566778899aabbccddeeff")
PARTY_HASH_KEY = _required("PARTY_HASH_KEY", "dev-only-party-hash-key")

# --- Cache, sessions -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Residents' pages without sign-in (/public/): rate limits --------------------------------
# "count/period" (django-ratelimit: 10/h, 20/10m), counted in the default cache per client
# address (REMOTE_ADDR, set by the proxy). The lookup limit per case number counts failed
# lookups of one number from any address. Production counts in Redis (shared by every process).
PUBLIC_REPORT_RATE = env.str("PUBLIC_REPORT_RATE", default="10/h")
PUBLIC_TRACK_RATE = env.str("PUBLIC_TRACK_RATE", default="30/h")
PUBLIC_TRACK_NUMBER_RATE = env.str("PUBLIC_TRACK_NUMBER_RATE", default="10/h")

# --- DRF --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "governance.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Per signed-in user and per client address (governance/throttles.py; rates below).
    "DEFAULT_THROTTLE_CLASSES": [
        "governance.throttles.UserApiThrottle",
        "governance.throttles.AnonApiThrottle",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "governance.errors.api_exception_handler",
}
# API rates (DRF throttles, counted in the default cache: Redis in production). 429 beyond.
API_THROTTLE_RATES = {
    "user": env.str("API_USER_RATE", default="600/min"),
    "anon": env.str("API_ANON_RATE", default="60/min"),
    "token": LOGIN_RATE,
}
# API tokens (django-rest-knox): a new token per sign-in, stored as a hash, expiring
# API_TOKEN_TTL_HOURS after issue; signing out (POST /api/v1/auth/logout/, or the page) and a
# password change revoke the user's tokens.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=10)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
API_TOKENS_PER_USER = env.int("API_TOKENS_PER_USER", default=5)

SPECTACULAR_SETTINGS = {
    "TITLE": "综治中心平台 API",
    "DESCRIPTION": "一窗受理、闭环管理 — 矛盾纠纷受理、分流、办理、回访、归档。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Intranet: Swagger UI assets come from the drf-spectacular-sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per choice set shared by several serializers (drf_spectacular.W001
    # would otherwise fail `check --deploy --fail-level WARNING`).
    "ENUM_NAME_OVERRIDES": {
        "RegionLevelEnum": "governance.models.RegionLevel",
        "UserRoleEnum": "governance.models.Role",
        "PartyRoleEnum": "disputes.models.PartyRole",
        "PartyKindEnum": "disputes.models.PartyKind",
        "MediationOutcomeEnum": "disputes.models.MediationOutcome",
        "ReferralKindEnum": "disputes.models.ReferralKind",
        "ReferralStatusEnum": "disputes.models.ReferralStatus",
        "ReferToEnum": "disputes.actions.REFER_KINDS",
        "ReferralResultEnum": "disputes.actions.REFERRAL_RESULTS",
        "PartyGroupKindEnum": "partybuilding.models.PartyGroupKind",
        "PartyMemberKindEnum": "partybuilding.models.MemberKind",
        "PartyActivityKindEnum": "partybuilding.models.ActivityKind",
        "CaseStateEnum": "disputes.models.CaseState",
        "AssessmentPeriodStateEnum": "assessment.models.PeriodState",
        "AssessmentPeriodKindEnum": "assessment.models.PeriodKind",
        "AssessmentItemKindEnum": "assessment.models.ItemKind",
        "VetoStateEnum": "assessment.models.VetoState",
    },
}

# --- Celery ------------------------------------------------------------------------------------
# Redis when REDIS_URL is set; otherwise kombu's filesystem transport (embedded default).
_BROKER_DIR = Path(env.str("BROKER_DIR", default=str(VAR_DIR / "broker")))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = None
else:
    for sub in ("in", "processed", "control"):
        (_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "in"),
        "data_folder_out": str(_BROKER_DIR / "in"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        # Exchange tables; kombu's default is ./control in the working directory.
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
# Redis hands an unacknowledged message (acks_late) to another worker after the visibility
# timeout. It must outlast the longest task (a task still running would run twice) plus the
# time a prefetched message waits behind one running task (prefetch multiplier 1), and no
# task schedules a countdown/ETA (notification retries live in the database). It is also how
# long a killed worker's messages wait before they return; the outbox drain (every minute)
# and the sweep (every SWEEP_INTERVAL_SECONDS) do not wait for them.
CELERY_LONGEST_TASK_SECONDS = 180  # the deadline sweep's time_limit, the longest of all tasks
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * CELERY_LONGEST_TASK_SECONDS + 60)
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        # A broker that does not answer fails a publish in seconds, not minutes: the change is
        # committed already and the outbox drain delivers its notifications later.
        "socket_connect_timeout": 2,
    }
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Defaults for a task that declares none; never above CELERY_LONGEST_TASK_SECONDS.
CELERY_TASK_TIME_LIMIT = CELERY_LONGEST_TASK_SECONDS
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_LONGEST_TASK_SECONDS - 30
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "disputes.tasks.*sweep*": {"queue": "sweeps"},
    "disputes.tasks.case_tally_*": {"queue": "sweeps"},
    "governance.tasks.notification_*": {"queue": "notifications"},
}
# The one beat schedule. Intervals come from the environment.
SWEEP_INTERVAL_SECONDS = env.int("SWEEP_INTERVAL_SECONDS", default=60)
NOTIFICATION_DRAIN_INTERVAL_SECONDS = env.int("NOTIFICATION_DRAIN_INTERVAL_SECONDS", default=60)
WARNING_SWEEP_INTERVAL_SECONDS = env.int("WARNING_SWEEP_INTERVAL_SECONDS", default=900)
ASSESSMENT_RECOMPUTE_HOUR = env.int("ASSESSMENT_RECOMPUTE_HOUR", default=2)
CELERY_BEAT_SCHEDULE = {
    "sweep-deadlines": {
        "task": "disputes.tasks.deadline_sweep_task",
        "schedule": SWEEP_INTERVAL_SECONDS,
        "options": {"queue": "sweeps", "expires": SWEEP_INTERVAL_SECONDS},
    },
    # The outbox drain: every unsent notification, oldest first, until none is left. Every
    # minute, so a fan-out message lost with the broker costs at most a minute.
    "drain-notification-outbox": {
        "task": "governance.tasks.notification_drain_task",
        "schedule": NOTIFICATION_DRAIN_INTERVAL_SECONDS,
        "options": {"queue": "notifications", "expires": NOTIFICATION_DRAIN_INTERVAL_SECONDS},
    },
    # The dashboard's rollup of cases by region, state and card (docs/dashboard.md).
    **({"count-case-tally": {
        "task": "disputes.tasks.case_tally_refresh_task",
        "schedule": DASHBOARD_TALLY_SECONDS,
        "options": {"queue": "sweeps", "expires": DASHBOARD_TALLY_SECONDS},
    }} if DASHBOARD_TALLY_SECONDS > 0 else {}),
    # 研判预警: every active rule over the platform (docs/warnings.md).
    "evaluate-warnings": {
        "task": "disputes.tasks.warning_sweep_task",
        "schedule": WARNING_SWEEP_INTERVAL_SECONDS,
        "options": {"queue": "sweeps", "expires": WARNING_SWEEP_INTERVAL_SECONDS},
    },
    # Nightly recompute of the open assessment periods (assessment/tasks.py), 02:30 local.
    "assessment-recompute-open-periods": {
        "task": "assessment.tasks.periods_recompute_task",
        "schedule": crontab(hour=ASSESSMENT_RECOMPUTE_HOUR, minute=30),
        "options": {"expires": 3600},
    },
}

# --- Notifications -----------------------------------------------------------------------------
NOTIFICATION_CHANNEL_BACKEND = env.str(
    "NOTIFICATION_CHANNEL_BACKEND", default="governance.channels.LogChannel"
)
# Every channel a notification goes out through (one NotificationDelivery row each).
NOTIFICATION_CHANNELS = env.list("NOTIFICATION_CHANNELS", default=[NOTIFICATION_CHANNEL_BACKEND])

# --- Security (production passes `check --deploy` with zero warnings) -----------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# Content-Security-Policy (django-csp): scripts and style sheets from this site only, inline
# <script>/<style> only with the request's nonce. Inline style *attributes* stay allowed
# (style-src-attr): ECharts' tooltips and Tabler's components write them; they cannot run code.
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE  # noqa: E402

_MAP_TILE_ORIGIN = "/".join(MAP_TILE_URL.split("/")[:3]) if MAP_TILE_URL.startswith("http") else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *([_MAP_TILE_ORIGIN] if _MAP_TILE_ORIGIN else [])],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "worker-src": [SELF],
        "manifest-src": [SELF],
    },
}
# Browser features the pages never use are switched off; geolocation stays for this site
# (the grid worker's field report reads the phone's position).
PERMISSIONS_POLICY = env.str(
    "PERMISSIONS_POLICY",
    default="accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
            "fullscreen=(self), geolocation=(self), gyroscope=(), magnetometer=(), microphone=(), "
            "midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), "
            "screen-wake-lock=(), usb=(), xr-spatial-tracking=(), interest-cohort=()",
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Cookies only over https. Turned off (=0) only for a load test over plain http on
    # 127.0.0.1 (docs/performance.md); `check --deploy` warns when they are off.
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every handler scrubs ID numbers and phones from what it writes (governance/log_filters.py).
    "filters": {"personal_data": {"()": "governance.log_filters.PersonalDataFilter"},
                "refusals": {"()": "governance.log_filters.RefusalFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO").upper()},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's own handlers go (its DEBUG console printed every django.* line a second
        # time, unscrubbed; its mail_admins has no ADMINS to write to): django.* reaches the
        # root console alone, like every other logger.
        "django": {"handlers": [], "level": "INFO"},
        # A refusal (403) is one line without a traceback; the audit log has the row.
        "django.request": {"filters": ["refusals"]},
    },
}

# --- Input limits, personal data in logs and caches, API contract (docs/security.md) ----------
# JSON bodies: size and nesting limits (governance/parsers.py); 413 / 400 beyond them.
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=1024 * 1024)
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "governance.parsers.LimitedJSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
# The OpenAPI schema and Swagger UI (/api/schema/, /api/docs/) need a signed-in user unless
# this is off; it defaults to on in production (DEBUG off).
API_DOCS_REQUIRE_LOGIN = env.bool("API_DOCS_REQUIRE_LOGIN", default=not DEBUG)
# Seconds a client is asked to wait (Retry-After) when the database cannot be reached (503).
OUTAGE_RETRY_AFTER = env.int("OUTAGE_RETRY_AFTER", default=30)
REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"] = "governance.pagination.StandardPagination"
# The schema states that required texts may not be blank (governance/schema.py).
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "governance.schema.AutoSchema"
# OPTIONS answers without introspecting serializers (governance/metadata.py).
REST_FRAMEWORK["DEFAULT_METADATA_CLASS"] = "governance.metadata.ApiMetadata"
CSRF_FAILURE_VIEW = "governance.views.csrf_failure"

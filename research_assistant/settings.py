"""Settings for the Dataset Research Assistant.

The only module that reads the environment (django-environ). Two run modes share it:
the embedded default (SQLite, local-memory cache, eager Celery) and the production stack
(PostgreSQL, Redis cache/broker, Celery workers), picked by DATABASE_URL and REDIS_URL.
Every variable is documented in .env.example.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VERSION = "0.1.0"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE (Docker/systemd secrets)."""
    file_path = env.str(f"{name}_FILE", default="")
    if file_path:
        return Path(file_path).read_text().strip()
    return env.str(name, default=default)


def env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default="")
    if raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be development, production or test, got {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production")

SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE = 10  # distinct characters: "x" * 60 or "abcabc..." is not a secret


def secret_key_weakness(key: str) -> str | None:
    """Why ``key`` is too weak to sign sessions, CSRF tokens and password-reset links, or None."""
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"it has {len(key)} characters; use at least {SECRET_KEY_MIN_LENGTH}"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE:
        return f"it uses only {len(set(key))} distinct characters; use at least {SECRET_KEY_MIN_UNIQUE}"
    if key.startswith("django-insecure") or key.startswith("dev-insecure"):
        return "it is a development key"
    return None


SECRET_KEY = env_secret("SECRET_KEY", default=None)
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) is required when DJANGO_ENV=production")
    SECRET_KEY = "dev-insecure-key-do-not-use-in-production"  # noqa: S105
elif PRODUCTION and (weakness := secret_key_weakness(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"SECRET_KEY is too weak for production: {weakness}. Generate one with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DJANGO_ENV=production")
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
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, not a CDN
    "django_htmx",
    "corsheaders",
    "axes",
    "django_celery_beat",
    "ops",
    "catalog",
    "activity",
    "search",
    "conversation",
]

MIDDLEWARE = [
    "ops.middleware.RequestIdMiddleware",
    "ops.middleware.DatabaseUnavailableMiddleware",
    "ops.metrics.MetricsMiddleware",
    "ops.input_guard.InputGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ops.throttling.PageThrottleMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout response
]

ROOT_URLCONF = "research_assistant.urls"
WSGI_APPLICATION = "research_assistant.wsgi.application"
ASGI_APPLICATION = "research_assistant.asgi.application"

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
                "ops.context_processors.site",
            ],
        },
    },
]

# --- Database: SQLite file by default, PostgreSQL (psycopg 3) via DATABASE_URL ---
DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A dead or unreachable database fails requests (and /api/health) fast instead of hanging them.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=3))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while an import or eager task writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery: local memory + eager tasks without REDIS_URL, Redis with it ---
REDIS_URL = env.str("REDIS_URL", default="")
# Short socket timeouts: a hung Redis must degrade features, not hang requests.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="ra"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ra"}}
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="cache+memory://")
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a task whose worker process died goes back to the queue
# With acks_late, Redis hands an unacknowledged task (its worker was killed) to another worker after the
# visibility timeout: longer than the longest task's hard limit (quality recompute, 720 s). The beat
# checks (answers sweep, index catch-up) cover the wait. A publish tries the connection once (no
# retry loop holding a web request while Redis is down; the caller degrades instead).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=900)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Failed-login limits (django-axes; ops/auth_limits.py) ---
# Axes' backend comes first: it refuses a locked-out account or address before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)  # failures per account, and per address
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ops.auth_limits.lockout_response"
AXES_CLIENT_IP_CALLABLE = "ops.client_ip.client_ip"
AXES_USERNAME_CALLABLE = "ops.auth_limits.client_username"  # axes' rule, cut to its 255-character column
AXES_DISABLE_ACCESS_LOG = True  # failures are counted; successful logins are not recorded (personal data)
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
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

# --- Security (production) ---
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", default=True) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^api/health"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: scripts and styles only from our own
# static files (no inline code, no eval: static/js/app.js holds page behaviour, htmx runs with
# allowEval off), nothing may frame us, forms post only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])  # closed by default
CORS_URLS_REGEX = r"^/api/.*$"

# --- REST API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every API view is rate limited (ops/throttling.py); an app never names the classes itself.
    "DEFAULT_THROTTLE_CLASSES": ["ops.throttling.ApiAnonThrottle", "ops.throttling.ApiUserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="240/min"),
    },
    "EXCEPTION_HANDLER": "ops.api.exception_handler",
    # Bodies are checked before any view sees them: size, nesting, a JSON object, no NUL or lone
    # surrogate in any string (ops/input_guard.py).
    "DEFAULT_PARSER_CLASSES": [
        "ops.input_guard.StrictJSONParser",
        "ops.input_guard.StrictFormParser",
        "ops.input_guard.StrictMultiPartParser",
    ],
    # ?format= is a search filter (/api/search?format=CSV), not DRF's renderer override.
    "URL_FORMAT_OVERRIDE": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Proxies whose X-Forwarded-For is believed (addresses or CIDR networks, e.g. 127.0.0.1 for a local
# nginx, 10.0.0.0/8 for a load balancer). Empty (the default in every mode): the client address is
# REMOTE_ADDR and the header is ignored, so it cannot be forged to dodge a rate or login limit.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network") from None
if env.str("API_NUM_PROXIES", default=""):
    raise ImproperlyConfigured("API_NUM_PROXIES is gone: list the proxies' addresses in TRUSTED_PROXIES instead")
# HTML views (URL names) rate limited like the API, sharing its budget (ops.throttling).
RATE_LIMITED_PAGES = [
    "search",
    "chat-send",
    "chat-chip-remove",
    "conversation-share-create",
    "conversation-shared",
    "saved-search-create",  # runs a search (the baseline)
]
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)  # larger JSON bodies get 413
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=32)  # deeper JSON nesting gets 400
SPECTACULAR_SETTINGS = {
    "TITLE": "Dataset Research Assistant API",
    "DESCRIPTION": "Search a curated catalog of open datasets and converse with a grounded research assistant.",
    "VERSION": VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Catalog, search and index ---
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var")))
INDEX_DIR = Path(env.str("INDEX_DIR", default=str(DATA_DIR / "index")))
DEMO_FIXTURE = BASE_DIR / "catalog" / "fixtures" / "demo_catalog.json.gz"
EMBEDDING_MODEL = env.str("EMBEDDING_MODEL", default="all-MiniLM-L6-v2")
EMBEDDING_DEVICE = env.str("EMBEDDING_DEVICE", default="")  # "" = auto: cuda, mps, else cpu
EMBEDDING_BATCH_SIZE = env.int("EMBEDDING_BATCH_SIZE", default=64)
# torch CPU threads per process. 1 keeps query latency steady with several web workers per host
# (measured: turn p95 1079 ms -> 146 ms on a busy 2-core box); raise it for bulk embedding workers.
EMBEDDING_THREADS = env.int("EMBEDDING_THREADS", default=1)
SEARCH_CACHE_TTL = env.int("SEARCH_CACHE_TTL", default=600)
SEARCH_DEFAULT_TOP_K = 10
SEARCH_MAX_TOP_K = 50
# How often a process checks IndexState for a newer index version (seconds).
SEARCH_INDEX_CHECK_SECONDS = env.float("SEARCH_INDEX_CHECK_SECONDS", default=1.0)
# Catalog changes are laid over the current version as a delta (searchable at the next check); once this
# many are logged since the version's build, a full build is queued to fold them in (compaction).
SEARCH_DELTA_COMPACT_AT = env.int("SEARCH_DELTA_COMPACT_AT", default=5000)
# Past this many datasets a build also writes an approximate nearest-neighbour graph for the dense side
# (search.index.ann); below it every search scans the vectors exactly.
SEARCH_ANN_THRESHOLD = env.int("SEARCH_ANN_THRESHOLD", default=100_000)
# Where a built index version is kept for the web nodes of other hosts to restore (search.index.snapshots):
# empty = in the database; a directory = on a volume every node mounts (for multi-gigabyte versions).
SEARCH_SNAPSHOT_DIR = env.str("SEARCH_SNAPSHOT_DIR", default="")
# Neural candidates below this cosine similarity are not counted as matches.
SEARCH_MIN_SIMILARITY = env.float("SEARCH_MIN_SIMILARITY", default=0.15)

# --- Saved searches and alerts (search.saved; README "Saved searches") ---
SAVED_SEARCH_MAX_PER_USER = env.int("SAVED_SEARCH_MAX_PER_USER", default=25)
# How deep into a saved search's ranked results a dataset counts as a match (1-50, the search's top_k).
SAVED_SEARCH_MATCH_DEPTH = min(max(env.int("SAVED_SEARCH_MATCH_DEPTH", default=50), 1), SEARCH_MAX_TOP_K)
SAVED_SEARCH_MAX_NEW_PER_RUN = env.int("SAVED_SEARCH_MAX_NEW_PER_RUN", default=20)  # new matches per search per run
SAVED_SEARCH_BATCH = env.int("SAVED_SEARCH_BATCH", default=200)  # saved searches re-run per task
# Catalog changes within this window are matched by one run (queued after the first change).
SAVED_SEARCH_DEBOUNCE_SECONDS = env.int("SAVED_SEARCH_DEBOUNCE_SECONDS", default=60)
# The digest frequency: at most one e-mail per user per this many hours (the beat checks hourly).
SAVED_SEARCH_DIGEST_EVERY_HOURS = env.int("SAVED_SEARCH_DIGEST_EVERY_HOURS", default=24)
SAVED_SEARCH_DIGEST_MAX_ITEMS = env.int("SAVED_SEARCH_DIGEST_MAX_ITEMS", default=50)  # datasets listed per e-mail
# The site's public address, for links in e-mails (no request to build them from).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- E-mail: printed to the console unless EMAIL_HOST names an SMTP server ---
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", default="") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Dataset Research Assistant <noreply@localhost>")

# --- Conversation and LLM providers ---
CONVERSATION_IDLE_EXPIRY_SECONDS = env.int("CONVERSATION_IDLE_EXPIRY_SECONDS", default=3600)
CONVERSATION_CONTEXT_TURNS = env.int("CONVERSATION_CONTEXT_TURNS", default=20)
LLM_PROVIDERS = env.list("LLM_PROVIDERS", default=[])  # e.g. openai,anthropic; builtin is always last
LLM_TIMEOUT_SECONDS = env.float("LLM_TIMEOUT_SECONDS", default=20.0)
LLM_DEADLINE_SECONDS = env.float("LLM_DEADLINE_SECONDS", default=30.0)
LLM_MAX_RETRIES = env.int("LLM_MAX_RETRIES", default=2)
LLM_CIRCUIT_FAILURES = env.int("LLM_CIRCUIT_FAILURES", default=3)
LLM_CIRCUIT_COOLDOWN_SECONDS = env.int("LLM_CIRCUIT_COOLDOWN_SECONDS", default=60)
LLM_ANSWER_CACHE_TTL = env.int("LLM_ANSWER_CACHE_TTL", default=86400)
# With a provider configured, follow-up messages are read by the model first (structured output,
# validated against the catalog; the built-in parser on any failure). Off: the built-in parser only.
LLM_INTERPRET = env_bool("LLM_INTERPRET", default=True)
# The model's reading runs while the user waits: a short deadline of its own.
LLM_INTERPRET_DEADLINE_SECONDS = env.float("LLM_INTERPRET_DEADLINE_SECONDS", default=4.0)
ANSWER_WAIT_SECONDS = env.float("ANSWER_WAIT_SECONDS", default=10.0)
# A turn still pending this long gets the built-in answer from the beat sweep (every 30 s): a task lost with
# a broker that went away. A live task has answered by then: the model's answer is cut at LLM_DEADLINE_SECONDS.
# With the defaults a lost answer is written at most 75 s after its turn, within a minute of a 20 s outage.
ANSWER_SWEEP_AFTER_SECONDS = env.int("ANSWER_SWEEP_AFTER_SECONDS", default=int(LLM_DEADLINE_SECONDS) + 15)
# Streamed answers (SSE): a stream ends after ANSWER_STREAM_MAX_SECONDS (the page then polls),
# sends a heartbeat comment every ANSWER_STREAM_HEARTBEAT_SECONDS; the chunk log lives
# ANSWER_STREAM_TTL_SECONDS in the cache; a worker pauses ANSWER_STREAM_PACE_SECONDS between the
# built-in responder's sentences so its summary is seen being written (0 = no pause).
ANSWER_STREAM_MAX_SECONDS = env.float("ANSWER_STREAM_MAX_SECONDS", default=45.0)
ANSWER_STREAM_HEARTBEAT_SECONDS = env.float("ANSWER_STREAM_HEARTBEAT_SECONDS", default=10.0)
ANSWER_STREAM_TTL_SECONDS = env.int("ANSWER_STREAM_TTL_SECONDS", default=600)
ANSWER_STREAM_PACE_SECONDS = env.float("ANSWER_STREAM_PACE_SECONDS", default=0.12)
# Longest chat message accepted (characters). Longer ones than the search takes (500) are searched by their gist.
CONVERSATION_MAX_MESSAGE_CHARS = env.int("CONVERSATION_MAX_MESSAGE_CHARS", default=20000)
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="https://api.openai.com/v1")
OPENAI_API_KEY = env_secret("OPENAI_API_KEY", default="")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
ANTHROPIC_BASE_URL = env.str("ANTHROPIC_BASE_URL", default="https://api.anthropic.com")
ANTHROPIC_API_KEY = env_secret("ANTHROPIC_API_KEY", default="")
ANTHROPIC_MODEL = env.str("ANTHROPIC_MODEL", default="claude-3-5-haiku-latest")
# "Search elsewhere" links offered when the catalog has nothing good: built-in portal keys
# (datagovsg, worldbank, kaggle, huggingface, google) or "Label|https://portal/search?q={query}".
SEARCH_ELSEWHERE = env.list("SEARCH_ELSEWHERE", default=["datagovsg", "worldbank", "kaggle", "huggingface", "google"])
# Top result score below which the assistant says the catalog has nothing good for the query.
ASSISTANT_WEAK_SCORE = env.float("ASSISTANT_WEAK_SCORE", default=0.5)

# --- Operations ---
METRICS_TOKEN = env_secret("METRICS_TOKEN", default="")
LINK_CHECK_CONCURRENCY = env.int("LINK_CHECK_CONCURRENCY", default=20)
LINK_CHECK_PER_HOST = env.int("LINK_CHECK_PER_HOST", default=2)
LINK_CHECK_TIMEOUT_SECONDS = env.float("LINK_CHECK_TIMEOUT_SECONDS", default=10.0)
LINK_CHECK_MAX_AGE_HOURS = env.int("LINK_CHECK_MAX_AGE_HOURS", default=24 * 7)
LINK_CHECK_MAX_REDIRECTS = env.int("LINK_CHECK_MAX_REDIRECTS", default=5)
LINK_CHECK_BATCH_SIZE = env.int("LINK_CHECK_BATCH_SIZE", default=500)  # datasets per periodic run
LINK_CHECK_VERIFY_TLS = env_bool("LINK_CHECK_VERIFY_TLS", default=True)
# Politeness: at least this long between two requests to the same host (on top of LINK_CHECK_PER_HOST).
LINK_CHECK_PER_HOST_INTERVAL_SECONDS = env.float("LINK_CHECK_PER_HOST_INTERVAL_SECONDS", default=0.5)
# The first check queued by `manage.py bootstrap`: the N never-checked datasets, within a time budget
# (URLs not answered by then stay "not checked" for the hourly run).
LINK_CHECK_AFTER_BOOTSTRAP = env_bool("LINK_CHECK_AFTER_BOOTSTRAP", default=True)
LINK_CHECK_BOOTSTRAP_LIMIT = env.int("LINK_CHECK_BOOTSTRAP_LIMIT", default=200)
LINK_CHECK_BOOTSTRAP_SECONDS = env.float("LINK_CHECK_BOOTSTRAP_SECONDS", default=30.0)
LINK_CHECK_ADMIN_MAX = env.int("LINK_CHECK_ADMIN_MAX", default=1000)  # datasets one "check links now" takes

# --- Exports (catalog.export): the DCAT-AP catalog pages ---
DCAT_EXPORT_PAGE_SIZE = env.int("DCAT_EXPORT_PAGE_SIZE", default=500)
DCAT_EXPORT_CACHE_SECONDS = env.int("DCAT_EXPORT_CACHE_SECONDS", default=300)

# --- Harvesting live portals (catalog.harvest; README "Harvest sources") ---
HARVEST_USER_AGENT = env.str("HARVEST_USER_AGENT", default="DatasetResearchAssistant-Harvester/1.0")
HARVEST_TIMEOUT_SECONDS = env.float("HARVEST_TIMEOUT_SECONDS", default=30.0)
HARVEST_MIN_INTERVAL_SECONDS = env.float("HARVEST_MIN_INTERVAL_SECONDS", default=1.0)  # between requests to a source
HARVEST_RETRIES = env.int("HARVEST_RETRIES", default=4)  # on 429, 5xx, timeouts and connection errors
HARVEST_BACKOFF_SECONDS = env.float("HARVEST_BACKOFF_SECONDS", default=2.0)  # doubles per retry
HARVEST_MAX_RETRY_AFTER_SECONDS = env.float("HARVEST_MAX_RETRY_AFTER_SECONDS", default=300.0)
HARVEST_MAX_REDIRECTS = env.int("HARVEST_MAX_REDIRECTS", default=5)
HARVEST_MAX_PAGE_SIZE = env.int("HARVEST_MAX_PAGE_SIZE", default=1000)  # rows asked per page (CKAN caps at 1000)
HARVEST_MAX_PAGES = env.int("HARVEST_MAX_PAGES", default=10000)
HARVEST_MAX_RESPONSE_BYTES = env.int("HARVEST_MAX_RESPONSE_BYTES", default=200 * 1024 * 1024)
HARVEST_MAX_ERRORS_KEPT = env.int("HARVEST_MAX_ERRORS_KEPT", default=1000)
HARVEST_FULL_EVERY_HOURS = env.int("HARVEST_FULL_EVERY_HOURS", default=24)  # a complete listing (withdrawals)
HARVEST_SOFT_TIME_LIMIT = env.int("HARVEST_SOFT_TIME_LIMIT", default=3 * 3600)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Data previews (catalog.previews; README "Data previews") ---
# Every cap bounds one fetch: a hostile or broken file ends as "unavailable: <reason>" within
# PREVIEW_DEADLINE_SECONDS, whatever the server does.
PREVIEW_USER_AGENT = env.str("PREVIEW_USER_AGENT", default="DatasetResearchAssistant-Preview/1.0")
PREVIEW_MAX_BYTES = env.int("PREVIEW_MAX_BYTES", default=20 * 1024 * 1024)  # read (after decompression)
PREVIEW_DEADLINE_SECONDS = env.float("PREVIEW_DEADLINE_SECONDS", default=30.0)  # wall clock, whole fetch
PREVIEW_TIMEOUT_SECONDS = env.float("PREVIEW_TIMEOUT_SECONDS", default=10.0)  # connect / each read
PREVIEW_MAX_REDIRECTS = env.int("PREVIEW_MAX_REDIRECTS", default=5)
PREVIEW_MAX_RATIO = env.int("PREVIEW_MAX_RATIO", default=200)  # decompressed / compressed bytes
PREVIEW_ROWS = env.int("PREVIEW_ROWS", default=50)
PREVIEW_MAX_COLUMNS = env.int("PREVIEW_MAX_COLUMNS", default=100)
PREVIEW_POLL_SECONDS = env.float("PREVIEW_POLL_SECONDS", default=2.0)  # data.gov.sg poll-download interval
PREVIEW_BATCH_SIZE = env.int("PREVIEW_BATCH_SIZE", default=50)  # distributions queued per periodic run
PREVIEW_RETRY_HOURS = env.int("PREVIEW_RETRY_HOURS", default=24 * 7)  # an unavailable preview is tried again
# Previews read only public addresses (a preview shows what it read; catalog links are untrusted): allow
# private, loopback and link-local ones only for tests or an intranet catalog.
PREVIEW_ALLOW_PRIVATE_HOSTS = env_bool("PREVIEW_ALLOW_PRIVATE_HOSTS", default=False)
PREVIEW_RETRY_TRANSIENT_HOURS = env.float("PREVIEW_RETRY_TRANSIENT_HOURS", default=1.0)  # timeouts, 429, 5xx
# data.gov.sg's download API allows 5 requests a minute without a key (x-api-key header; also from _FILE).
PREVIEW_DATAGOVSG_API_KEY = env_secret("PREVIEW_DATAGOVSG_API_KEY", default="") or ""
# Queue a missing preview when its dataset page is viewed (off in the eager embedded default: the fetch
# would run inside the page request).
PREVIEW_ON_VIEW = env_bool("PREVIEW_ON_VIEW", default=not CELERY_TASK_ALWAYS_EAGER)
HEALTH_TIMEOUT_SECONDS = env.float("HEALTH_TIMEOUT_SECONDS", default=0.5)  # overall deadline of /api/health
HEALTH_WORKER_PING_SECONDS = env.float("HEALTH_WORKER_PING_SECONDS", default=0.3)
HEALTH_REDIS_TIMEOUT_SECONDS = env.float("HEALTH_REDIS_TIMEOUT_SECONDS", default=0.15)  # Redis probes, no retries
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")  # read by prometheus-client itself
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "ops.logging.RequestIdFilter"},
        "redact": {"()": "ops.logging.RedactFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id", "redact"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "bm25s": {"level": "WARNING"},
        # The MCP SDK logs each stateless request's end ("Terminating session: None") at INFO.
        "mcp.server.streamable_http": {"level": "WARNING"},
    },
}

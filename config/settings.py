"""Settings for Engagement Atlas, read from the environment (see docs/deployment.md)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from core.csp import inline_style_hashes
from core.env import env_bool, env_int, env_list, env_rate, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

# Development is the default, as for `make run`; a deployment sets DEBUG=0 and must then
# give every secret itself.
DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "corsheaders",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    # Background tasks: Django's tasks framework (the backport) and its database backend.
    "django_tasks",
    "django_tasks_db",
    # The project's packages, lowest layer first (docs/architecture.md, "Layers").
    "core",
    "sources",
    "institutions",
    "engagement",
    "search",
    "atlas",
    "review",
    "bench",
    "csp",
]

MIDDLEWARE = [
    # Outermost: every response is logged, static files and cached pages included.
    "core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so static files carry the policy and the frame refusal too.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Drafts are left out of every read for those who may not see them (core/visibility.py).
    "core.visibility.VisibilityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Every query parameter of every route checked before its view reads it (core/params.py).
    "core.middleware.ParameterGuardMiddleware",
    # Records the signed-in editor as the author of every history entry.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Innermost, so that every middleware above still runs on a cached response.
    "core.cache.ResponseCacheMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "core.context_processors.page_address",
            ],
        },
    },
    # The hottest fragments (the matrix), rendered by `core.pages.fragment`.
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "config.jinja2.environment", "autoescape": True},
    },
]

DATABASE_URL = env_url("DATABASE_URL", schemes=("sqlite", "postgres", "postgresql")) or (
    f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while the seed or an editor writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX") or "atlas",
        }
    }
    # Sessions (the admin's) are read from Redis and kept in the database.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # One machine, several worker processes: a cache directory they all share, so throttle
    # counters agree between workers. Cached pages are keyed on the dataset version, so even
    # a per-process cache could never serve a stale page.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("CACHE_DIR") or str(BASE_DIR / "var" / "cache"),
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX") or "atlas",
        }
    }

# Editors' and readers' pages send a signed-out visitor to the site's own sign-in page.
LOGIN_URL = "review:sign-in"
LOGIN_REDIRECT_URL = "engagement:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Production serves compressed files under hashed names (collectstatic builds them),
        # so whitenoise can tell browsers to cache them for ever.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The public address of the site (https://atlas.example.org/), for what is made without a
# request: the data package of a release made by `manage.py release` names it as homepage.
ATLAS_SITE_URL = env_url("SITE_URL", schemes=("http", "https")) or ""

# The framework shown at `/`.
ATLAS_DEFAULT_FRAMEWORK = env_str("ATLAS_DEFAULT_FRAMEWORK", "eu-ai-office-uk-aisi")
# Where the seeded knowledge base's data files live.
ATLAS_FIXTURES_DIR = BASE_DIR / "fixtures"

# Benchmarks (bench/): mounts /bench/trivial/, the yardstick view. Never set in production.
ATLAS_BENCH = env_bool("ATLAS_BENCH", default=False)

# Background tasks (docs/deployment.md, "The task queue"): the database backend by default,
# so no other service is needed; every server enqueues into, and every `db_worker` takes
# from, the one database.
TASKS = {
    "default": {
        "BACKEND": env_str("ATLAS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# An upload larger than this is written by a background task (the API answers 202 with the
# job); a smaller one during the request (201).
ATLAS_UPLOAD_INLINE_BYTES = env_int("ATLAS_UPLOAD_INLINE_BYTES", 256 * 1024, minimum=0)
# A job queued or running with no progress for this long lost its worker: shown failed.
ATLAS_UPLOAD_STALE_SECONDS = env_int("ATLAS_UPLOAD_STALE_SECONDS", 600, minimum=1)

# Readers' flags (docs/editing.md, "Readers' flags"): the most open flags one reader may have.
ATLAS_READER_OPEN_FLAGS = env_int("ATLAS_READER_OPEN_FLAGS", 20, minimum=1)

# --- The API (/api/v1/; see docs/api.md) ------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The Authorization header (`Bearer <key>`, or `Token <key>`) for scripts, the
        # session for the browser.
        "core.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": ["core.api.renderers.JSONRenderer"],
    # JSON bodies of at most 1 MiB, nested at most 20 deep, their strings checked.
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AtlasAutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    # Throttle counts live in the default cache: Redis when REDIS_URL is set, so every
    # worker and server enforces the same limit.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "core.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_THROTTLE_ANON", "600/hour"),
        "user": env_rate("API_THROTTLE_USER", "5000/hour"),
    },
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0, minimum=0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Engagement Atlas API",
    "DESCRIPTION": (
        "The engagement matrix of the policy brief and every fact around it, each tied to "
        "the passage of the source it comes from. Reads are open; writes need an editor's "
        "key in the Authorization header (`Bearer <key>`). Errors are JSON "
        "`{detail, errors}`; a filter value that names nothing is a 400. Every read carries "
        "ETag, Last-Modified and X-Dataset-Version and answers conditional GETs with 304. "
        "One object's ETag is its own: send it in If-Match with a write, which is refused "
        "(412) if the object changed since. Bodies: JSON, at most 1 MiB, 20 levels deep."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags and operation ids (the names of generated clients' functions) come from the path
    # after this prefix, never from a guess that another endpoint could change.
    "SCHEMA_PATH_PREFIX": r"/api/v1/",
    # core/api/schema.py: CSV twins of the reads, the security that reads share as the
    # document's default (so generated clients take an anonymous client for them), and
    # query parameters' enums shared with the fields that hold the same values.
    "PREPROCESSING_HOOKS": ["core.api.schema.add_csv_operations"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.hoist_anonymous_security",
        "core.api.schema.share_parameter_enums",
        # Links: how operations follow one another (clients and stateful tests use them).
        "core.api.schema.declare_links",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CitationRoleEnum": "sources.models.CitationRole",
        "CellKindEnum": "engagement.models.CellKind",
        "DocumentKindEnum": "sources.models.DocumentKind",
        "PassageKindEnum": "sources.models.PassageKind",
        "InstitutionKindEnum": "institutions.models.InstitutionKind",
        "RelationshipKindEnum": "institutions.models.RelationshipKind",
        "MandateStatusEnum": "institutions.models.MandateStatus",
        "SearchResultTypeEnum": "search.models.EntryKind",
    },
}

# Browser-based tools elsewhere may read the API; writes come from scripts with a token,
# which need no CORS, so cross-origin browsers are only allowed to read.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "X-Dataset-Version"]

# --- Production serving and security (docs/deployment.md) --------------------------------

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and overwrites any value a
# client sent). Plain-http local runs (`make serve`) turn the redirect off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Probes speak plain http to the app server itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: forms carry the token, and the API docs get it rendered
# into their initialiser script. Any future script must take it from the page, not the cookie.
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    # `__Host-` cookies are Secure, host-only and Path=/: no subdomain can set or read them.
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# django-csp 4: no inline script anywhere. The API docs must use drf-spectacular's
# SpectacularSwaggerSplitView, which loads its initialiser as a file; its one static
# <style> block is allowed by hash.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": [
            "'self'",
            *inline_style_hashes("drf_spectacular", "drf_spectacular/swagger_ui.html"),
        ],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Full GET responses for anonymous users, keyed on URL, Accept and the dataset version
# (core/cache.py). On by default in production; `RESPONSE_CACHE=0` turns it off.
ATLAS_RESPONSE_CACHE = env_bool("RESPONSE_CACHE", default=not DEBUG)
ATLAS_RESPONSE_CACHE_SECONDS = env_int("RESPONSE_CACHE_SECONDS", 86_400, minimum=1)
ATLAS_RESPONSE_CACHE_MAX_BYTES = env_int("RESPONSE_CACHE_MAX_BYTES", 2_000_000, minimum=0)
# Set to the deployed commit so pages cached by the previous release are never served.
ATLAS_RELEASE = env_str("RELEASE") or "dev"
ATLAS_RESPONSE_CACHE_EXCLUDE = ("/admin/", "/healthz", "/readyz", "/api/v1/docs/", "/static/")

# JSON lines on stdout: one per request (config/middleware.py) and one per logged error.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        }
    },
    "root": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {
        # runserver already prints each request in development.
        "atlas.request": {"level": "WARNING" if DEBUG else "INFO"},
        # The request log covers 4xx; django.request would repeat them.
        "django.request": {"level": "ERROR"},
    },
}

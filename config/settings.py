"""Settings for the course site: one module, driven by environment variables.

Development needs no variable at all (SQLite file, debug on, console e-mail).
Production is switched on by giving ``DJANGO_SECRET_KEY``: debug then defaults
to off and the security settings below pass ``manage.py check --deploy``.
"""
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


_SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
PRODUCTION = bool(_SECRET_KEY)
SECRET_KEY = _SECRET_KEY or "dev-only-insecure-key-never-use-in-production-0123456789abcdef"
DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "markdownx",
    "reversion",
    "csp",
    "allauth",
    "allauth.account",
    "accounts",
    "courses",
    "sections",
    "centres",
    "quizzes",
    "progress",
    "ideas",
    "dashboards",
    "transfer",
    "search",
    "reports",
    "outbox",
    "config.apps.ProjectConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.CSPMiddleware",  # django-csp's, the constant policy built once
    "config.middleware.PermissionsPolicyMiddleware",
    # Before sessions and views: no NUL byte reaches them or the database (config.middleware).
    "config.middleware.RefuseUnstorableCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML compressed (WhiteNoise serves static files pre-compressed, before this). Django's
    # GZipMiddleware pads its output against BREACH; cached anonymous pages come gzipped already.
    "django.middleware.gzip.GZipMiddleware",
    # Below WhiteNoise (static files keep their own headers), above sessions (sees the final response).
    "config.middleware.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]
# Before everything that reads the client's address: a forwarded-for header shorter than the
# proxy chain is answered 400 (config/proxy.py).
MIDDLEWARE.insert(1, "config.proxy.ForwardedForMiddleware")
# A database that is away for a moment answers 503 with Retry-After, not 500 (config/unavailable.py).
MIDDLEWARE.append("config.unavailable.DatabaseUnavailableMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "centres.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that sends no query (config/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
# PostgreSQL: the signed-in reader's one query (progress.selectors.learner_state) is prepared once per
# database session. Off behind a pooler in transaction mode (PgBouncer), where sessions are shared.
PG_PREPARE = env_bool("DJANGO_PG_PREPARE", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Write-ahead log: readers never wait for the one writer (a learner's page view records a
    # row), and a commit does not wait for the disk twice. synchronous=NORMAL is the setting
    # SQLite recommends with WAL (after a power cut the last commits may be lost, never corrupt).
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Shared state. With REDIS_URL every node shares one cache: allauth's rate limits (log-in
# failures, sign-up, password reset) count across all nodes and processes, cached pages and
# content versions are the same everywhere, and sessions are read from Redis with the database
# behind it (cached_db: a Redis restart logs nobody out). Without it (one process, `make run`)
# the cache is this process's memory and `check --deploy` warns in production (config/checks.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # An unreachable Redis costs a request one second, not a hang.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Per process: fine for the content caches, which are keyed by the content version read
    # from the database on every request (courses.content_version), so never stale.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}}
    # Django's database sessions, read with one precompiled query (accounts/sessions.py).
    SESSION_ENGINE = "accounts.sessions"

# Reading pages for anonymous visitors: public, revalidated with ETag/Last-Modified (courses.page_cache).
# 0: every load asks (a 304 when nothing changed), so a trainer's fix is seen at once.
CONTENT_PAGE_MAX_AGE = int(os.environ.get("DJANGO_CONTENT_PAGE_MAX_AGE", "0"))

# Background work (Celery, config/celery.py). The broker is Redis (CELERY_BROKER_URL, by default
# REDIS_URL; give it its own database number so that clearing the cache never empties the queue).
# Without a broker the tasks run eagerly in the web process; callers queue them with
# transaction.on_commit, so that is right after the data is committed and `make run` needs nothing.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not (os.environ.get("CELERY_BROKER_URL") or REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged after it ran, and given back if its worker dies, so a killed worker
# loses nothing; one message at a time per process, so a dying worker holds few.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis gives an unacknowledged task to another worker only after the visibility timeout
# (Celery's default: one hour). The longest task (the nightly link check, ~1 minute; one mail,
# at most a few EMAIL_TIMEOUTs) fits well in five minutes, so a killed worker's mail goes out
# within minutes. Retry back-off and the send lease stay below it (checked in config/checks.py):
# a task waiting longer than the visibility timeout would be handed out twice.
CELERY_VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "300"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # How often a worker looks for such tasks (kombu's default: every 10 × 10 s).
    "unacked_restore_interval": 5,
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# A web request that cannot reach the broker gives up after about a second; the outbox sweep
# (below) sends what could not be queued.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.3, "interval_max": 0.5}
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_BEAT_SCHEDULE = {
    # The nightly link check (it used to be cron's `manage.py check_links`).
    "check-links-nightly": {
        "task": "sections.tasks.check_all_links",
        "schedule": crontab(hour=3, minute=17),
    },
    # Mail that could not be queued (broker down) or whose worker vanished: queued again.
    # Redis can lose a message that was on its way to a worker killed at that moment.
    "outbox-sweep": {"task": "outbox.tasks.sweep", "schedule": float(os.environ.get("DJANGO_MAIL_SWEEP_EVERY", "120"))},
    # Sent mail is kept for a while (what went out, when), then removed.
    "outbox-purge": {"task": "outbox.tasks.purge", "schedule": crontab(hour=4, minute=3)},
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

# Accounts (django-allauth 65): e-mail is the login, no username; an address must be
# verified before the first log-in. Rate limits keep allauth's defaults (log-in failures,
# sign-up, password reset) and errors never reveal whether an address has an account.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm", "login": "accounts.forms.LoginForm"}
# A join link survives sign-up and e-mail confirmation on any device (centres.adapter).
ACCOUNT_ADAPTER = "centres.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Duurzaam samenwerken] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("Engels"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "config.staticbundle.BundleFinder",  # one stylesheet per page, combined from static/css
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded media (slide images) on shared storage when several nodes serve the site: with
# DJANGO_MEDIA_S3_BUCKET set, django-storages' S3 backend (AWS, or any S3-compatible store through
# DJANGO_MEDIA_S3_ENDPOINT_URL: MinIO, Scaleway, Ceph), the file system of MEDIA_ROOT otherwise.
# Either way an upload passes the same image checks (sections.images) and is served by the same
# view (sections.views.slide_image) with its verified Content-Type, nosniff and a sandbox CSP:
# the bucket stays private (no public ACL) and is never linked directly.
MEDIA_S3_BUCKET = os.environ.get("DJANGO_MEDIA_S3_BUCKET", "")
if MEDIA_S3_BUCKET:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": os.environ.get("DJANGO_MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("DJANGO_MEDIA_S3_REGION") or None,
            "access_key": os.environ.get("DJANGO_MEDIA_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("DJANGO_MEDIA_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("DJANGO_MEDIA_S3_PREFIX", "media"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Markdown: the admin preview uses the very renderer and sanitiser of the site.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "courses.markdown.render_markdown"
# The editor posts to our own views (sections.views): preview and image upload
# for staff with content permissions only; markdownx's open upload view is not routed.
MARKDOWNX_URLS_PATH = "/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/markdownx/upload/"
# Image rules (sections.images): real PNG/JPEG/GIF/WebP by content, at most 5 MB
# and 40 megapixels. markdownx reads the first two too; its own form is never used.
MARKDOWNX_UPLOAD_MAX_SIZE = 5 * 1024 * 1024
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"]
MARKDOWNX_MEDIA_PATH = "slide-images/"
IMAGE_MAX_PIXELS = 40_000_000

# Link checker (manage.py check_links): parallel requests, each with a time-out.
LINK_CHECK_WORKERS = int(os.environ.get("DJANGO_LINK_CHECK_WORKERS", "8"))
LINK_CHECK_TIMEOUT = float(os.environ.get("DJANGO_LINK_CHECK_TIMEOUT", "10"))
# Refuse to fetch addresses on this machine or the private network (a trainer's
# link must not make the server probe its own network). Tests allow loopback.
LINK_CHECK_BLOCK_PRIVATE = env_bool("DJANGO_LINK_CHECK_BLOCK_PRIVATE", default=True)
# A resource saved with a new address in the admin gets its link checked in the background.
LINK_CHECK_ON_SAVE = env_bool("DJANGO_LINK_CHECK_ON_SAVE", default=True)

# Every mail is stored in the outbox and delivered in the background (outbox/backends.py); the
# backend that really delivers it is MAIL_DELIVERY_BACKEND (DJANGO_EMAIL_BACKEND).
EMAIL_BACKEND = "outbox.backends.OutboxBackend"
MAIL_DELIVERY_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=False)
# No mail server may hold a web request or a worker for long: every connect, read and write
# gives up after this many seconds (Django's default is to wait for ever).
EMAIL_TIMEOUT = float(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Duurzaam samenwerken <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every mail goes through the outbox (outbox/): a failed delivery is retried with exponential
# back-off (30 s, 60 s, 120 s, then every 4 minutes) up to MAIL_MAX_ATTEMPTS attempts in all,
# then it waits in the admin's outbox for "opnieuw versturen". A worker holds a mail for at most
# MAIL_SEND_LEASE seconds; a mail held longer (its worker died) may be sent by another.
MAIL_RETRY_BACKOFF = float(os.environ.get("DJANGO_MAIL_RETRY_BACKOFF", "30"))
MAIL_RETRY_BACKOFF_MAX = float(os.environ.get("DJANGO_MAIL_RETRY_BACKOFF_MAX", "240"))
MAIL_MAX_ATTEMPTS = int(os.environ.get("DJANGO_MAIL_MAX_ATTEMPTS", "10"))
MAIL_SEND_LEASE = float(os.environ.get("DJANGO_MAIL_SEND_LEASE", "60"))
# The sweep (beat) queues again a mail still waiting this long after it was written or last tried:
# its task was lost (broker down when it was queued, or a message lost with a killed worker).
MAIL_SWEEP_AFTER = float(os.environ.get("DJANGO_MAIL_SWEEP_AFTER", "600"))
MAIL_KEEP_SENT_DAYS = int(os.environ.get("DJANGO_MAIL_KEEP_SENT_DAYS", "30"))

# Security: strict by default in production, overridable for a TLS-terminating proxy.
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# CSP, Permissions-Policy, CSRF/session cookies and password rules: config/security.py.
from .security import *  # noqa: E402,F401,F403

BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies (nginx, a load balancer) stand in front of the site, each appending the address
# it saw to X-Forwarded-For. allauth's rate limits then key on the address that many places from
# the right: the one our own proxy saw. The left-most entry is whatever the client wrote there and
# is never trusted. Without a proxy, REMOTE_ADDR is the client.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "1" if BEHIND_PROXY else "0"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # fpdf2 subsets the certificate's font with fontTools, which logs every glyph at INFO.
    "loggers": {
        "fontTools": {"level": "WARNING"},
        # A worker logs each task it ran; in the web process (no broker) that is only noise.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

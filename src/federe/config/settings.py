"""Fédère settings, read from the environment.

FEDERE_ENV selects the defaults: ``production`` (the default: safe, strict),
``development`` (the demo: DEBUG, a generated local key) or ``test``.
Everything an operator changes is an environment variable; see docs/operations.md.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from federe.config.env import env_bool, env_choice, env_float, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("FEDERE_DATA_DIR", str(Path.cwd() / "var")) or "var")

FEDERE_ENV = env_choice("FEDERE_ENV", "production", ("production", "development", "test"))
IS_PRODUCTION = FEDERE_ENV == "production"

DEBUG = env_bool("DEBUG", FEDERE_ENV == "development")

# Local (development/test) keys are fixed, clearly marked, and refused in production.
_LOCAL_SECRET = "local-only-insecure-key-do-not-use-in-production-" + "x" * 20
SECRET_KEY = env_str("SECRET_KEY") or ("" if IS_PRODUCTION else _LOCAL_SECRET)
if IS_PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters in production.")

# One or more keys (comma separated, newest first) that encrypt stored credentials.
FEDERE_SECRETS_KEY = env_list("FEDERE_SECRETS_KEY", [] if IS_PRODUCTION else ["local-only-secrets-key"])
if IS_PRODUCTION and not FEDERE_SECRETS_KEY:
    raise ImproperlyConfigured("FEDERE_SECRETS_KEY must be set in production (it encrypts credentials).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # its templates and static files: the API docs load Swagger UI from this server, not a CDN
    "axes",
    "django_tasks",
    "django_tasks_db",
    "federe.core",
    "federe.accounts",
    "federe.connections",
    "federe.connectors",
    "federe.people",
    "federe.inbox",
    "federe.moderation",
    "federe.nlp",
    "federe.listening",
    "federe.publishing",
    "federe.links",
    "federe.webhooks",
    "federe.replies",
    "federe.search",
    "federe.notifications",
    "federe.sla",
    "federe.tickets",
    "federe.campaigns",
    "federe.analytics",
    "federe.contests",
    "federe.events",
    "federe.reports",
    "federe.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "federe.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "federe.api.middleware.ApiErrorShapeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "federe.accounts.middleware.UserLanguageMiddleware",
    "federe.core.middleware.BodySizeLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "federe.config.urls"
WSGI_APPLICATION = "federe.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "federe.core.context.shell",
            ],
        },
    }
]


def _database() -> dict[str, object]:
    url = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'federe.sqlite3'}"
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60)))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server read while the worker writes; the busy timeout
        # makes a writer wait for the lock instead of failing at once.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        }
        if config["NAME"] != ":memory:":
            Path(str(config["NAME"])).parent.mkdir(parents=True, exist_ok=True)
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if FEDERE_ENV == "test":
    # Argon2 is deliberately slow; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Log-in throttling (federe.accounts.throttling; docs/operations.md): per user name and address, and per user
# name across addresses for the addresses the user never logged in from.
AXES_HANDLER = "federe.accounts.throttling.LoginThrottle"
AXES_CLIENT_IP_CALLABLE = "federe.accounts.throttling.client_address"
AXES_FAILURE_LIMIT = env_int("FEDERE_LOGIN_FAILURE_LIMIT", 5)
FEDERE_LOGIN_USER_FAILURE_LIMIT = env_int("FEDERE_LOGIN_USER_FAILURE_LIMIT", 20)
# How many reverse proxies in front of Fédère append the client's address to X-Forwarded-For (0: trust no header).
FEDERE_TRUSTED_PROXIES = env_int("FEDERE_TRUSTED_PROXIES", 0)
AXES_COOLOFF_TIME = 0.25  # hours
# Invitations to a workspace: how long their link works, and the address of Fédère in links sent by the CLI.
FEDERE_INVITATION_DAYS = env_int("FEDERE_INVITATION_DAYS", 7)
FEDERE_BASE_URL = env_str("FEDERE_BASE_URL", "http://127.0.0.1:8000") or "http://127.0.0.1:8000"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("FEDERE_LOGIN_THROTTLING", True)
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["federe.config.formats"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris") or "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")) or "static")
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
if not IS_PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from finders; the folder must exist
# Uploaded files (a post's images), served to the team only; networks receive them from the worker.
MEDIA_ROOT = Path(env_str("FEDERE_MEDIA_ROOT", str(DATA_DIR / "media")) or "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Security: strict by default; TLS is assumed in production (set FEDERE_TLS=false behind plain HTTP only on a LAN).
_TLS = env_bool("FEDERE_TLS", IS_PRODUCTION)
SESSION_COOKIE_SECURE = _TLS
CSRF_COOKIE_SECURE = _TLS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SECURE_SSL_REDIRECT = _TLS and env_bool("FEDERE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("FEDERE_HSTS_SECONDS", 31536000 if _TLS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _TLS
SECURE_HSTS_PRELOAD = _TLS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("FEDERE_BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# E-mail (rule notices; later digests and reports). Local installs print mail to the console.
_MAIL = "smtp" if IS_PRODUCTION else "console"
EMAIL_BACKEND = env_str("EMAIL_BACKEND", f"django.core.mail.backends.{_MAIL}.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "federe@localhost") or "federe@localhost"

TASKS = {
    "default": {
        "BACKEND": env_str("FEDERE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Fédère's own settings, read through federe.core.conf (never at import time elsewhere).
FEDERE_SYNC_INTERVAL_SECONDS = env_int("FEDERE_SYNC_INTERVAL_SECONDS", 300)
FEDERE_SYNC_LEASE_SECONDS = env_int("FEDERE_SYNC_LEASE_SECONDS", 600)
FEDERE_SYNC_MAX_PAGES = env_int("FEDERE_SYNC_MAX_PAGES", 50)
FEDERE_DISPATCH_INTERVAL_SECONDS = env_int("FEDERE_DISPATCH_INTERVAL_SECONDS", 2)
# Processes that do the pure work of synced pages ahead of their turn (inbox/prepare.py): -1 = one when the machine
# has a second core; 0 = none (the default under tests, whose settings overrides a separate process would not see;
# tests/inbox/test_prepare.py turns them on). A page of fewer than FEDERE_INGEST_MIN_SHARE items stays here, and an
# import's page is split only from twice that.
FEDERE_INGEST_PROCESSES = env_int("FEDERE_INGEST_PROCESSES", 0 if FEDERE_ENV == "test" else -1)
FEDERE_INGEST_MIN_SHARE = env_int("FEDERE_INGEST_MIN_SHARE", 50)
# The worker e-mails each user's daily notification digest from this hour on, in the user's timezone.
FEDERE_DIGEST_HOUR = env_int("FEDERE_DIGEST_HOUR", 8)
# An SLA target this close to its due time (minutes) notifies the thread's assignee (sla/warnings.py).
FEDERE_SLA_WARN_MINUTES = env_int("FEDERE_SLA_WARN_MINUTES", 30)
# Publishing: how long a worker holds a delivery it claimed or is sending (longer than a network call can last:
# a sending delivery whose lease ran out is taken for one whose worker died, and checked before any new attempt).
FEDERE_PUBLISH_LEASE_SECONDS = env_int("FEDERE_PUBLISH_LEASE_SECONDS", 300)
# How often an idle worker looks for due deliveries (seconds): the lateness of a post when nothing else is due.
FEDERE_PUBLISH_POLL_SECONDS = env_float("FEDERE_PUBLISH_POLL_SECONDS", 0.5)
# The crash test's dice only (bench/publish_crash.py): the chance that a worker kills itself between a network's
# answer and its commit. Always 0 in real use.
FEDERE_TEST_CRASH_AFTER_PUBLISH = env_float("FEDERE_TEST_CRASH_AFTER_PUBLISH", 0.0)
# A message's text is stored up to this many K characters (1 K = 1,024); longer ones keep their beginning, noted.
FEDERE_MAX_MESSAGE_TEXT_KB = env_int("FEDERE_MAX_MESSAGE_TEXT_KB", 64)

# Classifiers (docs/models.md). Languages lingua chooses between; anything else is "other".
FEDERE_NLP_LANGUAGES = tuple(env_list("FEDERE_NLP_LANGUAGES", ["fr", "en"]))
# Languages checked only when lingua is unsure between the ones above; a match makes the text "other".
FEDERE_NLP_OTHER_LANGUAGES = tuple(env_list("FEDERE_NLP_OTHER_LANGUAGES", ["de", "es", "it", "pt", "nl"]))
# One backend per task: "linear" (shipped), "lexicon" (sentiment), "transformers:<local path or model id>".
FEDERE_NLP_BACKENDS = {
    "language": env_str("FEDERE_NLP_LANGUAGE_BACKEND", "lingua") or "lingua",
    "spam": env_str("FEDERE_NLP_SPAM_BACKEND", "linear") or "linear",
    "toxicity": env_str("FEDERE_NLP_TOXICITY_BACKEND", "linear") or "linear",
    "sentiment": env_str("FEDERE_NLP_SENTIMENT_BACKEND", "lexicon") or "lexicon",
}
# Load transformer models from local files and the Hugging Face cache only (no network at start-up).
#: The deep tier (the encoder and its heads refine the scores in the worker), when its encoder is installed.
FEDERE_NLP_DEEP = env_bool("FEDERE_NLP_DEEP", True)
FEDERE_NLP_TRANSFORMERS_OFFLINE = env_bool("FEDERE_NLP_TRANSFORMERS_OFFLINE", True)
# A workspace model is retrained once this many new labels have arrived since its last version.
FEDERE_NLP_RETRAIN_AFTER = env_int("FEDERE_NLP_RETRAIN_AFTER", 20)
#: Workspace models learn on the deep tier (encoder vectors) when it is installed; false: the fast tier's features.
FEDERE_NLP_LEARN_DEEP = env_bool("FEDERE_NLP_LEARN_DEEP", True)

# Fetching user-given addresses (feeds, instances): loopback, private and link-local addresses are refused
# (federe.core.netsafe) unless allowed here: every one, or these host names (".suffix" for subdomains) and CIDRs.
FEDERE_NET_ALLOW_PRIVATE = env_bool("FEDERE_NET_ALLOW_PRIVATE", False)
FEDERE_NET_ALLOW_HOSTS = env_list("FEDERE_NET_ALLOW_HOSTS", [])
# Folders under which a channel may read a local mailbox (a Maildir): none unless the operator says so.
FEDERE_MAILDIR_ROOTS = env_list("FEDERE_MAILDIR_ROOTS", [])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

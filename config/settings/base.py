"""Settings shared by every environment, read from the environment through one ``env`` helper.

With nothing set the project runs on the embedded default: SQLite in ``var/``, Celery eager,
the database search backend and local files. ``DATABASE_URL``, ``REDIS_URL`` and
``ELASTICSEARCH_URL`` switch on PostgreSQL, Redis with Celery workers, and Elasticsearch.
``dev``, ``test`` and ``production`` only adjust what differs between them.
"""

import warnings
from pathlib import Path

import environ
from csp import constants as csp
from django.conf import locale as django_locale

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal",
    "edms",
    "intake",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "portal.apps.PortalUsersConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "modelcluster",
    "taggit",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response, static files included.
    "core.headers.ContentSecurityPolicyMiddleware",
    "core.headers.PermissionsPolicyMiddleware",
    "core.site.SiteURLMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Wagtail's and Django's admins read some parameters by hand: checked before they do.
    "core.guard.AdminQueryGuardMiddleware",
    # Inside the session middleware, which adds Vary: Cookie to what it marks private.
    "core.headers.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Innermost, so that it sees a view's lost database connection first (core.db).
    "core.db.LostConnectionMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite runs in WAL mode with IMMEDIATE transactions so that concurrent writers queue on the
# database lock instead of failing half-way (registration numbers depend on it).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # Each connection keeps up to 64 MiB of pages and reads the file through a 1 GiB
            # memory map: a search over a large index reads far fewer pages through syscalls.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                " PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824; PRAGMA temp_store=MEMORY;"
            ),
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Falls back to local memory while Redis is down (core.cache): pages keep answering.
            "BACKEND": "core.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "khokimiyat",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    # Only for operators' probes (config.ping): no product task is waited on, and every other
    # task ignores its result, so that publishing never waits on the result store.
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # A database cache is shared by every process on the machine, which rate limits need;
    # the local-memory cache is not.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    }
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Tashkent"
# A broker that is down must not hold a request up: publishing gives up quickly, and the
# outbox sweep sends what could not be queued.
CELERY_TASK_IGNORE_RESULT = True
# Workers wait out a broker outage however long it lasts, instead of exiting after 100 tries.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 0,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # A sweep not started within the minute is dropped: the next one does its work.
    "outbox-sweep": {"task": "intake.outbox_sweep", "schedule": 60.0, "options": {"expires": 55}},
}
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
OUTBOX_SWEEP_LIMIT = env.int("OUTBOX_SWEEP_LIMIT", default=500)

# --- Search ---------------------------------------------------------------------------------
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
SEARCH_BACKEND = "elasticsearch" if ELASTICSEARCH_URL else "database"
# The product's search index (search/): "<prefix>-search", an alias over versioned indexes.
SEARCH_INDEX_PREFIX = env.str("ELASTICSEARCH_INDEX_PREFIX", default="khokimiyat")
if ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch8",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX": env.str("ELASTICSEARCH_INDEX_PREFIX", default="khokimiyat") + "-wagtail",
            "TIMEOUT": 10,
        }
    }
else:
    # On SQLite, Wagtail's full-text (FTS5) search fails on a typed quote ("unterminated
    # string"): the admins' page search uses the plain fallback there, PostgreSQL's own search
    # everywhere else.
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.database.fallback"
            if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
            else "wagtail.search.backends.database"
        }
    }

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
LOGIN_RATE_LIMIT = env.str("LOGIN_RATE_LIMIT", default="10/m")
RATELIMIT_VIEW = "portal.views.rate_limited"
# Lookups of verification and tracking codes per address: enough for a person, not for guessing.
VERIFY_RATE_LIMIT = env.str("VERIFY_RATE_LIMIT", default="30/m")
SEARCH_RATE_LIMIT = env.str("SEARCH_RATE_LIMIT", default="60/m")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10  # a working day

# --- Languages ------------------------------------------------------------------------------
# Uzbek Latin is the default; Uzbek Cyrillic is its own language code so that every URL,
# template and page translation can carry it.
LANGUAGE_CODE = "uz"
LANGUAGES = [
    ("uz", "Oʻzbekcha"),
    ("uz-cyrl", "Ўзбекча"),
    ("ru", "Русский"),
    ("en", "English"),
]
django_locale.LANG_INFO.setdefault(
    "uz-cyrl",
    {"bidi": False, "code": "uz-cyrl", "name": "Uzbek (Cyrillic)", "name_local": "Ўзбекча"},
)
django_locale.LANG_INFO["uz"] = {
    "bidi": False,
    "code": "uz",
    "name": "Uzbek",
    "name_local": "Oʻzbekcha",
}
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_SECURE = False
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Tashkent"
USE_I18N = True
USE_TZ = True

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = [("uz", "Oʻzbekcha"), ("ru", "Русский"), ("en", "English")]
WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE = True

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Wagtail's public images served by Django itself (``make run``; nginx does it in production).
SERVE_PUBLIC_MEDIA = env.bool("SERVE_PUBLIC_MEDIA", default=False)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Downloads behind nginx (edms.downloads): after its access check the application answers with
# "X-Accel-Redirect: <prefix>/<file>" and nginx sends the file from its internal location over
# MEDIA_ROOT (deploy/nginx/khokimiyat.conf: /protected-media). Empty: the application streams it.
FILES_ACCEL_REDIRECT_PREFIX = env.str("FILES_ACCEL_REDIRECT_PREFIX", default="")

# --- E-document attachments -----------------------------------------------------------------
EDMS_ATTACHMENT_MAX_BYTES = env.int("EDMS_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# The types an attachment may have, as sniffed from its content (never its name or the browser's
# word): what offices scan and exchange, all of which open without running code. Legacy .doc/.xls
# and the macro-enabled .docm/.xlsm stay out: they are the usual carriers of macro malware.
EDMS_ATTACHMENT_TYPES = [
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",  # .docx
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",  # .xlsx
    "application/vnd.oasis.opendocument.text",  # .odt
    "application/vnd.oasis.opendocument.spreadsheet",  # .ods
]
# Text kept from a PDF for search: enough for any letter, bounded for a 1,000-page scan.
EDMS_ATTACHMENT_TEXT_MAX_CHARS = env.int("EDMS_ATTACHMENT_TEXT_MAX_CHARS", default=200_000)

# --- Uploaded files: what reading one may cost (core.filesafety) -----------------------------
# Files built against parsers (deep nesting, reference loops, compression bombs, huge images)
# are refused with a message, within these bounds. Bytes one upload may unpack to in all: the
# parts of an office document, the streams of a PDF other than its images.
FILES_MAX_INFLATED_BYTES = env.int("FILES_MAX_INFLATED_BYTES", default=512 * 1024 * 1024)
# One PDF stream unpacked (pypdf's own decoding limits are set to it while it reads uploads).
FILES_PDF_STREAM_MAX_BYTES = env.int("FILES_PDF_STREAM_MAX_BYTES", default=32 * 1024 * 1024)
# Pages of a PDF (frames of a TIFF), and the objects a PDF is made of.
FILES_PDF_MAX_PAGES = env.int("FILES_PDF_MAX_PAGES", default=5_000)
FILES_PDF_MAX_OBJECTS = env.int("FILES_PDF_MAX_OBJECTS", default=500_000)
# Words of a PDF outside its streams (names, numbers, brackets: 30 to 100 a page), which the PDF
# libraries read one at a time (pyHanko: 25 microseconds and 250 bytes each).
FILES_PDF_MAX_WORDS = env.int("FILES_PDF_MAX_WORDS", default=1_000_000)
# Arrays and dictionaries inside each other (real PDFs: about ten), and page-tree levels.
FILES_MAX_NESTING = env.int("FILES_MAX_NESTING", default=100)
# Parts of a ZIP (office documents hold tens to hundreds).
FILES_ZIP_MAX_ENTRIES = env.int("FILES_ZIP_MAX_ENTRIES", default=5_000)
# Pixels of an image, as its header declares them (an A3 page scanned at 600 dpi has 70 million;
# Pillow itself refuses more than 179 million).
FILES_IMAGE_MAX_PIXELS = env.int("FILES_IMAGE_MAX_PIXELS", default=80_000_000)
# Seconds spent taking a PDF's text for search; the rest of a slower one is not searchable.
FILES_PDF_TEXT_SECONDS = env.float("FILES_PDF_TEXT_SECONDS", default=20.0)

# --- Applications (intake) -----------------------------------------------------------------
# What a citizen may attach: PDF and images, each up to the limit; a whole request up to the
# request limit (beyond it the API answers 413 before reading the body).
INTAKE_UPLOAD_TYPES = env.list(
    "INTAKE_UPLOAD_TYPES", default=["application/pdf", "image/jpeg", "image/png"]
)
INTAKE_UPLOAD_MAX_BYTES = env.int("INTAKE_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
INTAKE_REQUEST_MAX_BYTES = env.int("INTAKE_REQUEST_MAX_BYTES", default=40 * 1024 * 1024)
# Cadastral numbers as printed on cadastral passports: region:district:area:block:plot:object.
INTAKE_CADASTRAL_PATTERN = env.str(
    "INTAKE_CADASTRAL_PATTERN", default=r"\d{2}:\d{2}:\d{2}:\d{2}:\d{2}:\d{4}(:\d{4})?"
)
# How citizens are told about their applications (intake.notifications): "console" logs a
# masked line; "sms" posts to an HTTP SMS gateway; "email" sends mail.
NOTIFICATION_GATEWAYS = env.list("NOTIFICATION_GATEWAYS", default=["console"])
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)
# The JSON body sent to the gateway; {phone}, {text} and {reference} are filled in.
SMS_GATEWAY_TEMPLATE = env.json(
    "SMS_GATEWAY_TEMPLATE", default={"to": "{phone}", "text": "{text}", "ref": "{reference}"}
)
# Submissions per client address (the API and the service pages).
INTAKE_SUBMIT_RATE_LIMIT = env.str("INTAKE_SUBMIT_RATE_LIMIT", default="20/m")

# --- Signatures -----------------------------------------------------------------------------
# PEM files of the certificate authorities whose signatures are trusted (edms.signing.trust);
# empty on the embedded default, where the demo authority in var/signing/ is trusted.
SIGNING_TRUST_ROOTS = env.list("SIGNING_TRUST_ROOTS", default=[])
# The demo certificate authority's files (edms.signing.keys): certificate, key, revocation list.
SIGNING_DIR = Path(env.str("SIGNING_DIR", default=str(VAR_DIR / "signing")))
# Revocation lists (PEM or DER files) of those authorities (edms.signing.trust); empty on the
# embedded default, where the demo authority's demo-ca.crl in SIGNING_DIR is read if it exists.
SIGNING_CRLS = env.list("SIGNING_CRLS", default=[])
# An RFC 3161 time-stamp authority (edms.signing.timestamps): when set, every signature carries
# its time-stamp, and signing fails rather than go without one; empty signs without.
SIGNING_TSA_URL = env.str("SIGNING_TSA_URL", default="")
# Seconds to wait for the time-stamp authority's answer.
SIGNING_TSA_TIMEOUT = env.float("SIGNING_TSA_TIMEOUT", default=10.0)
SIGNED_FILE_MAX_BYTES = env.int("SIGNED_FILE_MAX_BYTES", default=20 * 1024 * 1024)
# Signatures one PDF may carry to be checked: each check reads every later revision, so the time
# grows with the square (40 signatures: six seconds). Approval routes have a handful.
SIGNED_FILE_MAX_SIGNATURES = env.int("SIGNED_FILE_MAX_SIGNATURES", default=50)

# --- Public API (Django REST framework) -----------------------------------------------------
REST_FRAMEWORK = {
    # Other systems call the API without a session; staff use the workspace.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every refusal of the public API as JSON in one of its two documented shapes.
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Khokimiyat public services API",
    "DESCRIPTION": (
        "Services offered by the khokimiyats of Jizzakh and Namangan regions, applications "
        "to them, and their status. Names and labels follow Accept-Language "
        "(uz, uz-cyrl, ru, en)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies as their own components, so that files are documented as binary.
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["intake.api.only_public_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "intake.serializers.document_service_fields",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Khokimiyat"
# Where the product is reached, for links in receipts, QR codes, SMS and e-mail (core.site).
# Unset, links follow the address each request was served on (``make run`` on any host/port).
SITE_URL = env.str("SITE_URL", default="")
WAGTAILADMIN_BASE_URL = SITE_URL or "http://127.0.0.1:8000"
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "ods", "txt", "csv"]
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@khokimiyat.example")
# The SMTP server (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

SECURE_CONTENT_TYPE_NOSNIFF = True
# Scripts and styles from our own files only (core.headers: the templates carry no inline script
# or style, and the areas of third-party code that need more).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}
# Wagtail's dashboard would fetch its latest version number from Wagtail's site, which the policy
# refuses (and editors' browsers have no business calling out); upgrades follow requirements.txt.
WAGTAIL_ENABLE_UPDATE_CHECK = False
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Logging --------------------------------------------------------------------------------
# One line per event on stderr; the collector adds the host. Request bodies are never logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.security.DisallowedHost": {"level": "ERROR"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
if CELERY_TASK_ALWAYS_EAGER:
    # In-process tasks would log a line each (hundreds while the demo loads): warnings only.
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}  # type: ignore[index]
# pyHanko imports cryptography's DSA class, which warns at every start.
warnings.filterwarnings("ignore", message="DSA is deprecated", module="pyhanko")

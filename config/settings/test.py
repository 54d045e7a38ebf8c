"""Settings for the test suite: the embedded default, or the services named by the environment."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, VAR_DIR, env

DEBUG = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: concurrent registrations must queue on SQLite's write
    # lock (busy timeout) as they do in the embedded default, not fail on table locks.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # One file per test run, so that two runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
SECRET_KEY = "test-only-key"  # noqa: S105 - not a secret: used by the test suite only
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The test run's own demo certificate authority, removed at the end (tests/conftest.py).
SIGNING_DIR = VAR_DIR / f"test-signing-{os.getpid()}"
# Elasticsearch makes writes visible after its refresh interval; tests read them at once.
SEARCH_REFRESH_ON_WRITE = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# The test suite exercises rate limits on purpose; keep them where a test can reach them.
LOGIN_RATE_LIMIT = env.str("LOGIN_RATE_LIMIT", default="5/m")
VERIFY_RATE_LIMIT = env.str("VERIFY_RATE_LIMIT", default="10/m")

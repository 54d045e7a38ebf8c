"""Production: DEBUG off, secrets and hosts from the environment, HTTPS everywhere.

``manage.py check --deploy --settings=config.settings.production`` reports nothing. Static files
are served by WhiteNoise from ``collectstatic`` output with hashed names.
"""

from pathlib import Path

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, STORAGES, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # required: the process does not start without it
# Earlier keys, still accepted for sessions and signed values while a new SECRET_KEY takes
# over: set the old key here when rotating, remove it a session lifetime later (deploy/README.md).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# collectstatic's output, which nginx serves (deploy/nginx/khokimiyat.conf).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True

# Behind nginx, REMOTE_ADDR is the proxy (and empty on gunicorn's unix socket, where
# django-ratelimit refuses to guess): rate limits per address then read the header nginx sets
# from the client's address, HTTP_X_REAL_IP (deploy/). Unset: REMOTE_ADDR, for gunicorn alone.
RATELIMIT_IP_META_KEY = env.str("RATELIMIT_IP_META_KEY", default="") or None

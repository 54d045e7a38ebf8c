"""Production: DEBUG off, secrets and hosts from the environment, HTTPS everywhere.

``manage.py check --deploy --settings=config.settings.production`` reports nothing. Static files
are served by WhiteNoise from ``collectstatic`` output with hashed names.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import STORAGES, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # required: the process does not start without it
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

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

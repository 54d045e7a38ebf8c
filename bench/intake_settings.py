"""Settings for ``bench/intake_load.py``: the production settings, served on 127.0.0.1 over HTTP.

What differs from ``config.settings.production``, and why:

- ``ROOT_URLCONF`` is ``bench.intake_urls``: the project's URLs plus the floor view.
- ``SECURE_SSL_REDIRECT`` is off: gunicorn is reached directly on the loopback address, with no
  TLS proxy in front (the secure-cookie flags stay on; the bench's client ignores them).
- Static files use plain ``StaticFilesStorage``: the manifest storage needs a ``collectstatic``
  run (with compression) first, and only the URL that ``{% static %}`` prints differs.

Everything else (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, the rate limit) comes from
the environment that ``bench/intake_load.py`` sets for the bench process and for gunicorn.
"""

import warnings

from config.settings.production import *  # noqa: F403
from config.settings.production import STORAGES

# WhiteNoise warns that STATIC_ROOT does not exist; the benchmark serves no static files.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

ROOT_URLCONF = "bench.intake_urls"
SECURE_SSL_REDIRECT = False

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

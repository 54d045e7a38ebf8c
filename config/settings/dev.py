"""The embedded default for ``make run`` and development: a fixed local secret key, and the
product's own error pages (``DEBUG=1`` turns on Django's debug pages for a developer).

Static files come straight from the source folders through WhiteNoise (no ``collectstatic``
needed), and Wagtail's public images are served by Django, since no web server stands in front.
"""

import warnings

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=False)
# Only for a developer's machine: production refuses to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
WHITENOISE_USE_FINDERS = True
# The finders serve the files; there is no collectstatic output here, and no need for one.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
WHITENOISE_AUTOREFRESH = DEBUG
# Wagtail's images are public (nginx serves them in production: deploy/); everything else in
# MEDIA_ROOT is handed out only by views that check access.
SERVE_PUBLIC_MEDIA = env.bool("SERVE_PUBLIC_MEDIA", default=True)

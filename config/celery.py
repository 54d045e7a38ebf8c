"""The Celery app.

With ``REDIS_URL`` set, tasks go to Redis and run on workers (``celery -A config worker``) and
schedules on beat (``celery -A config beat``). Without it, settings make every task run eagerly in
the calling process, so the embedded default needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("khokimiyat")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping", ignore_result=False)
def ping() -> str:
    """Answers "pong": lets operators and tests check that a worker is consuming."""
    return "pong"

"""Settings: the embedded default, the switch to services by environment, production checks."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "search": settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"],
    "debug": settings.DEBUG,
}))
"""

SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "SECRET_KEY", "DEBUG")


def probe(settings_module: str, **env: str) -> dict[str, object]:
    base = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    base["DJANGO_SETTINGS_MODULE"] = settings_module
    output = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, object] = json.loads(output.strip().splitlines()[-1])
    return result


def test_nothing_set_means_the_embedded_default() -> None:
    result = probe("config.settings.dev")
    assert result == {
        "db": "django.db.backends.sqlite3",
        "eager": True,
        "broker": "memory://localhost/",
        "cache": "django.core.cache.backends.db.DatabaseCache",
        # Wagtail's plain search on SQLite: its FTS5 search fails on a typed quote.
        "search": "wagtail.search.backends.database.fallback",
        # make run shows the product's own error pages; DEBUG=1 is a developer's choice.
        "debug": False,
    }


def test_environment_switches_on_the_services() -> None:
    result = probe(
        "config.settings.dev",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/khokimiyat",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ELASTICSEARCH_URL="http://127.0.0.1:9200",
    )
    assert result["db"] == "django.db.backends.postgresql"
    assert result["eager"] is False
    assert result["broker"] == "redis://127.0.0.1:6379/0"
    # Redis's cache, falling back to local memory while Redis is down.
    assert result["cache"] == "core.cache.FallbackRedisCache"
    assert result["search"] == "wagtail.search.backends.elasticsearch8"


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", ALLOWED_HOSTS="portal.uz")
    completed = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert completed.returncode != 0
    assert "SECRET_KEY" in completed.stderr


def test_production_deploy_check_reports_nothing() -> None:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example.uz",
    )
    completed = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "System check identified no issues" in completed.stdout

"""Shared fixtures: the demo data loaded once into the test database, users, service checks.

Tests that need a real service (Redis, a Celery worker, Chromium) call ``require_service``: on a
developer's machine a missing service skips the test; under ``CI=true`` it fails, so CI can never
pass by skipping what it was meant to check.
"""

import os
import shutil
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.utils import translation

DEMO_PASSWORD = "demo12345"


def require_service(available: bool, reason: str) -> None:
    if available:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and a required service is missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _signing_dir() -> Iterator[None]:
    # The demo loader creates this run's demo certificate authority there.
    yield
    shutil.rmtree(settings.SIGNING_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    # The demo data is what every page test reads; loading it once keeps the suite fast.
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)
        # Where Celery sends to Redis (no eager tasks), the demo's outbox messages (its search
        # index updates) wait: deliver them now, as a worker would, so that every test starts
        # with an empty outbox and an index holding the demo.
        from datetime import timedelta

        from intake.outbox import outbox_sweep

        while outbox_sweep(older_than=timedelta(0), limit=1000):
            pass
        # Transactional tests (serialized_rollback=True) restore this state after their flush:
        # serialize it again now that it includes the demo.
        for alias in connections:
            connection = connections[alias]
            connection._test_serialized_contents = (  # type: ignore[attr-defined]
                connection.creation.serialize_db_to_string()
            )


@pytest.fixture(autouse=True)
def _rate_limit_window_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    # django-ratelimit counts in fixed windows of the real clock ("10/m" starts afresh at a
    # minute's turn, offset per client). A test that makes eleven requests on a slow machine can
    # straddle that turn and see its counter reset; within one test the window stands still.
    import django_ratelimit.core

    frozen = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: frozen))


@pytest.fixture(autouse=True)
def _empty_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    # Rate-limit counters live in the cache; with Redis they would outlive a test's transaction.
    yield
    if request.node.get_closest_marker("django_db"):
        from django.core.cache import cache

        cache.clear()


@pytest.fixture(scope="session")
def offices_data() -> list[dict[str, Any]]:
    from edms.demo import read_data

    offices: list[dict[str, Any]] = read_data("offices.json")["offices"]
    return offices


def login(client: Client, username: str) -> Client:
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    return client


@pytest.fixture
def executor_client(client: Client, db: None) -> Client:
    return login(client, "jizzakh-city.executor")


@pytest.fixture
def english(client: Client) -> Iterator[None]:
    """Pages (by the language cookie) and messages built in the test, in English."""
    client.cookies["language"] = "en"
    with translation.override("en"):
        yield

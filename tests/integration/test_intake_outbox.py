"""Nothing is lost when Redis is down: the application stands, and what must go out after it
(the notification, the index update) goes out once Redis is back, through the outbox sweep or
a real Celery worker."""

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from config.celery import app
from intake.models import OutboxMessage
from intake.outbox import outbox_sweep
from tests.intake.factories import submit
from tests.integration.test_services import REDIS_URL, celery_worker

pytestmark = [pytest.mark.services]

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broker(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Point the Celery app at a broker for one test (not eager), and back afterwards."""
    saved = {
        key: app.conf[key]
        for key in ("broker_url", "task_always_eager", "task_default_queue", "result_backend")
    }

    def use(url: str, queue: str = "celery") -> None:
        app.conf.update(
            broker_url=url, task_always_eager=False, task_default_queue=queue, result_backend=None
        )
        forget_connections()

    yield use
    app.conf.update(saved)
    forget_connections()


def forget_connections() -> None:
    # Connections and producers are pooled per broker: forget those of the previous one.
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


def pending_for(application_pk: int) -> list[str]:
    return list(
        OutboxMessage.objects.filter(
            key__startswith=f"application:{application_pk}:", status=OutboxMessage.Status.PENDING
        ).values_list("key", flat=True)
    )


@pytest.mark.django_db
def test_a_submission_succeeds_with_redis_down_and_the_sweep_sends_it_later(
    broker: Any, django_capture_on_commit_callbacks: Any
) -> None:
    broker(UNREACHABLE)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        application = submit().application
    elapsed = time.monotonic() - started
    # The citizen has their application; the messages wait in the outbox.
    assert application.document.reg_number.startswith("A-")
    assert pending_for(application.pk) == [f"application:{application.pk}:registered"]
    index = OutboxMessage.objects.filter(
        kind="index", payload__key=f"document:{application.document_id}"
    )
    assert index.get().status == OutboxMessage.Status.PENDING
    assert elapsed < 30  # the broker's connection timeouts keep it short, not a hang

    # Redis is back: the periodic sweep (what beat runs every minute) sends what waited.
    from datetime import timedelta

    assert outbox_sweep(older_than=timedelta(0)) >= 2
    assert pending_for(application.pk) == []
    done = OutboxMessage.objects.get(key=f"application:{application.pk}:registered")
    assert done.status == OutboxMessage.Status.DONE
    assert done.result["sent"] == {"console": ""}
    assert index.get().status == OutboxMessage.Status.DONE
    # Sweeping again sends nothing twice.
    assert outbox_sweep(older_than=timedelta(0)) == 0


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_sends_the_notification_through_redis(broker: Any) -> None:
    queue = f"test-outbox-{uuid.uuid4().hex[:8]}"
    with celery_worker(queue, DATABASE_URL=database_url()):
        broker(REDIS_URL, queue)
        application = submit().application  # committed: on_commit queues the messages
        key = f"application:{application.pk}:registered"
        deadline = time.monotonic() + 90
        status = ""
        while time.monotonic() < deadline:
            status = OutboxMessage.objects.get(key=key).status
            if status == OutboxMessage.Status.DONE:
                break
            time.sleep(0.3)
        assert status == OutboxMessage.Status.DONE

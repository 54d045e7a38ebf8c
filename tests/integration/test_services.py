"""The scale-out parts, for real: Redis as broker and cache, and a Celery worker consuming it.

These run in both CI passes against the machine's Redis (``REDIS_URL``, or the local default).
"""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from tests.conftest import require_service

pytestmark = pytest.mark.services

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
ROOT = Path(__file__).resolve().parents[2]


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@contextmanager
def celery_worker(queue: str, **environment: str) -> Iterator[None]:
    """A real ``celery -A config worker`` on Redis consuming ``queue``, stopped by process id."""
    require_service(redis_available(), f"Redis is not reachable at {REDIS_URL}")
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        **environment,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def worker() -> Iterator[None]:
    queue = f"test-{uuid.uuid4().hex[:8]}"
    with celery_worker(queue):
        os.environ["TEST_CELERY_QUEUE"] = queue
        try:
            yield
        finally:
            os.environ.pop("TEST_CELERY_QUEUE", None)


def test_redis_answers() -> None:
    require_service(redis_available(), f"Redis is not reachable at {REDIS_URL}")
    client = redis.Redis.from_url(REDIS_URL)
    key = f"test:{uuid.uuid4().hex}"
    client.set(key, "ok", ex=10)
    assert client.get(key) == b"ok"


@pytest.mark.usefixtures("worker")
def test_a_worker_runs_a_task_sent_through_redis() -> None:
    from celery import Celery

    app = Celery("probe", broker=REDIS_URL, backend=REDIS_URL)
    result = app.send_task("config.ping", queue=os.environ["TEST_CELERY_QUEUE"])
    deadline = time.monotonic() + 60
    while not result.ready() and time.monotonic() < deadline:
        time.sleep(0.2)
    # Celery keeps "inside a task" in a process-wide flag that eager tasks run concurrently
    # from threads (the API concurrency test) can leave set; this test is not a task.
    from celery.result import allow_join_result

    with allow_join_result():
        assert result.get(timeout=1) == "pong"

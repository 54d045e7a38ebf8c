"""Redis is a helper, never a single point of failure: with ``REDIS_URL`` set and Redis gone, a
real server keeps answering every page and endpoint, a citizen whose application was committed
gets the tracking code, and once Redis is back the sweep sends what waited, once.

The Redis here is the test's own ``redis-server`` on a free port, killed by its process id; the
server is gunicorn on another free port, on this run's test database (the machine's Redis, which
CI's second pass uses, is never touched).
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import redis
import requests

from intake.models import Application, OutboxMessage, ServicePage
from intake.outbox import outbox_sweep
from tests.conftest import DEMO_PASSWORD, require_service
from tests.integration.test_intake_outbox import database_url
from tests.integration.test_services import ROOT

pytestmark = [pytest.mark.services]

# Seconds: an answer slower than this hangs on Redis (it used to take about 57 s). A bound for
# a hang, not a speed: bench/faults.py measures latency (about 2 s is the goal there).
SLOW = 10.0
NO_DISK = ("--save", "", "--appendonly", "no")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisProcess:
    """A ``redis-server`` of the test's own on ``port``, killed and started again at will."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"), *NO_DISK],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None


@contextmanager
def own_redis() -> Iterator[RedisProcess]:
    require_service(shutil.which("redis-server") is not None, "redis-server is not installed")
    server = RedisProcess(free_port())
    server.start()
    try:
        yield server
    finally:
        server.kill()


@contextmanager
def gunicorn(redis_url: str) -> Iterator[str]:
    """The product under gunicorn (two sync workers) with ``REDIS_URL``; yields its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
    }
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2"),
            *("--bind", f"127.0.0.1:{port}", "--timeout", "30", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(f"{base}/api/v1/services/", timeout=60)
                break
            except requests.ConnectionError:
                assert process.poll() is None, "gunicorn stopped while starting"
                time.sleep(0.1)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class Answer:
    status: int
    seconds: float
    text: str


def timed(session: requests.Session, method: str, url: str, **kwargs: Any) -> Answer:
    started = time.monotonic()
    response = session.request(method, url, timeout=30, allow_redirects=False, **kwargs)
    return Answer(response.status_code, time.monotonic() - started, response.text)


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, "the form has no CSRF token"
    return found.group(1)


def appeal(marker: str) -> dict[str, str]:
    return {
        "service": "citizen-appeal",
        "office": "jizzakh-city",
        "full_name": "Karimova Dilnoza Rustamovna",
        "pinfl": "31203870250012",
        "phone": "+998 90 123-45-67",
        "email": "dilnoza@example.uz",
        "address": "Jizzax sh., Sharq mahallasi, 5-uy",
        "subject": f"Ko'cha chirog'i {marker}",
        "text": "Mahallamizdagi ko'cha chirog'i ishlamayapti.",
    }


def pending_notifications() -> list[str]:
    return list(
        OutboxMessage.objects.filter(
            kind="notify", status=OutboxMessage.Status.PENDING
        ).values_list("key", flat=True)
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_redis_gone_every_page_answers_and_the_sweep_catches_up_once() -> None:
    with own_redis() as redis_server, gunicorn(redis_server.url) as base:
        browser = requests.Session()
        # Warm: Redis answers, the pages are cached there.
        assert timed(browser, "GET", f"{base}/uz/").status == 200
        before = timed(browser, "POST", f"{base}/api/v1/applications/", data=appeal("oldin"))
        assert before.status == 201, before.text
        code = re.search(r'"tracking_code":"([^"]+)"', before.text)
        assert code
        service_page = ServicePage.objects.live().filter(locale__language_code="uz").first()
        assert service_page is not None
        service_url = f"{base}{service_page.url}"

        redis_server.kill()

        answers: dict[str, Answer] = {}
        for name, path in [
            ("home", "/"),
            ("portal", "/uz/"),
            ("portal in Russian", "/ru/"),
            ("services", "/uz/services/"),
            ("service page", service_page.url),
            ("tracking", f"/track/{code.group(1)}/"),
            ("tracking lookup", f"/track/?code={code.group(1)}"),
            ("verification", "/verify/"),
            ("verification code", "/verify/ABCD-EFGH-JKLM-NPQR/"),
            ("API services", "/api/v1/services/?office=jizzakh-city"),
            ("API tracking", f"/api/v1/applications/{code.group(1)}/"),
            ("login page", "/accounts/login/"),
        ]:
            answers[name] = timed(browser, "GET", f"{base}{path}")
        for name, answer in answers.items():
            assert answer.status < 500, f"{name}: {answer.status}"
            assert answer.seconds < SLOW, f"{name} took {answer.seconds:.1f} s"
        assert answers["portal"].status == 200
        assert answers["service page"].status == 200
        assert answers["tracking"].status == 200
        assert answers["API tracking"].status == 200

        # Staff sign in (the login form still carries its CSRF token) and work.
        login = timed(
            browser,
            "POST",
            f"{base}/accounts/login/",
            data={
                "username": "jizzakh-city.registrar",
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": csrf_token(answers["login page"].text),
            },
            headers={"Referer": f"{base}/accounts/login/"},
        )
        assert login.status == 302, login.status
        assert login.seconds < SLOW
        for path in ["/workspace/", "/workspace/documents/", "/workspace/search/?q=chirog"]:
            page = timed(browser, "GET", f"{base}{path}")
            assert page.status == 200, f"{path}: {page.status}"
            assert page.seconds < SLOW, f"{path} took {page.seconds:.1f} s"

        # A citizen applies through the service page's form and through the API: both are
        # registered, and each answer comes at once with the tracking code.
        citizen = requests.Session()
        form_page = timed(citizen, "GET", service_url)
        submission_key = re.search(r'name="submission_key" value="([^"]+)"', form_page.text)
        assert submission_key
        online = timed(
            citizen,
            "POST",
            service_url,
            data={
                **appeal("onlayn"),
                "csrfmiddlewaretoken": csrf_token(form_page.text),
                "submission_key": submission_key.group(1),
            },
            headers={"Referer": service_url},
        )
        assert online.status == 302, online.text[:2000]
        assert online.seconds < SLOW
        over_api = [
            timed(citizen, "POST", f"{base}/api/v1/applications/", data=appeal(f"api {n}"))
            for n in range(3)
        ]
        assert [answer.status for answer in over_api] == [201, 201, 201]
        assert max(answer.seconds for answer in over_api) < SLOW

        stored = Application.objects.filter(full_name="Karimova Dilnoza Rustamovna")
        new = stored.exclude(answers__subject__endswith="oldin")
        assert new.count() == 4
        waiting = sorted(f"application:{pk}:registered" for pk in new.values_list("pk", flat=True))
        assert set(waiting) <= set(pending_notifications())

        # Redis is back: the sweep (what beat runs every minute) sends each one, once.
        redis_server.start()
        assert timed(browser, "GET", f"{base}/uz/").status == 200
        assert outbox_sweep(older_than=timedelta(0)) >= len(waiting)
        assert pending_notifications() == []
        sent = OutboxMessage.objects.filter(key__in=waiting)
        assert set(sent.values_list("status", flat=True)) == {OutboxMessage.Status.DONE}
        assert set(sent.values_list("attempts", flat=True)) == {1}
        assert outbox_sweep(older_than=timedelta(0)) == 0

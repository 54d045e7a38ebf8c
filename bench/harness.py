"""What every benchmark here needs: its own PostgreSQL database on this machine, Django set up
with a statement timeout, and phases that print how long they took.

And what the benchmarks that serve the project over HTTP share (``intake_load.py``,
``faults.py``): the production-like environment of ``bench.intake_settings``, the schema and
the demo data, gunicorn on a free loopback port, one HTTP request, a multipart body with the
``citizen-appeal`` application, and the commit that was measured."""

from __future__ import annotations

import http.client
import logging
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
PG_HOST = "127.0.0.1"  # local only, by design
PG_PORT = 5432
PG_USER = "postgres"


def admin_connection(dbname: str = "postgres") -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=dbname, autocommit=True, connect_timeout=10
    )


def create_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def bound_statements(timeout_ms: int) -> None:
    """Every database connection Django opens gets ``statement_timeout``: a runaway query ends
    the benchmark instead of holding the machine."""
    from django.db.backends.signals import connection_created

    def bounded(sender: Any, connection: Any, **kwargs: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {timeout_ms}")

    connection_created.connect(bounded, weak=False)


def say(text: str = "") -> None:
    print(text, flush=True)


@contextmanager
def phase(name: str, timings: dict[str, float]) -> Iterator[None]:
    say(f"… {name}")
    started = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - started
    say(f"  {name}: {timings[name]:.1f} s")


def terminate(signum: int, frame: Any) -> None:
    """A SIGTERM handler: unwinds through the ``finally`` that cleans up."""
    raise SystemExit(128 + signum)


def code_version() -> str:
    """The commit measured, and whether tracked files had changes not yet committed."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    return f"git {head}" + (f" + uncommitted changes in {len(changed)} files" if changed else "")


# --- Serving the project: production settings, gunicorn, the API application ------------------

INTAKE_SETTINGS = "bench.intake_settings"
FLOOR_PATH = "/bench/floor/"  # bench/intake_urls.py
API_PATH = "/api/v1/applications/"
SERVICE = "citizen-appeal"
OFFICE = "jizzakh-city"
HTTP_TIMEOUT_S = 60.0

# The applicant (as in tests/intake/factories.py) and the citizen-appeal service's own fields.
FIELDS: dict[str, str] = {
    "full_name": "Karimova Dilnoza Rustamovna",
    "pinfl": "31203870250012",
    "phone": "+998 90 123-45-67",
    "email": "dilnoza@example.uz",
    "address": "Jizzax sh., Sharq mahallasi, 5-uy",
    "office": OFFICE,
    "subject": "Koʻcha yoritgichlari ishlamayapti",
    "text": (
        "Assalomu alaykum. Sharq mahallasidagi Navoiy koʻchasida bir oydan beri koʻcha "
        "yoritgichlari ishlamayapti. Kechqurun bolalar maktabdan qorongʻida qaytmoqda. "
        "Yoritgichlarni taʼmirlash va bundan keyin muntazam tekshirib turishni soʻrayman. "
        "Oldindan rahmat."
    ),
}


def intake_environment(dbname: str, media_root: str) -> None:
    """Settings come from the environment: set before Django reads it; gunicorn inherits it."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": INTAKE_SETTINGS,
            "DATABASE_URL": f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "DEBUG": "false",
            "INTAKE_SUBMIT_RATE_LIMIT": "1000000/s",
            "LOG_LEVEL": "WARNING",
            "MEDIA_ROOT": media_root,
            "NOTIFICATION_GATEWAYS": "console",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    for name in ("REDIS_URL", "ELASTICSEARCH_URL", "CONN_MAX_AGE"):
        os.environ.pop(name, None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)


def setup_django(statement_timeout_ms: int) -> None:
    import django

    django.setup()
    # Eager Celery in this process logs that its memory:// broker URL has no host name.
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)

    bound_statements(statement_timeout_ms)


def load_schema_and_demo(timings: dict[str, float]) -> None:
    """``migrate``, ``createcachetable`` and ``load_demo`` in this process."""
    from django.core.management import call_command

    with phase("migrate", timings):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
    with phase("load_demo", timings):
        call_command("load_demo", verbosity=0)


BOUNDARY = "bench-" + secrets.token_hex(8)


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> bytes:
    """A multipart/form-data body, as a browser or another system would send it."""
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, (filename, content) in files.items():
        parts.append(
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}";'
                f' filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def redis_server_command(port: int, folder: Path) -> list[str]:
    """A redis-server of a benchmark's own (or the smoke step's) on a loopback ``port``, keeping
    nothing on disk: killing it loses what it held, as a crash of a cache-only Redis would."""
    return [
        "redis-server",
        *("--port", str(port), "--bind", "127.0.0.1"),
        *("--save", "", "--appendonly", "no", "--dir", str(folder)),
    ]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = HTTP_TIMEOUT_S,
) -> tuple[int, bytes, SimpleCookie]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        cookies: SimpleCookie = SimpleCookie()
        for header in response.msg.get_all("Set-Cookie") or []:
            cookies.load(header)
        return response.status, data, cookies
    finally:
        conn.close()


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self.log_path, lines)


def log_tail(path: Path, lines: int) -> str:
    """The last ``lines`` lines of a child process's log, or nothing if it cannot be read."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def start_server(
    name: str,
    workers: int,
    log_dir: Path,
    extra_env: dict[str, str],
    *,
    timeout: int = 120,
    extra_args: Sequence[str] = (),
) -> Server:
    """gunicorn ``config.wsgi`` with ``bench.intake_settings`` and sync workers on a free
    loopback port, in a session of its own; returns once Django answers. ``timeout`` is
    gunicorn's worker timeout; ``extra_args`` go to gunicorn as they are."""
    port = free_port()
    log_path = log_dir / f"gunicorn-{name}.log"
    env = {**os.environ, **extra_env, "DJANGO_SETTINGS_MODULE": INTAKE_SETTINGS}
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        str(timeout),
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
        *extra_args,
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the bench, which stops gunicorn itself
        )
    server = Server(name, process, port, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{server.log_tail()}")
        try:
            status, _body, _cookies = http_request(port, "GET", FLOOR_PATH, timeout=2)
        except OSError:
            time.sleep(0.2)
            continue
        if status == 405:  # the floor view answers GET with 405: Django is up
            return server
        raise RuntimeError(f"gunicorn answered {status} on {FLOOR_PATH}:\n{server.log_tail()}")
    stop_server(server)
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{server.log_tail()}")


def stop_server(server: Server, show_errors: bool = True) -> None:
    """SIGTERM to the master (by its process id): it stops its workers gracefully. Errors it
    logged (at WARNING and above) are shown unless ``show_errors`` is off."""
    if server.process.poll() is not None:
        return
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)
    tail = server.log_tail(20)
    if show_errors and re.search(r"Traceback|ERROR|CRITICAL", tail):
        say(f"  gunicorn ({server.name}) logged errors; the end of its log:\n{tail}")

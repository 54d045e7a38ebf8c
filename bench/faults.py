"""Faults benchmark: API submissions under load while Redis, the Celery worker and the database
connections fail, then a count of what was lost, duplicated or left undelivered.

Run from the project folder::

    .venv/bin/python bench/faults.py [--seconds 60] [--clients 6] [--down 8] [--keep]

Method (see bench/README.md, "Faults", for the figures and how to read them):

1. **Database and setup.** Creates ``bench_faults_<pid>`` on 127.0.0.1:5432 and sets the
   environment of ``bench/intake_load.py`` (``bench.intake_settings``: the production settings
   on loopback, ``INTAKE_SUBMIT_RATE_LIMIT=1000000/s``, the console notification gateway), then
   ``migrate``, ``createcachetable`` and ``load_demo`` in this process (no Redis yet).
2. **Services.** A Redis server of its own on a free port (``--save "" --appendonly no``: what
   it holds dies with it), one Celery worker (``celery -A config worker --pool=solo``) and
   gunicorn (sync workers), both with ``REDIS_URL`` pointing at that Redis and ``LOG_LEVEL=INFO``
   (the console gateway logs one line per notification sent). Each runs in a session of its own
   and is killed by process group at the end, also on Ctrl-C, SIGTERM or an error.
3. **Load.** ``--clients`` threads post ``POST /api/v1/applications/`` back to back for
   ``--warmup`` + ``--seconds`` (``citizen-appeal`` at ``jizzakh-city``, no file), each request
   with its own ``Idempotency-Key`` (``faults-<pid>-<n>``) and the marker ``F<pid>-<n>`` at the
   end of the applicant's name, and a 30 s timeout: a request that hangs is counted, not waited
   for. Warm-up requests count in every check but not in the worst latencies (the first
   request of each gunicorn worker loads the project).
4. **Faults, at announced times** (fractions of ``--seconds``): at 15% Redis is killed
   (SIGKILL to its process group) and started again on the same port ``--down`` seconds later;
   at 45% the Celery worker is killed the same way and started again; at 75% every connection to
   the benchmark's own database is ended with ``pg_terminate_backend`` (only that database).
   Each request is put in the window it falls in: ``db-kill`` if it was in flight at the kill or
   started within 1 s after it, else ``redis-down`` / ``worker-down`` if it overlapped that
   outage, else the quiet stretch it started in (``before``, ``redis-back``, ``worker-back``,
   ``after``).
5. **Recovery.** With Redis and the worker up, it waits for the worker to drain the queue (until
   the pending outbox rows stop falling for 10 s, at most 60 s), then runs
   ``manage.py outbox_sweep --older-than 0`` until no outbox row is pending (at most 120 s).
6. **Count.** From PostgreSQL and the logs: requests by answer, applications committed, lost
   (answered 201, not stored), duplicated, notifications delivered once (the outbox row
   ``application:<pk>:registered`` done with the console gateway in its result, and exactly one
   "notification …" line in the worker and sweep logs), gaps in the journal's numbers, 5xx
   answers whose application was committed anyway, worst latencies; then one ``RESULT`` line.
   The errors in the gunicorn and worker logs are summarised by kind.

It asserts nothing about the figures; it exits 1 when an application was lost or duplicated or
a journal has a gap. The database is dropped at the end unless ``--keep``; the logs stay in the
temporary folder it names.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import (  # bench/ is on the path when a benchmark runs
    API_PATH,
    BOUNDARY,
    FIELDS,
    FLOOR_PATH,
    OFFICE,
    PG_HOST,
    PG_PORT,
    PG_USER,
    ROOT,
    SERVICE,
    Server,
    admin_connection,
    code_version,
    create_database,
    drop_database,
    free_port,
    http_request,
    intake_environment,
    load_schema_and_demo,
    multipart,
    redis_server_command,
    say,
    setup_django,
    start_server,
    stop_server,
    terminate,
)

STATEMENT_TIMEOUT_MS = 60_000
REQUEST_TIMEOUT_S = 30.0
GUNICORN_TIMEOUT_S = 120  # longer than the client's: a hung request still shows in the log
DB_KILL_WINDOW_S = 1.0  # requests started this long after the kill still count as in it
RECOVERY_TIMEOUT_S = 120.0
DRAIN_TIMEOUT_S = 60.0
DRAIN_STALL_S = 10.0
WORKER_READY_TIMEOUT_S = 90.0
GOAL_LATENCY_S = 3.0
# When each fault starts, as a share of --seconds.
REDIS_AT, WORKER_AT, DB_AT = 0.15, 0.45, 0.75
NOTIFICATION_LINE = re.compile(r"notification (application:\d+:registered) ")
# A log record of the project's format, Celery's, or gunicorn's own.
RECORD_START = re.compile(r"^(\d{4}-\d\d-\d\d[ T][\d:,.]+|\[\d{4}-\d\d-\d\d )")
# A traceback's frame in the project's own code (not in a library): "intake/api.py:237".
PROJECT_FRAME = re.compile(
    r'^\s*File "' + re.escape(str(ROOT)) + r'/((?:intake|edms|portal|search|core|config)/[^"]+)",'
    r" line (\d+)"
)
EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout|Refused|Exit)\w*)(:.*)?$")


# --- Command line --------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="load time (default 60)")
    parser.add_argument("--clients", type=int, default=6, help="concurrent clients (default 6)")
    parser.add_argument(
        "--warmup",
        type=float,
        default=5.0,
        help="seconds of the same load before the timeline starts (default 5); these requests"
        " count in every check but not in the worst latencies",
    )
    parser.add_argument(
        "--down",
        type=float,
        default=8.0,
        help="seconds Redis and the worker stay down (default 8, at most 20%% of --seconds)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn sync workers (default 2 x cores + 1)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args(argv)
    if not 20 <= args.seconds <= 3600:
        parser.error("--seconds must be 20 to 3600")
    if not 1 <= args.clients <= 64 or not 1 <= args.workers <= 64:
        parser.error("--clients and --workers must be 1 to 64")
    if not 1 <= args.down <= 600:
        parser.error("--down must be 1 to 600")
    if not 0 <= args.warmup <= 120:
        parser.error("--warmup must be 0 to 120")
    args.down = min(args.down, 0.2 * args.seconds)
    return args


# --- Child processes: Redis, the Celery worker, the sweep ----------------------------------------


class Children:
    """Every process the benchmark starts, each the leader of its own session, so that one
    ``killpg`` takes it with all its children. ``stop_all`` runs in ``finally`` and at exit."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(
        self, command: Sequence[str], log_path: Path, env: dict[str, str]
    ) -> subprocess.Popen[bytes]:
        with log_path.open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own programs, fixed arguments
                list(command),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def adopt(self, process: subprocess.Popen[bytes]) -> None:
        self.processes.append(process)

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> None:
        """SIGKILL to the process group: no chance to clean up, as in a crash."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        alive = [p for p in self.processes if p.poll() is None]
        for process in alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in alive:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in self.processes:
            # The group too: a gunicorn worker or a Celery child can outlive its leader.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            if process.poll() is None:
                process.wait(timeout=10)


@dataclass
class Services:
    children: Children
    work_dir: Path
    redis_port: int
    env: dict[str, str]  # gunicorn's, the worker's and the sweep's
    redis: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    worker_starts: int = 0

    @property
    def redis_log(self) -> Path:
        return self.work_dir / "redis.log"

    @property
    def worker_log(self) -> Path:
        return self.work_dir / "celery-worker.log"

    @property
    def sweep_log(self) -> Path:
        return self.work_dir / "outbox-sweep.log"

    def start_redis(self) -> None:
        self.redis = self.children.start(
            redis_server_command(self.redis_port, self.work_dir),
            self.redis_log,
            dict(os.environ),
        )
        import redis

        client = redis.Redis(
            host="127.0.0.1", port=self.redis_port, socket_connect_timeout=1, socket_timeout=1
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.redis.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.redis.returncode}")
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError(f"Redis did not answer on port {self.redis_port} within 20 s")

    def kill_redis(self) -> None:
        assert self.redis is not None
        Children.kill(self.redis)

    def start_worker(self) -> None:
        """``celery -A config worker --pool=solo``; returns once it logs that it is ready."""
        self.worker_starts += 1
        offset = self.worker_log.stat().st_size if self.worker_log.exists() else 0
        with self.worker_log.open("a") as log:
            log.write(f"=== faults.py: worker start {self.worker_starts} ===\n")
        self.worker = self.children.start(
            [
                str(ROOT / ".venv" / "bin" / "celery"),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--hostname",
                f"faults{os.getpid()}-{self.worker_starts}@%h",
                # As deploy/systemd/khokimiyat-worker.service runs it.
                "--without-gossip",
                "--without-mingle",
            ],
            self.worker_log,
            self.env,
        )
        deadline = time.monotonic() + WORKER_READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.worker.poll() is not None:
                raise RuntimeError(f"the Celery worker exited with {self.worker.returncode}")
            with self.worker_log.open("rb") as log:
                log.seek(offset)
                if b" ready." in log.read():
                    return
            time.sleep(0.2)
        raise RuntimeError(f"the Celery worker was not ready within {WORKER_READY_TIMEOUT_S} s")

    def kill_worker(self) -> None:
        assert self.worker is not None
        Children.kill(self.worker)

    def sweep(self) -> str:
        """One ``manage.py outbox_sweep --older-than 0``; its summary line."""
        with self.sweep_log.open("a") as log:
            log.write("=== faults.py: outbox_sweep ===\n")
        process = self.children.start(
            [sys.executable, "manage.py", "outbox_sweep", "--older-than", "0"],
            self.sweep_log,
            self.env,
        )
        try:
            process.wait(timeout=RECOVERY_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            Children.kill(process)
            return "timed out"
        lines = self.sweep_log.read_text(errors="replace").splitlines()
        summary = next((line for line in reversed(lines) if line.startswith("sent ")), "")
        return summary or f"exited with {process.returncode}"


# --- The load ------------------------------------------------------------------------------------


@dataclass
class Request:
    n: int
    key: str
    marker: str
    started: float
    ended: float = 0.0
    status: int = 0  # 0: no HTTP answer
    failure: str = ""  # "timeout" or "connection" when there was no answer
    detail: str = ""
    tracking_code: str = ""
    reg_number: str = ""
    window: str = ""

    @property
    def seconds(self) -> float:
        return self.ended - self.started


@dataclass
class Timeline:
    """When the load started and each fault happened (perf_counter seconds)."""

    start: float = 0.0
    end: float = 0.0
    events: list[tuple[float, str]] = field(default_factory=list)
    marks: dict[str, float] = field(default_factory=dict)

    def mark(self, name: str, text: str) -> None:
        now = time.perf_counter()
        self.marks[name] = now
        self.events.append((now, text))
        say(f"  [{now - self.start:6.1f} s] {text}")

    def window_of(self, request: Request) -> str:
        m = self.marks

        def overlaps(a: str, b: str, extra: float = 0.0) -> bool:
            if a not in m:
                return False
            until = m.get(b, self.end) + extra
            return request.started <= until and request.ended >= m[a]

        if request.started < self.start:
            return "warm-up"
        if "db_kill" in m and overlaps("db_kill", "db_kill", DB_KILL_WINDOW_S):
            return "db-kill"
        if overlaps("redis_kill", "redis_back"):
            return "redis-down"
        if overlaps("worker_kill", "worker_back"):
            return "worker-down"
        for name, mark in (
            ("before", "redis_kill"),
            ("redis-back", "worker_kill"),
            ("worker-back", "db_kill"),
        ):
            if mark not in m or request.started < m[mark]:
                return name
        return "after"


WINDOWS = (
    "warm-up",
    "before",
    "redis-down",
    "redis-back",
    "worker-down",
    "worker-back",
    "db-kill",
    "after",
)


class Client(threading.Thread):
    """One client: posts applications back to back until the load ends."""

    def __init__(self, port: int, numbers: Iterator[int], stop_at: list[float]) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.numbers = numbers
        self.stop_at = stop_at
        self.requests: list[Request] = []

    def run(self) -> None:
        pid = os.getpid()
        while time.perf_counter() < self.stop_at[0]:
            n = next(self.numbers)
            marker = f"F{pid}-{n:06d}"
            fields = {
                "service": SERVICE,
                **FIELDS,
                "full_name": f"{FIELDS['full_name']} {marker}",
            }
            headers = {
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                "Idempotency-Key": f"faults-{pid}-{n:06d}",
                "Accept-Language": "en",
            }
            body = multipart(fields, {})
            request = Request(n, headers["Idempotency-Key"], marker, time.perf_counter())
            self.requests.append(request)
            try:
                status, data, _cookies = http_request(
                    self.port, "POST", API_PATH, body, headers, timeout=REQUEST_TIMEOUT_S
                )
            except TimeoutError as error:
                request.failure, request.detail = "timeout", str(error)
            except (OSError, http.client.HTTPException) as error:
                request.failure, request.detail = "connection", f"{type(error).__name__}: {error}"
            else:
                request.status = status
                if status == 201:
                    try:
                        answer = json.loads(data)
                        request.tracking_code = str(answer["tracking_code"])
                        request.reg_number = str(answer["registration_number"])
                    except (ValueError, KeyError, TypeError):
                        request.detail = f"201 without a tracking code: {data[:200]!r}"
                else:
                    request.detail = data[:300].decode(errors="replace")
            request.ended = time.perf_counter()


def run_load(
    args: argparse.Namespace, services: Services, server: Server, timeline: Timeline
) -> list[Request]:
    stop_at = [float("inf")]
    numbers = itertools.count(1)
    clients = [Client(server.port, numbers, stop_at) for _ in range(args.clients)]
    timeline.start = time.perf_counter() + args.warmup
    timeline.end = timeline.start + args.seconds
    stop_at[0] = timeline.end
    for client in clients:
        client.start()
    say(f"  [{-args.warmup:6.1f} s] {args.clients} clients start: {args.warmup:g} s of warm-up")
    time.sleep(max(0.0, timeline.start - time.perf_counter()))
    say(
        f"  [   0.0 s] timeline starts: {args.seconds:g} s of load; Redis killed"
        f" at {REDIS_AT * args.seconds:.0f} s, the worker at {WORKER_AT * args.seconds:.0f} s"
        f" (each down {args.down:g} s), database connections ended at"
        f" {DB_AT * args.seconds:.0f} s"
    )

    def wait_until(share: float) -> None:
        delay = timeline.start + share * args.seconds - time.perf_counter()
        if delay > 0:
            time.sleep(delay)

    def progress() -> str:
        done = [r for c in clients for r in c.requests if r.ended]
        counts = Counter(r.status or r.failure for r in done)
        return ", ".join(f"{k}×{v}" for k, v in sorted(counts.items(), key=str)) or "none yet"

    assert services.redis is not None
    assert services.worker is not None
    wait_until(REDIS_AT)
    say(f"           answers so far: {progress()}")
    timeline.mark("redis_kill", f"killing Redis (SIGKILL, process group {services.redis.pid})")
    services.kill_redis()
    time.sleep(args.down)
    services.start_redis()
    timeline.mark("redis_back", f"Redis answers again on port {services.redis_port} (empty)")

    wait_until(WORKER_AT)
    say(f"           answers so far: {progress()}")
    timeline.mark(
        "worker_kill", f"killing the Celery worker (SIGKILL, process group {services.worker.pid})"
    )
    services.kill_worker()
    time.sleep(args.down)
    timeline.mark("worker_start", "starting the Celery worker again")
    services.start_worker()
    timeline.mark("worker_back", "the Celery worker is ready")

    wait_until(DB_AT)
    say(f"           answers so far: {progress()}")
    with admin_connection() as conn:
        rows = conn.execute(
            "SELECT pid, coalesce(state, ''), pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [args.dbname],
        ).fetchall()
    states = Counter(str(state) or "?" for _pid, state, _ok in rows)
    timeline.mark(
        "db_kill",
        f"ended {sum(1 for r in rows if r[2])} connections to {args.dbname}"
        f" ({', '.join(f'{s} {n}' for s, n in states.most_common()) or 'none open'})",
    )

    wait_until(1.0)
    timeline.mark("load_end", "load stops: no new requests; waiting for those in flight")
    for client in clients:
        client.join(timeout=REQUEST_TIMEOUT_S + 15)
    requests = sorted((r for c in clients for r in c.requests), key=lambda r: r.n)
    for request in requests:
        if not request.ended:  # a client thread still stuck: count it as a time-out
            request.ended, request.failure = time.perf_counter(), "timeout"
        request.window = timeline.window_of(request)
    say(f"           answers: {progress()}")
    return requests


# --- Recovery ------------------------------------------------------------------------------------


def pending_outbox(since_pk: int, status: str = "pending") -> int:
    """Outbox rows of this run (written after the setup) in ``status``."""
    from intake.models import OutboxMessage

    return OutboxMessage.objects.filter(pk__gt=since_pk, status=status).count()


def recover(services: Services, since_pk: int) -> dict[str, Any]:
    """Wait for the worker to drain what reached it, then sweep until nothing is pending."""
    from django.db import connections

    connections.close_all()  # this process's connection was ended with the others
    figures: dict[str, Any] = {"pending_at_end": pending_outbox(since_pk)}
    say(f"  outbox rows of this run pending when the load stopped: {figures['pending_at_end']}")
    started = time.perf_counter()
    last, last_change = figures["pending_at_end"], started
    while last and time.perf_counter() - started < DRAIN_TIMEOUT_S:
        time.sleep(1)
        now = pending_outbox(since_pk)
        if now < last:
            last, last_change = now, time.perf_counter()
        elif time.perf_counter() - last_change >= DRAIN_STALL_S:
            break
    figures["pending_after_worker"] = last
    figures["drain_s"] = time.perf_counter() - started
    say(
        f"  after {figures['drain_s']:.0f} s of the worker alone: {last} pending"
        " (tasks lost with Redis or with the killed worker wait for the sweep)"
    )
    sweeps = 0
    started = time.perf_counter()
    while last and time.perf_counter() - started < RECOVERY_TIMEOUT_S:
        summary = services.sweep()
        sweeps += 1
        left = pending_outbox(since_pk)
        say(
            f"  outbox_sweep {sweeps}: {summary} (all rows); of this run: pending {left},"
            f" failed for good {pending_outbox(since_pk, 'failed')}"
        )
        last = left
        if last:
            time.sleep(2)
    figures["sweeps"] = sweeps
    figures["sweep_s"] = time.perf_counter() - started
    figures["pending_after_sweep"] = pending_outbox(since_pk)
    return figures


# --- Counting ------------------------------------------------------------------------------------


@dataclass
class Figures:
    requests: list[Request]
    committed: int = 0
    lost: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    unknown_rows: int = 0
    committed_5xx: list[Request] = field(default_factory=list)
    committed_no_answer: list[Request] = field(default_factory=list)
    committed_other: list[Request] = field(default_factory=list)
    notify_once: int = 0
    notify_not_done: dict[str, int] = field(default_factory=dict)
    notify_missing: int = 0
    notify_sends: Counter[int] = field(default_factory=Counter)  # sends per application → count
    index_rows: Counter[str] = field(default_factory=Counter)
    gaps: int = 0
    numbering: list[str] = field(default_factory=list)
    reg_numbers: tuple[str, str] = ("", "")

    def answered(self, kind: str) -> list[Request]:
        return [r for r in self.requests if answer_kind(r) == kind]


def answer_kind(request: Request) -> str:
    if request.failure:
        return request.failure
    if request.status == 201:
        return "201"
    if request.status >= 500:
        return "5xx"
    return "other"


def count_sends(logs: Sequence[Path]) -> Counter[str]:
    """Notification references logged by the console gateway, with how often each was sent."""
    sends: Counter[str] = Counter()
    for path in logs:
        if path.exists():
            sends.update(NOTIFICATION_LINE.findall(path.read_text(errors="replace")))
    return sends


def count(requests: list[Request], since_pk: int, logs: Sequence[Path]) -> Figures:
    from django.db.models import Count

    from edms.codes import format_code
    from edms.models import Document, JournalCounter
    from intake.models import Application, OutboxMessage

    pid = os.getpid()
    figures = Figures(requests)
    rows = list(
        Application.objects.filter(idempotency_key__contains=f"faults-{pid}-").values_list(
            "pk", "idempotency_key", "tracking_code", "full_name", "document_id"
        )
    )
    figures.committed = len(rows)
    by_key: dict[str, list[tuple[int, str]]] = defaultdict(list)
    by_marker: Counter[str] = Counter()
    for pk, key, code, name, _doc in rows:
        # The product stores the key as "<channel>:<key>" ("api:faults-…").
        by_key[key.split(":", 1)[-1]].append((pk, format_code(code)))
        by_marker[name.rsplit(" ", 1)[-1]] += 1
    sent_keys = {r.key for r in requests}
    figures.unknown_rows = sum(1 for key in by_key if key not in sent_keys)
    figures.duplicated = sorted(
        {k for k, v in by_key.items() if len(v) > 1} | {m for m, n in by_marker.items() if n > 1}
    )
    for request in requests:
        stored = by_key.get(request.key, [])
        kind = answer_kind(request)
        if kind == "201":
            if not stored:
                figures.lost.append(request.key)
            elif request.tracking_code not in {code for _pk, code in stored}:
                figures.mismatched.append(request.key)
        elif stored:
            if kind == "5xx":
                figures.committed_5xx.append(request)
            elif kind in ("timeout", "connection"):
                figures.committed_no_answer.append(request)
            else:
                figures.committed_other.append(request)

    # Notifications: one outbox row per application, done, with what the gateway sent, and one
    # line in the logs of the processes that send (worker, sweep, and gunicorn in case).
    pks = [pk for pk, *_rest in rows]
    notify = {
        m.key: m
        for m in OutboxMessage.objects.filter(
            key__in=[f"application:{pk}:registered" for pk in pks]
        )
    }
    sends = count_sends(logs)
    not_done: Counter[str] = Counter()
    for pk in pks:
        key = f"application:{pk}:registered"
        message = notify.get(key)
        figures.notify_sends[sends[key]] += 1
        if message is None:
            figures.notify_missing += 1
        elif message.status != OutboxMessage.Status.DONE or "console" not in message.result.get(
            "sent", {}
        ):
            not_done[message.status] += 1
        elif sends[key] == 1:
            figures.notify_once += 1
    figures.notify_not_done = dict(not_done)
    figures.index_rows = Counter(
        {
            row["status"]: row["n"]
            for row in OutboxMessage.objects.filter(pk__gt=since_pk, kind="index")
            .values("status")
            .annotate(n=Count("pk"))
        }
    )

    # Numbering: every journal and year this run registered in must hold 1..last_number, each
    # number once (the unique constraint makes "twice" impossible; gaps are what can go wrong).
    documents = Document.objects.filter(pk__in=[doc for *_rest, doc in rows])
    first_last = documents.order_by("reg_seq").values_list("reg_number", flat=True)
    if rows:
        figures.reg_numbers = (first_last.first() or "", first_last.last() or "")
    for journal_id, year in sorted(set(documents.values_list("journal_id", "reg_year"))):
        seqs = list(
            Document.objects.filter(journal_id=journal_id, reg_year=year).values_list(
                "reg_seq", flat=True
            )
        )
        counter = JournalCounter.objects.filter(journal_id=journal_id, year=year).first()
        last = counter.last_number if counter else 0
        present = set(seqs)
        missing = sorted(set(range(1, last + 1)) - present)
        above = sorted(s for s in present if s > last)
        twice = len(seqs) - len(present)
        figures.gaps += len(missing) + len(above) + twice
        prefix = counter.journal.prefix if counter else f"journal {journal_id}"
        figures.numbering.append(
            f"{prefix} {year}: numbers 1–{last}, {len(present):,} documents; missing"
            f" {len(missing)}{' ' + str(missing[:10]) if missing else ''}, above the counter"
            f" {len(above)}, twice {twice}"
        )
    return figures


def latency_ms(requests: Sequence[Request], quantile: float) -> float:
    times = sorted(r.seconds * 1000 for r in requests)
    if not times:
        return float("nan")
    return times[max(0, min(len(times) - 1, round(quantile * len(times) + 0.5) - 1))]


# --- Logs ---------------------------------------------------------------------------------------


def log_records(path: Path) -> Iterator[list[str]]:
    """The records of a log: a line that starts with a time stamp and the lines after it."""
    if not path.exists():
        return
    record: list[str] = []
    for line in path.read_text(errors="replace").splitlines():
        if RECORD_START.match(line) and record:
            yield record
            record = []
        record.append(line)
    if record:
        yield record


def problems(path: Path) -> Counter[str]:
    """Warnings and errors of a log by kind: the message (numbers blanked) and the last
    exception of its traceback."""
    kinds: Counter[str] = Counter()
    for record in log_records(path):
        head = record[0]
        if FLOOR_PATH in head:  # the readiness check's GETs (405)
            continue
        if not re.search(r"\b(WARNING|ERROR|CRITICAL)\b|\[(WARNING|ERROR|CRITICAL)", head):
            continue
        message = re.sub(r"^\S+ \S+ |^\[[^\]]*\] ", "", head)
        message = re.sub(r"\d+", "N", message.replace(f"{ROOT}/", ""))[:140]
        exceptions = [m.group(0)[:160] for m in map(EXCEPTION_LINE.match, record[1:]) if m]
        frames = [f"{m.group(1)}:{m.group(2)}" for m in map(PROJECT_FRAME.match, record[1:]) if m]
        where = f"  [{frames[0]} … {frames[-1]}]" if len(frames) > 1 else ""
        where = where or (f"  [{frames[0]}]" if frames else "")
        kinds[message + (f"  <- {exceptions[-1]}" if exceptions else "") + where] += 1
    return kinds


@dataclass(frozen=True)
class Served:
    """One API request in gunicorn's access log."""

    status: int
    seconds: float  # as the server measured it
    first: bool  # the first API request its gunicorn worker served


def access_log(path: Path) -> dict[str, Served]:
    """gunicorn's access log: Idempotency-Key → how the server answered it."""
    answers: dict[str, Served] = {}
    seen: set[str] = set()
    if path.exists():
        for line in path.read_text(errors="replace").splitlines():
            match = re.search(r"status=(\d+) seconds=([\d.]+) pid=<?(\d+)>? key=(faults-\S+)", line)
            if match:
                status, seconds, pid, key = match.groups()
                answers[key] = Served(int(status), float(seconds), pid not in seen)
                seen.add(pid)
    return answers


# --- Report -------------------------------------------------------------------------------------


def report(
    args: argparse.Namespace,
    timeline: Timeline,
    figures: Figures,
    recovery: dict[str, Any],
    services: Services,
    server: Server,
    access: dict[str, Served],
) -> int:
    requests = figures.requests
    kinds = Counter(answer_kind(r) for r in requests)
    say("\nTimeline (seconds from its start, after the warm-up):")
    for at, text in timeline.events:
        say(f"  {at - timeline.start:6.1f}  {text}")

    say("\nRequests by window (a request in flight during an outage counts in that outage):")
    header = (
        f"  {'window':<12} {'requests':>8} {'201':>5} {'5xx':>5} {'other':>5} {'conn':>5}"
        f" {'t/o':>5} {'median ms':>9} {'p95 ms':>8} {'max ms':>8}"
    )
    say(header)
    say("  " + "-" * (len(header) - 2))
    for window in (*WINDOWS, "all"):
        rows = requests if window == "all" else [r for r in requests if r.window == window]
        if not rows:
            continue
        k = Counter(answer_kind(r) for r in rows)
        say(
            f"  {window:<12} {len(rows):>8} {k['201']:>5} {k['5xx']:>5} {k['other']:>5}"
            f" {k['connection']:>5} {k['timeout']:>5} {latency_ms(rows, 0.5):>9.0f}"
            f" {latency_ms(rows, 0.95):>8.0f} {latency_ms(rows, 1.0):>8.0f}"
        )
    say(
        "  conn: connection errors (no HTTP answer); t/o: no answer within"
        f" {REQUEST_TIMEOUT_S:g} s, counted at {REQUEST_TIMEOUT_S:g} s; latencies over all"
        " requests of the window, answered or not"
    )

    statuses = Counter(r.status for r in requests if not r.failure and r.status != 201)
    if statuses:
        say("\nAnswers other than 201, by status and window:")
        for status in sorted(statuses):
            where = Counter(r.window for r in requests if r.status == status and not r.failure)
            sample = next(r.detail for r in requests if r.status == status and not r.failure)
            say(
                f"  {status} ×{statuses[status]}: "
                + ", ".join(f"{w} {n}" for w, n in where.most_common())
                + f"; body: {sample[:160]!r}"
            )
    no_answer = [r for r in requests if r.failure]
    if no_answer:
        say("\nRequests without an answer, and what the server's access log says of them:")
        later: Counter[str] = Counter()
        took: list[float] = []
        for r in no_answer:
            if r.key in access:
                later[f"{access[r.key].status}"] += 1
                took.append(access[r.key].seconds)
            else:
                later["not in the access log"] += 1
        where = Counter(f"{r.failure} in {r.window}" for r in no_answer)
        say("  " + ", ".join(f"{k} {n}" for k, n in where.most_common()))
        say(
            "  the server answered them later with: "
            + ", ".join(f"{k}×{n}" for k, n in later.most_common())
            + (f" (after {min(took):.1f}–{max(took):.1f} s)" if took else "")
        )
        say(f"  e.g. {no_answer[0].key}: {no_answer[0].detail[:160]}")

    timed = [r for r in requests if r.window != "warm-up"]
    slow = sorted((r for r in timed if r.window != "db-kill"), key=lambda r: -r.seconds)[:5]
    if slow and slow[0].seconds > GOAL_LATENCY_S:
        say(f"\nSlowest requests outside the db-kill window (goal ≤ {GOAL_LATENCY_S:g} s):")
        for r in slow:
            server_side = access.get(r.key)
            say(
                f"  {r.key}: {r.seconds:6.2f} s, {r.status or r.failure}, window {r.window},"
                f" started at {r.started - timeline.start:5.1f} s"
                + (
                    f"; server: {server_side.status} after {server_side.seconds:.2f} s"
                    + (", its gunicorn worker's first API request" if server_side.first else "")
                    if server_side
                    else ""
                )
            )

    say("\nOutbox recovery:")
    say(
        f"  pending when the load stopped {recovery['pending_at_end']}, after the worker alone"
        f" {recovery['pending_after_worker']} ({recovery['drain_s']:.0f} s), after"
        f" {recovery['sweeps']} sweep(s) {recovery['pending_after_sweep']}"
        f" ({recovery['sweep_s']:.0f} s)"
    )
    say(
        "  index messages of this run: "
        + (", ".join(f"{s} {n}" for s, n in sorted(figures.index_rows.items())) or "none")
    )

    for label, path in (
        ("gunicorn", server.log_path),
        ("Celery worker", services.worker_log),
        ("outbox sweep", services.sweep_log),
    ):
        kinds_of = problems(path)
        if kinds_of:
            say(f"\nWarnings and errors in the {label} log ({kinds_of.total()}), by kind:")
            for text, n in kinds_of.most_common(8):
                say(f"  {n:>5} × {text}")

    say("\nNumbering (every journal and year this run registered in):")
    for line in figures.numbering:
        say(f"  {line}")
    if figures.reg_numbers[0]:
        say(f"  this run's numbers: {figures.reg_numbers[0]} … {figures.reg_numbers[1]}")

    worst = max((r.seconds for r in timed), default=0.0)
    outside = [r for r in timed if r.window != "db-kill"]
    worst_outside = max((r.seconds for r in outside), default=0.0)
    notify_total = figures.committed
    twice = sum(n for sends, n in figures.notify_sends.items() if sends > 1)
    not_delivered = notify_total - figures.notify_once - twice
    say("\nSummary")
    say("=" * 60)
    summary: list[tuple[str, object]] = [
        ("submitted", len(requests)),
        ("answered 201", kinds["201"]),
        ("answered 5xx", kinds["5xx"]),
        ("answered other", kinds["other"]),
        ("connection errors (no answer)", kinds["connection"]),
        (f"timeouts (no answer in {REQUEST_TIMEOUT_S:g} s)", kinds["timeout"]),
        ("committed (applications of this run)", figures.committed),
        ("lost (answered 201, not stored)", len(figures.lost)),
        ("201 with another tracking code than stored", len(figures.mismatched)),
        ("duplicated (a key or marker stored twice)", len(figures.duplicated)),
        ("stored with a key never sent", figures.unknown_rows),
        ("5xx for committed applications", len(figures.committed_5xx)),
        ("no answer, but committed", len(figures.committed_no_answer)),
        ("other answer, but committed", len(figures.committed_other)),
        ("notifications delivered exactly once", f"{figures.notify_once} of {notify_total}"),
        ("notifications sent more than once", twice),
        ("notifications not delivered", not_delivered),
        ("numbering gaps", figures.gaps),
        ("worst latency (after the warm-up)", f"{worst:.2f} s"),
        ("worst latency outside the db-kill window", f"{worst_outside:.2f} s"),
    ]
    for label, value in summary:
        say(f"  {label:<46} {value}")
    if not_delivered:
        say(
            f"  (not delivered: outbox row missing {figures.notify_missing}, by status"
            f" {figures.notify_not_done or '-'}; log lines per application:"
            f" {dict(sorted(figures.notify_sends.items()))})"
        )
    for label, items in (
        ("lost", figures.lost),
        ("duplicated", figures.duplicated),
        ("5xx but committed", [r.key for r in figures.committed_5xx]),
    ):
        if items:
            say(f"  {label}: {', '.join(items[:10])}{' …' if len(items) > 10 else ''}")
    say(
        "Goals: 0 lost, 0 duplicated, 0 gaps, 0 5xx for committed applications, every"
        f" notification delivered once, worst latency ≤ {GOAL_LATENCY_S:g} s outside the"
        " database-connection kill."
    )
    say(
        f"RESULT faults seconds={args.seconds:g} clients={args.clients}"
        f" submitted={len(requests)} answered_201={kinds['201']} answered_5xx={kinds['5xx']}"
        f" answered_other={kinds['other']} connection_errors={kinds['connection']}"
        f" timeouts={kinds['timeout']} committed={figures.committed}"
        f" lost={len(figures.lost)} duplicated={len(figures.duplicated)}"
        f" notified_once={figures.notify_once}/{notify_total} notified_twice={twice}"
        f" numbering_gaps={figures.gaps} committed_5xx={len(figures.committed_5xx)}"
        f" committed_no_answer={len(figures.committed_no_answer)}"
        f" worst_s={worst:.2f} worst_outside_db_kill_s={worst_outside:.2f}"
    )
    return 1 if figures.lost or figures.duplicated or figures.gaps else 0


# --- Main ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, terminate)
    args.dbname = f"bench_faults_{os.getpid()}"
    work_dir = Path(tempfile.mkdtemp(prefix="bench_faults_"))
    media_root = work_dir / "media"
    media_root.mkdir()
    children = Children()
    atexit.register(children.stop_all)
    created = django_ready = False
    server: Server | None = None
    timings: dict[str, float] = {}
    try:
        create_database(args.dbname)
        created = True
        say(f"Database {args.dbname} on {PG_HOST}:{PG_PORT}; code: {code_version()}")
        say(f"Logs (gunicorn, Celery worker, Redis, outbox sweep): {work_dir}")
        intake_environment(args.dbname, str(media_root))
        setup_django(STATEMENT_TIMEOUT_MS)
        django_ready = True
        load_schema_and_demo(timings)

        from django.db import connections
        from django.db.models import Max

        from intake.models import OutboxMessage

        since_pk = OutboxMessage.objects.aggregate(m=Max("pk"))["m"] or 0
        failed = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count()
        if failed:
            say(f"  NOTE: {failed} outbox rows failed for good during the setup (see above)")
        connections.close_all()

        redis_port = free_port()
        env = {
            **os.environ,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "LOG_LEVEL": "INFO",  # the console gateway's line per notification sent
        }
        services = Services(children, work_dir, redis_port, env)
        say(
            f"… Redis on 127.0.0.1:{redis_port}, a Celery worker, gunicorn ({args.workers} workers)"
        )
        services.start_redis()
        services.start_worker()
        server = start_server(
            "faults",
            args.workers,
            work_dir,
            {"REDIS_URL": env["REDIS_URL"], "LOG_LEVEL": "INFO"},
            timeout=GUNICORN_TIMEOUT_S,
            extra_args=[
                "--access-logfile",
                str(work_dir / "gunicorn-access.log"),
                "--access-logformat",
                "%(t)s %(r)s status=%(s)s seconds=%(L)s pid=%(p)s key=%({idempotency-key}i)s",
            ],
        )
        children.adopt(server.process)

        say(f"\nLoad with faults (POST {API_PATH}, {SERVICE} at {OFFICE}):")
        load_before = os.getloadavg()[0]
        timeline = Timeline()
        requests = run_load(args, services, server, timeline)
        say(
            f"           machine: {os.cpu_count()} CPUs, load average (1 min)"
            f" {load_before:.2f} before the load and {os.getloadavg()[0]:.2f} at its end"
        )

        say("\nRecovery (Redis and the worker are up):")
        recovery = recover(services, since_pk)
        figures = count(
            requests,
            since_pk,
            [services.worker_log, services.sweep_log, server.log_path],
        )
        stop_server(server, show_errors=False)
        access = access_log(work_dir / "gunicorn-access.log")
        return report(args, timeline, figures, recovery, services, server, access)
    finally:
        if server is not None:
            stop_server(server, show_errors=False)
        children.stop_all()
        if django_ready:
            from django.db import connections

            connections.close_all()
        shutil.rmtree(media_root, ignore_errors=True)
        if created and not args.keep:
            drop_database(args.dbname)
            say(f"\nDropped database {args.dbname}. Logs: {work_dir}")
        elif created:
            say(
                f"\nKept database {args.dbname}; drop with psql -h {PG_HOST} -U {PG_USER}"
                f' -c "DROP DATABASE {args.dbname}". Logs: {work_dir}'
            )


if __name__ == "__main__":
    sys.exit(main())

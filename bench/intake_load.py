"""Load benchmark: ``POST /api/v1/applications/`` through gunicorn and PostgreSQL, side by side
with a plain Wagtail form page taking the same fields and a bare Django view doing one INSERT.

Run from the project folder::

    .venv/bin/python bench/intake_load.py [--seconds 15] [--clients 8,32] [--keep]
    .venv/bin/python bench/intake_load.py --quick          # a smoke run (about 2 minutes)

Method (see bench/README.md for the figures and how to read them):

1. **Database.** Creates ``bench_intake_<pid>`` on 127.0.0.1:5432 (user postgres, trust auth) and
   sets the environment for this process and for gunicorn alike:
   ``DJANGO_SETTINGS_MODULE=bench.intake_settings`` (the production settings, see that file for
   the few differences), ``DATABASE_URL`` to the new database, a random ``SECRET_KEY``,
   ``INTAKE_SUBMIT_RATE_LIMIT=1000000/s``, no ``REDIS_URL`` (Celery eager, database cache), a
   temporary ``MEDIA_ROOT``. Then ``migrate``, ``createcachetable`` and ``load_demo``.
2. **Setup through the ORM.** A published ``FeedbackFormPage`` ``/uz/bench-feedback/`` under the
   home page, with ``FeedbackFormField`` rows for the same fields the API takes for the
   ``citizen-appeal`` service (full_name, pinfl, phone, email, address, office as a drop-down of
   the office codes, subject, text); and the table ``bench_floor`` for the floor view
   (``bench/intake_urls.py``).
3. **Profile, in this process** (``django.test.Client``, no network, no concurrency): each
   scenario's request a few times, with its SQL statements and their time, the work done after
   commit (the eager Celery tasks: notification and search index), and how long the request
   holds its row locks (from its first ``SELECT … FOR UPDATE`` to the commit). This also checks
   that every scenario is accepted before the load starts.
4. **Load.** gunicorn ``config.wsgi`` with sync workers (default 2 × cores + 1) on a free
   loopback port. The scenarios, all posting the same multipart fields:

   - *floor*: ``/bench/floor/``, one raw-SQL INSERT (``bench/intake_urls.py``);
   - *Wagtail form page*: the page above; it stores a Wagtail ``FormSubmission``;
   - *API*: ``/api/v1/applications/``, ``citizen-appeal`` at ``jizzakh-city``, no file;
   - *API + 50 KB PDF*: the same with a one-page PDF (a JPEG "scan") as ``attachment``;
   - *API, 27 offices*: the same as *API*, each client going through every office in turn, so
     the applications spread over 27 journals (``--no-pdf``, ``--no-spread`` skip these two).

   For each number of concurrent clients and each scenario: the clients (Python threads,
   ``http.client``, a new connection per request since sync workers close it) post back to back
   for a warm-up, then for ``--seconds``; only requests that end inside that window count. A
   form page client first GETs the page for its CSRF cookie and token. Accepted means 201 (API,
   floor) or 200 with the landing page (form page: a form with errors is a 200 too). During the
   window it reads the CPU time of gunicorn, of every ``postgres`` process and of this process
   from ``/proc`` (the rest of the machine's busy time is shown too), and every 0.25 s the
   database's backends in ``pg_stat_activity`` (how many are active, how many wait on a lock,
   and in which statement).
5. **Optional Redis run.** When Redis answers on 127.0.0.1:6379 and its database 13 is empty,
   a second gunicorn with ``REDIS_URL=redis://127.0.0.1:6379/13`` takes the API scenario again:
   the outbox tasks are queued in Redis (no worker runs) and the rate-limit counter is in Redis.
   Database 13 is flushed afterwards.
6. **Check and clean up.** The accepted counts must match the rows written (applications, form
   submissions, floor rows). gunicorn is stopped by its process id; the database and the media
   folder are removed unless ``--keep``.

No timing is asserted: the figures are printed. Only local addresses are used.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import random
import re
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
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
    SERVICE,
    Server,
    admin_connection,
    code_version,
    create_database,
    drop_database,
    http_request,
    intake_environment,
    load_schema_and_demo,
    multipart,
    phase,
    say,
    setup_django,
    start_server,
    stop_server,
    terminate,
)

REDIS_URL = "redis://127.0.0.1:6379/13"
STATEMENT_TIMEOUT_MS = 60_000
REQUEST_TIMEOUT_S = 60.0
SAMPLE_EVERY_S = 0.25
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

FORM_SLUG = "bench-feedback"
PDF_BYTES = 50 * 1024
NONCE_WIDTH = 20

# The Wagtail form page's fields: (clean name, label, Wagtail field type, required).
FORM_FIELDS: list[tuple[str, str, str, bool]] = [
    ("full_name", "Full name", "singleline", True),
    ("pinfl", "PINFL", "singleline", True),
    ("phone", "Phone", "singleline", True),
    ("email", "E-mail", "email", False),
    ("address", "Address", "singleline", True),
    ("office", "Office", "dropdown", True),
    ("subject", "Subject", "singleline", True),
    ("text", "Text", "multiline", True),
]


# --- Command line, database and environment -------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=float, help="timed seconds per scenario (default 15, quick 3)"
    )
    parser.add_argument("--warmup", type=float, help="untimed seconds first (default 3, quick 1)")
    parser.add_argument(
        "--clients", default="8,32", help="concurrent clients, comma-separated (default 8,32)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn sync workers (default 2 x cores + 1)",
    )
    parser.add_argument(
        "--profile-requests",
        type=int,
        help="requests per scenario in the profile (default 20, quick 5)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: shorter defaults (3 s, 1 s, 5 profiled)"
    )
    parser.add_argument("--no-pdf", action="store_true", help="skip the API row with a PDF")
    parser.add_argument(
        "--no-spread", action="store_true", help="skip the API row that posts to every office"
    )
    parser.add_argument("--no-redis", action="store_true", help="skip the API run with Redis")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args(argv)
    for name, normal, quick in (
        ("seconds", 15.0, 3.0),
        ("warmup", 3.0, 1.0),
        ("profile_requests", 20, 5),
    ):
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else normal)
    try:
        args.client_counts = [int(n) for n in args.clients.split(",") if n.strip()]
    except ValueError:
        parser.error("--clients takes numbers separated by commas, e.g. 8,32")
    if not args.client_counts or not all(1 <= n <= 256 for n in args.client_counts):
        parser.error("--clients: each number between 1 and 256")
    if not 0.5 <= args.seconds <= 600 or not 0 <= args.warmup <= 60:
        parser.error("--seconds must be 0.5 to 600 and --warmup 0 to 60")
    if not 1 <= args.workers <= 64 or not 1 <= args.profile_requests <= 1000:
        parser.error("--workers must be 1 to 64 and --profile-requests 1 to 1000")
    return args


# --- Setup: schema, demo data, the form page and the floor table ----------------------------


def prepare_database(timings: dict[str, float]) -> str:
    """Migrate, load the demo, create the form page and the floor table; the form page's URL."""
    load_schema_and_demo(timings)
    with phase("form page and floor table", timings):
        url = create_form_page()
        create_floor_table()
    return url


def create_form_page() -> str:
    from wagtail.models import Page

    from edms.models import Office
    from intake.models import FeedbackFormField, FeedbackFormPage
    from portal.models import HomePage

    home = HomePage.objects.get(locale__language_code="uz")
    codes = Office.objects.filter(is_active=True).order_by("code").values_list("code", flat=True)
    if OFFICE not in codes:
        raise RuntimeError(f"the demo has no active office {OFFICE!r}")
    page = FeedbackFormPage(
        title="Murojaat yuborish",
        slug=FORM_SLUG,
        intro="<p>Murojaatingizni yozing.</p>",
        thank_you_text="<p>Rahmat! Murojaatingiz qabul qilindi.</p>",
        form_fields=[
            FeedbackFormField(
                sort_order=order,
                clean_name=name,
                label=label,
                field_type=kind,
                required=required,
                choices="\n".join(codes) if kind == "dropdown" else "",
            )
            for order, (name, label, kind, required) in enumerate(FORM_FIELDS)
        ],
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    url = Page.objects.get(pk=page.pk).specific.get_url()
    if not url:
        raise RuntimeError("the form page has no URL")
    return str(url)


def create_floor_table() -> None:
    from django.db import connection

    from bench.intake_urls import FLOOR_TABLE_SQL

    with connection.cursor() as cursor:
        cursor.execute(FLOOR_TABLE_SQL)


# --- The request bodies -----------------------------------------------------------------------


def scan_pdf(size: int, seed: int = 20240601) -> bytes:
    """A one-page PDF of about ``size`` bytes: a greyscale JPEG "scan" and a line of text.

    Its header holds a comment of fixed width (``%nonce 000…``) that ``with_nonce`` fills in,
    so that every upload has its own hash and is stored as its own file, like real uploads.
    """
    from PIL import Image

    rng = random.Random(seed)  # noqa: S311 - test data, not a secret
    side = 96
    while True:
        pixels = bytes(rng.getrandbits(6) + 96 for _ in range(side * side))
        image = Image.frombytes("L", (side, side), pixels)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=70)
        jpeg = buffer.getvalue()
        if len(jpeg) >= size - 1_200:
            break
        side += 8
    content = b"q 495 0 0 495 50 250 cm /Im0 Do Q BT /F1 14 Tf 50 780 Td (Ariza ilovasi) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /XObject << /Im0 5 0 R >> /Font << /F1 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream"
        % (side, side, len(jpeg), jpeg),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n%nonce " + b"0" * NONCE_WIDTH + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


_nonces = itertools.count(1)


def with_nonce(pdf: bytes) -> bytes:
    nonce = b"%0*d" % (NONCE_WIDTH, next(_nonces) + os.getpid() * 10**9)
    return pdf.replace(b"%nonce " + b"0" * NONCE_WIDTH, b"%nonce " + nonce[-NONCE_WIDTH:], 1)


# --- Scenarios ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    path: str
    fields: dict[str, str]
    expect_status: int
    with_pdf: bool = False
    csrf: bool = False  # GET the page first, post with the cookie and the token
    # A form shown again with errors is a 200 too: its body contains this, the landing page not.
    form_marker: bytes | None = None
    offices: tuple[str, ...] = ()  # post to these offices in turn instead of FIELDS["office"]

    def accepted(self, status: int, body: bytes) -> bool:
        return status == self.expect_status and not (self.form_marker and self.form_marker in body)

    def fields_for(self, n: int) -> dict[str, str]:
        """The fields of a client's n-th request."""
        if not self.offices:
            return self.fields
        return {**self.fields, "office": self.offices[n % len(self.offices)]}


def build_scenarios(form_url: str, with_pdf: bool, spread: bool) -> list[Scenario]:
    from edms.models import Office

    api_fields = {"service": SERVICE, **FIELDS}
    scenarios = [
        Scenario("floor", "floor: 1 INSERT", FLOOR_PATH, dict(FIELDS), 201),
        Scenario(
            "form",
            "Wagtail form page",
            form_url,
            dict(FIELDS),
            200,
            csrf=True,
            form_marker=b'name="full_name"',
        ),
        Scenario("api", "API", API_PATH, api_fields, 201),
    ]
    if with_pdf:
        scenarios.append(
            Scenario("api_pdf", "API + 50 KB PDF", API_PATH, api_fields, 201, with_pdf=True)
        )
    if spread:
        # Every office has its own applications journal (and number counter).
        offices = tuple(
            Office.objects.filter(is_active=True).order_by("code").values_list("code", flat=True)
        )
        scenarios.append(
            Scenario(
                "api_spread",
                f"API, {len(offices)} offices",
                API_PATH,
                api_fields,
                201,
                offices=offices,
            )
        )
    return scenarios


# --- Profile: one request at a time, in this process ----------------------------------------


@dataclass
class RequestCost:
    total_ms: float
    queries: int
    sql_ms: float
    after_commit_queries: int
    after_commit_ms: float
    locks_held_ms: float | None


@dataclass
class Profile:
    scenario: Scenario
    costs: list[RequestCost]
    statements: Counter[str]  # of the last request, before commit
    after_commit_statements: Counter[str]

    def median(self, pick: Callable[[RequestCost], float | None]) -> float | None:
        values = [v for v in (pick(c) for c in self.costs) if v is not None]
        return statistics.median(values) if values else None


class _Tracker:
    """Per request: SQL statements and time before and after commit, and when row locks were
    first taken (a ``FOR UPDATE``) and released (the commit, just before the on-commit work)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.after_commit = False
        self.queries = [0, 0]
        self.sql = [0.0, 0.0]
        self.statements: tuple[Counter[str], Counter[str]] = (Counter(), Counter())
        self.locked_at: float | None = None
        self.committed_at: float | None = None
        self.after_commit_s = 0.0

    def execute(self, execute: Any, text: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        if self.locked_at is None and not self.after_commit and "FOR UPDATE" in text.upper():
            self.locked_at = started
        try:
            return execute(text, params, many, context)
        finally:
            self.queries[self.after_commit] += 1
            self.sql[self.after_commit] += time.perf_counter() - started
            self.statements[self.after_commit][statement_label(text)] += 1


def statement_label(text: str) -> str:
    """``select edms_journalcounter for update``, ``insert intake_application``, ``savepoint``."""
    verb = text.split(None, 1)[0].lower() if text.strip() else "?"
    if verb in ("savepoint", "release", "rollback"):
        return "savepoint"
    match = re.search(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)', text, re.IGNORECASE)
    label = f"{verb} {match.group(1) if match else '?'}"
    return label + (" for update" if "FOR UPDATE" in text.upper() else "")


@contextmanager
def tracked() -> Iterator[_Tracker]:
    """The tracker on the default connection; the outbox's on-commit hook timed through it."""
    from django.db import connection

    import intake.outbox as outbox

    tracker = _Tracker()
    original: Callable[[list[int]], None] = outbox._enqueue

    def timed_enqueue(ids: list[int]) -> None:
        tracker.committed_at = time.perf_counter()
        tracker.after_commit = True
        try:
            original(ids)
        finally:
            tracker.after_commit_s += time.perf_counter() - tracker.committed_at

    outbox._enqueue = timed_enqueue  # for this process only; gunicorn runs the product as is
    try:
        with connection.execute_wrapper(tracker.execute):
            yield tracker
    finally:
        outbox._enqueue = original


def profile(scenario: Scenario, requests: int, pdf: bytes) -> Profile:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    extra: dict[str, str] = {}
    if scenario.csrf:
        page = client.get(scenario.path)
        token = csrf_token_in(page.content)
        if page.status_code != 200 or not token:
            raise RuntimeError(f"{scenario.label}: GET {scenario.path} gave {page.status_code}")
        extra["csrfmiddlewaretoken"] = token
    costs = []
    with tracked() as tracker:
        for n in range(requests + 3):
            data: dict[str, Any] = {**scenario.fields_for(n), **extra}
            if scenario.with_pdf:
                data["attachment"] = SimpleUploadedFile(
                    "ariza.pdf", with_nonce(pdf), content_type="application/pdf"
                )
            tracker.reset()
            started = time.perf_counter()
            response = client.post(scenario.path, data)
            total = time.perf_counter() - started
            if not scenario.accepted(response.status_code, response.content):
                raise RuntimeError(
                    f"{scenario.label}: POST {scenario.path} gave {response.status_code}:"
                    f" {response.content[:600]!r}"
                )
            if n < 3:
                continue  # warm-up
            held = None
            if tracker.locked_at is not None and tracker.committed_at is not None:
                held = (tracker.committed_at - tracker.locked_at) * 1000
            costs.append(
                RequestCost(
                    total_ms=total * 1000,
                    queries=tracker.queries[0],
                    sql_ms=tracker.sql[0] * 1000,
                    after_commit_queries=tracker.queries[1],
                    after_commit_ms=tracker.after_commit_s * 1000,
                    locks_held_ms=held,
                )
            )
    return Profile(scenario, costs, *tracker.statements)


def csrf_token_in(html: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1).decode() if match else ""


def print_profiles(profiles: list[Profile]) -> None:
    header = (
        f"{'scenario':<20} {'n':>3} {'median ms':>9} {'queries':>8} {'SQL ms':>7}"
        f" {'after commit':>18} {'locks held ms':>13}"
    )
    say(header)
    say("-" * len(header))
    for p in profiles:
        after_q = int(p.median(lambda c: c.after_commit_queries) or 0)
        after_ms = p.median(lambda c: c.after_commit_ms) or 0.0
        held = p.median(lambda c: c.locks_held_ms)
        after = f"{after_q} q, {after_ms:6.1f} ms" if after_q or after_ms else "-"
        say(
            f"{p.scenario.label:<20} {len(p.costs):>3} {p.median(lambda c: c.total_ms):>9.1f}"
            f" {int(p.median(lambda c: c.queries) or 0):>8} {p.median(lambda c: c.sql_ms):>7.1f}"
            f" {after:>18} {'-' if held is None else f'{held:.1f}':>13}"
        )
    say(
        "median ms: the whole request in the test client (after-commit work included);"
        "\nqueries, SQL ms: statements before the response, after-commit ones not included;"
        "\nafter commit: the eager Celery tasks (notification, search index) run in the request;"
        "\nlocks held: from the first SELECT … FOR UPDATE to the commit (other requests wait)."
    )
    say("\nStatements of one request, by kind and table (before commit | after commit):")
    for p in profiles:
        say(
            f"  {p.scenario.label}: " + ", ".join(f"{k} {n}" for k, n in p.statements.most_common())
        )
        if p.after_commit_statements:
            say(
                f"  {'':<{len(p.scenario.label)}}  | "
                + ", ".join(f"{k} {n}" for k, n in p.after_commit_statements.most_common())
            )


# --- CPU time -----------------------------------------------------------------------------------


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return float(sum(values) - idle), float(sum(values))


# --- The load generator ------------------------------------------------------------------------


@dataclass
class Sample:
    started: float
    ended: float
    status: int  # 0: no HTTP answer (connection error or timeout)
    accepted: bool


@dataclass
class Window:
    """The timed window, fixed once every client is ready (the warm-up runs before it)."""

    warmup: float
    seconds: float
    start: float = 0.0
    end: float = 0.0

    def open(self) -> None:
        self.start = time.perf_counter() + self.warmup
        self.end = self.start + self.seconds


class LoadClient(threading.Thread):
    """One concurrent client: posts back to back until the window closes."""

    def __init__(
        self, scenario: Scenario, port: int, pdf: bytes, ready: threading.Barrier, window: Window
    ) -> None:
        super().__init__(daemon=True)
        self.scenario = scenario
        self.port = port
        self.pdf = pdf
        self.ready = ready
        self.window = window
        self.samples: list[Sample] = []
        self.failure: str | None = None
        self.headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        self.extra: dict[str, str] = {}  # the CSRF token
        self.sent = random.randrange(1_000)  # noqa: S311 - where in the office list to start

    def prepare(self) -> None:
        """A form page client is a browser session: GET the page for the CSRF cookie first."""
        if not self.scenario.csrf:
            return
        status, html, cookies = http_request(self.port, "GET", self.scenario.path)
        token = csrf_token_in(html)
        if status != 200 or not token or "csrftoken" not in cookies:
            raise RuntimeError(f"GET {self.scenario.path}: {status}, no CSRF cookie or token")
        self.extra["csrfmiddlewaretoken"] = token
        self.headers["Cookie"] = f"csrftoken={cookies['csrftoken'].value}"

    def body(self) -> bytes:
        files = (
            {"attachment": ("ariza.pdf", with_nonce(self.pdf))} if self.scenario.with_pdf else {}
        )
        self.sent += 1
        return multipart({**self.scenario.fields_for(self.sent), **self.extra}, files)

    def run(self) -> None:
        try:
            self.prepare()
        except Exception as error:
            self.failure = f"{type(error).__name__}: {error}"
        try:
            self.ready.wait(timeout=120)
        except threading.BrokenBarrierError:
            return
        if self.failure:
            return
        varies = self.scenario.with_pdf or bool(self.scenario.offices)
        body = None if varies else self.body()
        while (started := time.perf_counter()) < self.window.end:
            try:
                status, data, _cookies = http_request(
                    self.port, "POST", self.scenario.path, body or self.body(), self.headers
                )
            except OSError:
                status, data = 0, b""
            ended = time.perf_counter()
            self.samples.append(
                Sample(started, ended, status, self.scenario.accepted(status, data))
            )


@dataclass
class LoadResult:
    server: str
    scenario: Scenario
    clients: int
    seconds: float
    samples: list[Sample]  # those that ended inside the timed window
    all_accepted: int  # warm-up included: for the row-count check
    cpu: dict[str, float]  # cores used on average: gunicorn, postgres, client, other
    other_cpu: Counter[str]  # "other" by process name
    machine_busy: float  # share of all CPUs
    pg_active: float  # backends of the database running a statement, on average
    pg_lock_waits: float  # … of which waiting for a lock
    lock_kinds: Counter[str] = field(default_factory=Counter)

    @property
    def accepted(self) -> list[Sample]:
        return [s for s in self.samples if s.accepted]

    @property
    def rate(self) -> float:
        return len(self.accepted) / self.seconds

    def latency_ms(self, quantile: float) -> float:
        times = sorted((s.ended - s.started) * 1000 for s in self.accepted)
        if not times:
            return float("nan")
        return times[max(0, min(len(times) - 1, round(quantile * len(times) + 0.5) - 1))]

    @property
    def cpu_ms_per_request(self) -> float:
        """gunicorn's and PostgreSQL's CPU time per accepted request."""
        cores = self.cpu.get("gunicorn", 0.0) + self.cpu.get("postgres", 0.0)
        return cores * self.seconds * 1000 / len(self.accepted) if self.accepted else float("nan")

    @property
    def errors(self) -> Counter[int]:
        return Counter(s.status for s in self.samples if not s.accepted)


class Sampler(threading.Thread):
    """What the machine does inside the timed window: CPU time by process (gunicorn's master
    and workers, every ``postgres`` process, this load generator, everything else) from
    ``/proc``, and every SAMPLE_EVERY_S what the database's backends are doing
    (``pg_stat_activity``: running a statement, waiting for a lock)."""

    def __init__(self, dbname: str, master: int, start: float, until: float) -> None:
        super().__init__(daemon=True)
        self.dbname, self.master, self.start_at, self.until = dbname, master, start, until
        self.cpu: dict[str, float] = {}
        self.others: Counter[str] = Counter()
        self.machine_busy = 0.0
        self.active: list[int] = []
        self.waiting: list[int] = []
        self.lock_kinds: Counter[str] = Counter()

    def run(self) -> None:
        with admin_connection(self.dbname) as conn:
            time.sleep(max(0.0, self.start_at - time.perf_counter()))
            before = process_snapshot()
            # Processes that end inside the window (a backend whose worker reconnects after
            # CONN_MAX_AGE) keep the CPU time they had when last seen.
            seen = dict(before)
            busy0, total0 = machine_cpu()
            wall0 = time.perf_counter()
            while time.perf_counter() < self.until:
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity"
                    " WHERE datname = %s AND backend_type = 'client backend'"
                    " AND pid <> pg_backend_pid()",
                    [self.dbname],
                ).fetchall()
                active = [r for r in rows if r[0] == "active"]
                waits = [r for r in active if r[1] == "Lock"]
                self.active.append(len(active))
                self.waiting.append(len(waits))
                # What the waiting statement is: whose lock it queues for.
                self.lock_kinds.update(statement_label(str(r[3])) for r in waits)
                seen.update(process_snapshot())
                time.sleep(SAMPLE_EVERY_S)
            after = process_snapshot()
            seen.update(after)
            busy1, total1 = machine_cpu()
            wall = time.perf_counter() - wall0
        used: Counter[str] = Counter()
        for pid, (name, parent, cpu) in seen.items():
            earlier = before.get(pid)
            # A process started inside the window used all of its CPU time there.
            spent = cpu - earlier[2] if earlier and earlier[0] == name else cpu
            if pid == self.master or parent == self.master:
                used["gunicorn"] += spent
            elif name == "postgres":
                used["postgres"] += spent
            elif pid == os.getpid():
                used["client"] += spent
            else:
                used["other"] += spent
                self.others[name] += spent
        self.cpu = {kind: seconds / wall for kind, seconds in used.items()}
        self.others = Counter({name: seconds / wall for name, seconds in self.others.items()})
        self.machine_busy = (busy1 - busy0) / max(1.0, total1 - total0)
        # The rest of the busy time: other processes, also short-lived ones that ended inside
        # the window (a snapshot misses them), and the kernel's own work.
        busy_cores = self.machine_busy * (os.cpu_count() or 1)
        mine = sum(self.cpu.get(kind, 0.0) for kind in ("gunicorn", "postgres", "client"))
        self.cpu["rest"] = max(0.0, busy_cores - mine)


def process_snapshot() -> dict[int, tuple[str, int, float]]:
    """Every process: pid → (name, parent pid, user + system CPU seconds), from /proc."""
    snapshot = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        snapshot[int(entry.name)] = (name, int(fields[1]), cpu)
    return snapshot


def run_load(
    server: Server,
    scenario: Scenario,
    clients: int,
    args: argparse.Namespace,
    dbname: str,
    pdf: bytes,
) -> LoadResult:
    window = Window(args.warmup, args.seconds)
    # Every client has its session first; then all start together, and the window opens.
    ready = threading.Barrier(clients + 1, action=window.open)
    threads = [LoadClient(scenario, server.port, pdf, ready, window) for _ in range(clients)]
    for thread in threads:
        thread.start()
    try:
        ready.wait(timeout=120)
    except threading.BrokenBarrierError as error:
        raise RuntimeError(f"{scenario.label}: the clients did not get ready") from error
    sampler = Sampler(dbname, server.process.pid, window.start, window.end)
    sampler.start()
    for thread in threads:
        thread.join(timeout=args.warmup + args.seconds + REQUEST_TIMEOUT_S + 30)
    sampler.join(timeout=30)
    failures = [t.failure for t in threads if t.failure]
    if failures:
        raise RuntimeError(f"{scenario.label}: a client could not start: {failures[0]}")
    samples = [s for t in threads for s in t.samples]
    return LoadResult(
        server=server.name,
        scenario=scenario,
        clients=clients,
        seconds=args.seconds,
        samples=[s for s in samples if window.start <= s.ended <= window.end],
        all_accepted=sum(1 for s in samples if s.accepted),
        cpu=sampler.cpu,
        other_cpu=sampler.others,
        machine_busy=sampler.machine_busy,
        pg_active=statistics.fmean(sampler.active) if sampler.active else float("nan"),
        pg_lock_waits=statistics.fmean(sampler.waiting) if sampler.waiting else float("nan"),
        lock_kinds=sampler.lock_kinds,
    )


def describe(result: LoadResult) -> str:
    errors = result.errors
    text = ", ".join(f"{'no answer' if s == 0 else s}×{n}" for s, n in sorted(errors.items()))
    return text or "0"


def print_results(results: list[LoadResult]) -> None:
    header = (
        f"{'scenario':<24} {'clients':>7} {'accepted':>8} {'per s':>7} {'median ms':>9}"
        f" {'p95 ms':>8} {'errors':>6} {'CPU ms':>6}  {'cores: gunicorn':>15} {'pg':>4}"
        f" {'client':>6} {'rest':>4} {'busy':>4}  {'PG active':>9} {'lock wait':>9}"
    )
    say(header)
    say("-" * len(header))
    for r in results:
        label = r.scenario.label + (" [Redis]" if r.server == "redis" else "")
        say(
            f"{label:<24} {r.clients:>7} {len(r.accepted):>8} {r.rate:>7.1f}"
            f" {r.latency_ms(0.5):>9.1f} {r.latency_ms(0.95):>8.1f} {describe(r):>6}"
            f" {r.cpu_ms_per_request:>6.1f}  {r.cpu.get('gunicorn', 0):>15.2f}"
            f" {r.cpu.get('postgres', 0):>4.2f} {r.cpu.get('client', 0):>6.2f}"
            f" {r.cpu.get('rest', 0):>4.2f} {r.machine_busy * 100:>3.0f}%"
            f"  {r.pg_active:>9.1f} {r.pg_lock_waits:>9.1f}"
        )
    say(
        "accepted, per s: requests accepted inside the timed window (API and floor: 201; form"
        " page: 200\n  with the landing page); median and p95: their latency, from connect to the"
        " last byte;\nerrors: other answers by status (none expected);\nCPU ms: CPU time of"
        " gunicorn and PostgreSQL per accepted request;\ncores: CPU used on average by gunicorn"
        " (master and workers), all postgres processes, the load\n  generator (this process)"
        " and the rest of the machine (other work, the kernel); busy: all\n  CPUs of the"
        " machine; PG active: the database's backends running a statement, on average;\n"
        "  lock wait: of those, waiting for a lock held by another transaction."
    )
    others = Counter[str]()
    for r in results:
        others.update({name: cores / len(results) for name, cores in r.other_cpu.items()})
    busy = [(name, cores) for name, cores in others.most_common(4) if cores >= 0.01]
    if busy:
        say(
            "other processes, cores on average over the rows: "
            + ", ".join(f"{n} {c:.2f}" for n, c in busy)
        )
    kinds = Counter[str]()
    for r in results:
        kinds.update(r.lock_kinds)
    if kinds:
        say(
            f"lock waits ({kinds.total()} samples of a waiting backend), by the statement"
            " waiting: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common())
        )


# --- Checks and Redis ---------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    from django.db import connection
    from wagtail.contrib.forms.models import FormSubmission

    from bench.intake_urls import FLOOR_TABLE
    from intake.models import Application

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {FLOOR_TABLE}")  # noqa: S608 - a constant
        (floor,) = cursor.fetchone()
    return {
        "floor": floor,
        "form": FormSubmission.objects.count(),
        "api": Application.objects.filter(channel=Application.Channel.API).count(),
    }


def outbox_summary() -> str:
    from django.db.models import Count

    from intake.models import OutboxMessage

    rows = OutboxMessage.objects.values("status").annotate(n=Count("pk")).order_by("status")
    return ", ".join(f"{row['status']} {row['n']:,}" for row in rows) or "none"


def redis_client() -> Any | None:
    """A client for database 13 if Redis answers and that database is empty, else None."""
    try:
        import redis
    except ImportError:
        return None
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        if client.dbsize() != 0:
            say(f"  Redis database 13 is not empty: the Redis run is skipped ({REDIS_URL}).")
            return None
    except redis.RedisError as error:
        say(f"  Redis does not answer ({error}): the Redis run is skipped.")
        return None
    return client


# --- Main ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, terminate)
    dbname = f"bench_intake_{os.getpid()}"
    work_dir = Path(tempfile.mkdtemp(prefix="bench_intake_"))
    media_root = work_dir / "media"
    media_root.mkdir()
    created = django_ready = False
    servers: list[Server] = []
    redis: Any | None = None
    timings: dict[str, float] = {}
    try:
        create_database(dbname)
        created = True
        say(f"Database {dbname} on {PG_HOST}:{PG_PORT}; code: {code_version()}")
        intake_environment(dbname, str(media_root))
        setup_django(STATEMENT_TIMEOUT_MS)
        django_ready = True
        form_url = prepare_database(timings)
        pdf = scan_pdf(PDF_BYTES)
        scenarios = build_scenarios(form_url, with_pdf=not args.no_pdf, spread=not args.no_spread)
        say(f"Form page {form_url}")
        say(f"PDF for the upload row: {len(pdf):,} bytes (a JPEG scan and one line of text)")

        say(f"\nProfile: 3 warm-up + {args.profile_requests} requests per scenario, one at a time")
        profiles = [profile(s, args.profile_requests, pdf) for s in scenarios]
        print_profiles(profiles)

        from django.db import connections

        counts_before = row_counts()
        connections.close_all()
        results: list[LoadResult] = []
        load_before = os.getloadavg()
        say(
            f"\nLoad: gunicorn, {args.workers} sync workers; {args.warmup:g} s warm-up +"
            f" {args.seconds:g} s per scenario; clients {args.clients}"
        )
        server = start_server("eager", args.workers, work_dir, {})
        servers.append(server)
        for clients in args.client_counts:
            for scenario in scenarios:
                result = run_load(server, scenario, clients, args, dbname, pdf)
                results.append(result)
                say(
                    f"  {scenario.label:<20} {clients:>3} clients: {result.rate:7.1f}/s,"
                    f" median {result.latency_ms(0.5):7.1f} ms, p95 {result.latency_ms(0.95):7.1f}"
                    f" ms, errors {describe(result)}"
                )
        stop_server(server)
        redis = None if args.no_redis else redis_client()
        if redis is not None:
            say(f"  … again with REDIS_URL={REDIS_URL} (tasks queued, no worker)")
            server = start_server("redis", args.workers, work_dir, {"REDIS_URL": REDIS_URL})
            servers.append(server)
            api = next(s for s in scenarios if s.key == "api")
            for clients in args.client_counts:
                result = run_load(server, api, clients, args, dbname, pdf)
                results.append(result)
                say(
                    f"  {'API [Redis]':<20} {clients:>3} clients: {result.rate:7.1f}/s,"
                    f" median {result.latency_ms(0.5):7.1f} ms, p95 {result.latency_ms(0.95):7.1f}"
                    f" ms, errors {describe(result)}"
                )
            stop_server(server)
        load_after = os.getloadavg()

        say("\nResults (gunicorn + PostgreSQL on 127.0.0.1, production settings, DEBUG off)")
        say("=" * 60)
        say(
            f"Machine: {os.cpu_count()} CPUs, load generator on the same machine; load average"
            f" (1 min) {load_before[0]:.2f} before and {load_after[0]:.2f} after the load"
        )
        say("Setup: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items()))
        print_results(results)

        counts_after = row_counts()
        say("\nRows written during the load (warm-up included) against accepted answers:")
        ok = True
        for key, name in (
            ("floor", "bench_floor rows"),
            ("form", "form submissions"),
            ("api", "applications"),
        ):
            written = counts_after[key] - counts_before[key]
            answered = sum(r.all_accepted for r in results if r.scenario.key.startswith(key))
            ok &= written == answered
            say(f"  {name:<17} {written:>7,} written, {answered:>7,} accepted")
        say(f"  {'check':<17} {'OK' if ok else 'MISMATCH'}")
        say(f"  outbox messages: {outbox_summary()}")
    finally:
        for server in servers:
            stop_server(server)
        if redis is not None:
            redis.flushdb()
            say("Flushed Redis database 13.")
        if django_ready:
            from django.db import connections

            connections.close_all()
        if created and not args.keep:
            drop_database(dbname)
            shutil.rmtree(work_dir, ignore_errors=True)
            say(f"\nDropped database {dbname}.")
        elif created:
            say(
                f"\nKept database {dbname} and {work_dir} (media, gunicorn logs); drop with"
                f' psql -h {PG_HOST} -U {PG_USER} -c "DROP DATABASE {dbname}"'
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Production smoke test: the product as deploy/ installs it, on this machine, end to end.

Run from the project folder, as root in CI (nginx's workers then run as root to read the
temporary folders)::

    .venv/bin/python deploy/smoke.py              # about two minutes
    .venv/bin/python deploy/smoke.py --no-nginx   # gunicorn's socket only, with nginx's headers
    .venv/bin/python deploy/smoke.py --keep       # keep the database and the folder (logs)

Unit tests check each piece with Django's test client; only this runs the pieces together the
way an office's server does, so that a setting, a unit's command line or the nginx site that
breaks the installation fails CI instead of the first day in production:

1. Its own PostgreSQL database on 127.0.0.1:5432 and its own ``redis-server`` on a free port
   (never the machine's Redis), a temporary folder for VAR_DIR, MEDIA_ROOT, STATIC_ROOT, the
   socket and the logs, and the environment of deploy/env.example with ``config.settings.
   production`` (a random SECRET_KEY; SECURE_SSL_REDIRECT stays on).
2. What deploy/README.md tells operators to run: ``manage.py check --deploy``, ``migrate``,
   ``createcachetable``, ``collectstatic`` and (a demo installation) ``load_demo``.
3. gunicorn, the Celery worker and beat started with the ExecStart= command lines of
   deploy/systemd/ (paths moved to the temporary folder, fewer gunicorn workers), and nginx
   with deploy/nginx/khokimiyat.conf on free loopback ports and a self-signed certificate. Each
   runs in a session of its own and is stopped by its process group.
4. Over HTTPS through nginx: ``/`` and ``/uz/``, the stylesheet from STATIC_ROOT with its long
   cache, HTTP sent to HTTPS; an application posted to ``POST /api/v1/applications/``
   (``citizen-appeal`` at ``jizzakh-city`` with a PDF) answered 201 with a tracking code; its
   tracking page; the worker sending its "registered" notification (the outbox row done); the
   registrar finding it in the workspace search; its PDF downloaded after the access check
   (X-Accel-Redirect, nginx sends the bytes) and refused to another office and straight from
   /media/ or /protected-media/.

Each check prints PASS or FAIL; the exit status is 1 when any failed. Only local addresses are
used; the database and the folder are removed at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import io
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import ssl
import string
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402 - the project folder is on the path only now
    API_PATH,
    BOUNDARY,
    FIELDS,
    PG_HOST,
    PG_PORT,
    PG_USER,
    SERVICE,
    admin_connection,
    code_version,
    create_database,
    drop_database,
    free_port,
    log_tail,
    multipart,
    phase,
    redis_server_command,
    say,
    terminate,
)

PYTHON = ROOT / ".venv" / "bin" / "python"
MANAGE = [str(PYTHON), "manage.py"]
SETTINGS = "config.settings.production"
ACCEL_PREFIX = "/protected-media"
REGISTRAR = "jizzakh-city.registrar"
OUTSIDER = "namangan-city.registrar"
DEMO_PASSWORD = "demo12345"  # noqa: S105 - the demo accounts' published password (README)
TRACKING_CODE = re.compile(r"^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$")
WAIT_S = 60.0  # for the worker's notification and the search index
START_S = 60.0  # for each service to answer
HTTP_TIMEOUT_S = 30.0

# Paths of deploy/ (units, nginx site) and where this run puts them, filled in by ``main``.
INSTALLED_APP = "/srv/khokimiyat"
INSTALLED_RUN = "/run/khokimiyat"
INSTALLED_VAR = "/var/lib/khokimiyat"
INSTALLED_TLS = "/etc/ssl/khokimiyat"


# --- Results ------------------------------------------------------------------------------------


@dataclass
class Checks:
    """PASS/FAIL lines as they happen, and whether every one passed."""

    failed: list[str] = field(default_factory=list)
    passed: int = 0

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        if ok:
            self.passed += 1
            say(f"PASS {name}" + (f" ({detail})" if detail else ""))
        else:
            self.failed.append(name)
            say(f"FAIL {name}" + (f": {detail}" if detail else ""))
        return ok


class SmokeError(Exception):
    """A step the rest depends on failed: the run stops there (and cleans up)."""


def wait_for(what: str, probe: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
    """``probe()`` until it returns something true, at most ``timeout`` seconds; its last
    exception is part of the error."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            result = probe()
        except (OSError, http.client.HTTPException) as error:
            last, result = error, None
        if result:
            return result
        time.sleep(every)
    raise SmokeError(f"{what}: nothing within {timeout:.0f} s" + (f" ({last})" if last else ""))


# --- Processes ----------------------------------------------------------------------------------


@dataclass
class Service:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 25) -> str:
        return log_tail(self.log_path, lines)


@dataclass
class Run:
    """Everything this run made, so that ``finally`` can take it down again."""

    work: Path
    env: dict[str, str]
    services: list[Service] = field(default_factory=list)

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    def start(self, name: str, command: list[str]) -> Service:
        """``command`` in a session of its own (its process group is stopped as one), its
        output in logs/<name>.log."""
        log_path = self.logs / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - our own programs, fixed arguments
                command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        service = Service(name, process, log_path)
        self.services.append(service)
        return service

    def manage(self, *arguments: str) -> str:
        """``manage.py`` as an operator runs it (deploy/manage): its output, or SmokeError."""
        started = time.perf_counter()
        done = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
            [*MANAGE, *arguments],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise SmokeError(
                f"manage.py {' '.join(arguments)} exited with {done.returncode}:\n"
                + (done.stdout + done.stderr)[-3000:]
            )
        say(f"  manage.py {arguments[0]}: {time.perf_counter() - started:.1f} s")
        return done.stdout

    def finish(self, service: Service, timeout: float = 300) -> str:
        """Waits for a command started with ``start``: its output, or SmokeError."""
        try:
            status = service.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            raise SmokeError(f"{service.name} still runs after {timeout:.0f} s") from error
        self.services.remove(service)
        if status != 0:
            raise SmokeError(f"{service.name} exited with {status}:\n{service.log_tail()}")
        return service.log_path.read_text(errors="replace")

    def stop_all(self) -> None:
        """SIGTERM to each process group (by its id), SIGKILL to what is left after 20 s."""
        for service in reversed(self.services):
            if service.alive():
                with suppress(ProcessLookupError):  # already gone
                    os.killpg(service.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for service in reversed(self.services):
            try:
                service.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                say(f"  {service.name} did not stop within 20 s: killed")
            with suppress(ProcessLookupError):  # already gone
                os.killpg(service.process.pid, signal.SIGKILL)  # workers it may have left
            if service.process.poll() is None:
                service.process.wait(timeout=10)


def unit_command(unit: str, paths: dict[str, str], **options: str) -> list[str]:
    """The ExecStart= command line of deploy/systemd/<unit>, with the installation's paths
    replaced by this run's and ``--<option> <value>`` changed where given."""
    text = (DEPLOY / "systemd" / unit).read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    command = next(
        line.removeprefix("ExecStart=") for line in lines if line.startswith("ExecStart=")
    )
    for installed, here in paths.items():
        command = command.replace(installed, here)
    arguments = shlex.split(command.replace("%H", socket.gethostname()))
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if flag not in arguments:
            raise SmokeError(f"{unit} has no {flag} any more; update deploy/smoke.py")
        arguments[arguments.index(flag) + 1] = value
    return arguments


def unit_environment(unit: str) -> dict[str, str]:
    """The Environment= lines of deploy/systemd/<unit>."""
    found: dict[str, str] = {}
    for line in (DEPLOY / "systemd" / unit).read_text().splitlines():
        if line.startswith("Environment="):
            name, _, value = line.removeprefix("Environment=").partition("=")
            found[name] = value
    return found


# --- Redis and nginx ----------------------------------------------------------------------------


def start_redis(run: Run) -> int:
    """This run's own redis-server on a free loopback port, nothing saved to disk."""
    port = free_port()
    folder = run.work / "redis"
    folder.mkdir()
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        raise SmokeError("redis-server is missing (Debian package redis-server)")
    run.start("redis", redis_server_command(port, folder))

    def ping() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")

    wait_for("redis-server", ping, START_S, every=0.1)
    return port


@dataclass
class Nginx:
    https_port: int
    http_port: int


def nginx_site(nginx: Nginx, tls_dir: Path, work: Path) -> str:
    """deploy/nginx/khokimiyat.conf on this run's ports, certificate and folders; every line
    it changes must be there (a renamed path fails here, not silently)."""
    site = (DEPLOY / "nginx" / "khokimiyat.conf").read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{nginx.http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{nginx.https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        f"{INSTALLED_TLS}/": f"{tls_dir}/",
        f"{INSTALLED_APP}/staticfiles/": f"{work / 'static'}/",
        f"{INSTALLED_RUN}/": f"{work / 'run'}/",
        f"{INSTALLED_VAR}/media/": f"{work / 'var' / 'media'}/",
    }
    for old, new in replacements.items():
        if old not in site:
            raise SmokeError(f"deploy/nginx/khokimiyat.conf no longer has {old!r}")
        site = site.replace(old, new)
    return site


def start_nginx(run: Run, https_port: int) -> Nginx:
    """Debian's nginx with the site, under a throwaway nginx.conf, in the foreground."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise SmokeError("nginx is missing: run deploy/check-nginx (installs it) or --no-nginx")
    folder = run.work / "nginx"
    folder.mkdir()
    subprocess.run(  # noqa: S603 - a throwaway self-signed certificate
        [
            "/usr/bin/openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(folder / "privkey.pem"),
            "-out",
            str(folder / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    nginx = Nginx(https_port=https_port, http_port=free_port())
    (folder / "site.conf").write_text(nginx_site(nginx, folder, run.work))
    # As root the workers would be "nobody" and could not read this run's 0700 folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        f"{user}pid {folder / 'nginx.pid'};\nerror_log {run.logs / 'nginx-error.log'};\n"
        "events {}\nhttp {\n    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n    sendfile on;\n"
        f"    access_log {run.logs / 'nginx-access.log'};\n{temp}\n"
        f"    include {folder / 'site.conf'};\n}}\n"
    )
    run.start(
        "nginx",
        [
            binary,
            "-p",
            str(folder),
            "-e",
            str(run.logs / "nginx-error.log"),
            "-c",
            str(folder / "nginx.conf"),
            "-g",
            "daemon off;",
        ],
    )

    def answers() -> bool:
        with socket.create_connection(("127.0.0.1", nginx.https_port), timeout=1):
            return True

    wait_for("nginx", answers, START_S, every=0.1)
    return nginx


# --- HTTP ---------------------------------------------------------------------------------------


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over gunicorn's unix socket, as nginx's upstream reaches it."""

    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(str(self.socket_path))
        self.sock = sock


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Browser:
    """A visitor with a cookie jar: over HTTPS through nginx, or (no nginx) on gunicorn's socket
    with the headers nginx adds (X-Forwarded-Proto, X-Real-IP)."""

    def __init__(self, *, nginx: Nginx | None, socket_path: Path) -> None:
        self.nginx = nginx
        self.socket_path = socket_path
        self.cookies: dict[str, str] = {}
        self.host = f"127.0.0.1:{nginx.https_port}" if nginx else "127.0.0.1"
        self.origin = f"https://{self.host}"
        self.tls = ssl.create_default_context()
        self.tls.check_hostname = False
        self.tls.verify_mode = ssl.CERT_NONE  # this run's self-signed certificate

    def connection(self) -> http.client.HTTPConnection:
        if self.nginx is not None:
            return http.client.HTTPSConnection(
                "127.0.0.1", self.nginx.https_port, timeout=HTTP_TIMEOUT_S, context=self.tls
            )
        return UnixHTTPConnection(self.socket_path, HTTP_TIMEOUT_S)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = {"Host": self.host, "User-Agent": "khokimiyat-smoke"}
        if self.nginx is None:
            sent |= {"X-Forwarded-Proto": "https", "X-Real-IP": "127.0.0.1"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent |= headers or {}
        conn = self.connection()
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for line in response.msg.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Answer(response.status, response.msg, data)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def sign_in(self, username: str) -> Answer:
        """The staff login form, with its CSRF token, as a browser posts it."""
        self.cookies.clear()
        form = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        if form.status != 200 or token is None:
            raise SmokeError(f"the login page answered {form.status} without a CSRF token")
        body = urlencode(
            {"csrfmiddlewaretoken": token[1], "username": username, "password": DEMO_PASSWORD}
        ).encode()
        return self.request(
            "POST",
            "/accounts/login/",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}/accounts/login/",
            },
        )


def one_page_pdf(text: str) -> bytes:
    """A small valid PDF (the intake reads every PDF it accepts), unique to this run."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Subject": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- The run ------------------------------------------------------------------------------------


def environment(work: Path, dbname: str, redis_port: int, origin: str) -> dict[str, str]:
    """What /etc/khokimiyat/env holds in production (deploy/env.example), for this run. Like
    systemd, nothing else of this shell's environment is passed on but PATH."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(work),
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": origin,
        "CSRF_TRUSTED_ORIGINS": origin,  # the test's port; on 443 the site's own origin needs none
        "DATABASE_URL": f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "VAR_DIR": str(work / "var"),
        "MEDIA_ROOT": str(work / "var" / "media"),
        "STATIC_ROOT": str(work / "static"),
        "FILES_ACCEL_REDIRECT_PREFIX": ACCEL_PREFIX,
        "RATELIMIT_IP_META_KEY": "HTTP_X_REAL_IP",
        "NOTIFICATION_GATEWAYS": "console",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "ELASTICSEARCH_URL": "",  # PostgreSQL's full-text search, whatever a .env file says
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--no-nginx",
        action="store_true",
        help="talk to gunicorn's socket with the headers nginx adds, without nginx",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and the folder (logs) afterwards"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, terminate)
    started = time.perf_counter()
    checks = Checks()
    timings: dict[str, float] = {}
    dbname = f"smoke_khokimiyat_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="khokimiyat_smoke_"))
    for folder in ("logs", "run", "var/media", "static"):
        (work / folder).mkdir(parents=True)
    run = Run(work=work, env={})
    created = django_ready = False
    try:
        create_database(dbname)
        created = True
        # A throwaway database need not wait for the disk at each commit (1-2 ms here, over the
        # demo's thousands of small transactions). Nothing else differs from production.
        with admin_connection() as conn:
            conn.execute(
                sql.SQL("ALTER DATABASE {} SET synchronous_commit TO off").format(
                    sql.Identifier(dbname)
                )
            )
        say(f"Database {dbname}; folder {work}; code: {code_version()}")
        with phase("redis-server", timings):
            redis_port = start_redis(run)
        # The HTTPS port is chosen before the environment, which names the site's origin.
        https_port = None if args.no_nginx else free_port()
        origin = f"https://127.0.0.1:{https_port}" if https_port else "https://127.0.0.1"
        run.env = environment(work, dbname, redis_port, origin)
        os.environ.update(run.env)  # for Django in this process (the checks read the database)

        paths = {
            INSTALLED_APP: str(ROOT),
            INSTALLED_RUN: str(work / "run"),
            INSTALLED_VAR: str(work / "var"),
        }
        socket_path = work / "run" / "gunicorn.sock"
        nginx: Nginx | None = None
        # What does not need the schema runs beside migrate, and the services start while the
        # demo loads (as they would after an upgrade's migrate): two cores do the work of one.
        with phase("setup and start (migrate, load_demo, collectstatic, services)", timings):
            beside = [
                run.start("check", [*MANAGE, "check", "--deploy", "--fail-level", "WARNING"]),
                run.start("collectstatic", [*MANAGE, "collectstatic", "--noinput", "-v0"]),
                run.start("createcachetable", [*MANAGE, "createcachetable"]),
            ]
            run.manage("migrate", "--noinput", "-v0")
            for unit, name, options in (
                ("khokimiyat-web.service", "gunicorn", {"workers": "2"}),
                ("khokimiyat-worker.service", "worker", {}),
                ("khokimiyat-beat.service", "beat", {}),
            ):
                run.env |= unit_environment(unit)
                run.start(name, unit_command(unit, paths, **options))
            if https_port is not None:
                nginx = start_nginx(run, https_port)
            run.manage("load_demo", "-v0")
            for command in beside:
                output = run.finish(command)
                if command.name == "check":
                    checks.check(
                        "manage.py check --deploy (production settings)",
                        True,
                        output.strip().splitlines()[-1],
                    )
            browser = Browser(nginx=nginx, socket_path=socket_path)
            wait_for(
                "gunicorn",
                lambda: socket_path.exists() and browser.get("/uz/").status == 200,
                START_S,
            )

        import django

        django.setup()
        django_ready = True
        with phase("checks", timings):
            run_checks(run, browser, nginx, checks)
    except SmokeError as error:
        checks.check("smoke run", False, str(error))
    except Exception as error:  # a bug here or in the product: its traceback, then clean up
        traceback.print_exc()
        checks.check("smoke run", False, f"{type(error).__name__}: {error}")
    finally:
        for service in run.services:
            tail = service.log_tail()
            if checks.failed and tail:
                say(f"--- end of {service.name}'s log ---\n{tail}")
        run.stop_all()
        if django_ready:
            from django.db import connections

            connections.close_all()
        if created and not args.keep:
            drop_database(dbname)
            shutil.rmtree(work, ignore_errors=True)
        elif created:
            say(f"Kept database {dbname} and {work}")
    total = time.perf_counter() - started
    say(
        "Timings: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
        + f"; total {total:.1f} s"
    )
    if checks.failed:
        say(f"SMOKE FAIL: {len(checks.failed)} of {checks.passed + len(checks.failed)} failed")
        return 1
    say(f"SMOKE PASS: {checks.passed} checks")
    return 0


def run_checks(run: Run, browser: Browser, nginx: Nginx | None, checks: Checks) -> None:
    """The visitor's, the citizen's and the registrar's paths through the running services."""
    from django.urls import reverse

    from edms.codes import normalize_code
    from edms.models import AttachmentVersion
    from intake.models import Application, OutboxMessage

    # The portal, and its stylesheet from STATIC_ROOT.
    root = browser.get("/")
    checks.check(
        "GET / sends to /uz/", root.status in (301, 302) and root.header("Location") == "/uz/"
    )
    home = browser.get("/uz/")
    checks.check("GET /uz/", home.status == 200, f"{home.status}, {len(home.body):,} bytes")
    css = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', home.text)
    if checks.check("the stylesheet has a hashed name", css is not None):
        assert css is not None
        sheet = browser.get(css[1])
        cache = sheet.header("Cache-Control")
        checks.check(
            f"GET {css[1]}",
            sheet.status == 200
            and sheet.header("Content-Type").startswith("text/css")
            and (nginx is None or "immutable" in cache),
            f"{sheet.status}, {sheet.header('Content-Type')}, Cache-Control: {cache or '-'}",
        )
    if nginx is not None:
        plain = http.client.HTTPConnection("127.0.0.1", nginx.http_port, timeout=HTTP_TIMEOUT_S)
        plain.request("GET", "/uz/")
        moved = plain.getresponse()
        plain.close()
        checks.check(
            "HTTP is sent to HTTPS",
            moved.status == 301 and moved.getheader("Location", "").startswith("https://"),
            f"{moved.status} {moved.getheader('Location')}",
        )

    # The citizen's application through the public API, with a PDF.
    word = "smoke" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
    pdf = one_page_pdf(word)
    body = multipart(
        {"service": SERVICE, **FIELDS, "subject": f"{FIELDS['subject']} {word}"},
        {"attachment": ("ariza.pdf", pdf)},
    )
    content_type = f"multipart/form-data; boundary={BOUNDARY}"
    posted = browser.request("POST", API_PATH, body, {"Content-Type": content_type})
    answer = json.loads(posted.body) if posted.body.startswith(b"{") else {}
    code = str(answer.get("tracking_code", ""))
    if not checks.check(
        f"POST {API_PATH}",
        posted.status == 201 and bool(TRACKING_CODE.match(code)),
        f"{posted.status}, tracking code {code or '-'}, number {answer.get('registration_number')}"
        if posted.status == 201
        else f"{posted.status}: {posted.text[:500]}",
    ):
        raise SmokeError("no application to follow")
    number = str(answer["registration_number"])
    application = Application.objects.select_related("document").get(
        tracking_code=normalize_code(code)
    )
    tracked = browser.get(f"/track/{code}/")
    checks.check(
        f"GET /track/{code}/", tracked.status == 200 and number in tracked.text, str(tracked.status)
    )

    # The worker sends the "registered" notification (the outbox row is done).
    key = f"application:{application.pk}:registered"
    since = time.perf_counter()
    try:
        wait_for(
            "the registered notification",
            lambda: OutboxMessage.objects.filter(
                key=key, status=OutboxMessage.Status.DONE
            ).exists(),
            WAIT_S,
        )
        checks.check(
            "the worker sent the notification",
            True,
            f"{key} done after {time.perf_counter() - since:.1f} s",
        )
    except SmokeError as error:
        row = OutboxMessage.objects.filter(key=key).values("status", "attempts", "last_error")
        checks.check("the worker sent the notification", False, f"{error}; {list(row)}")

    # The registrar finds it in the workspace search (the index is updated by the worker too).
    signed_in = browser.sign_in(REGISTRAR)
    checks.check(
        f"{REGISTRAR} signs in",
        signed_in.status == 302 and "sessionid" in browser.cookies,
        f"{signed_in.status} to {signed_in.header('Location')}",
    )
    since = time.perf_counter()
    try:
        wait_for(
            "the application in the workspace search",
            lambda: number in browser.get(f"/workspace/search/?{urlencode({'q': word})}").text,
            WAIT_S,
        )
        checks.check(
            "the workspace search finds it",
            True,
            f"{number} after {time.perf_counter() - since:.1f} s",
        )
    except SmokeError as error:
        checks.check("the workspace search finds it", False, str(error))

    # Its PDF, after the access check: nginx sends it (X-Accel-Redirect), only to the office.
    version = AttachmentVersion.objects.filter(attachment__document=application.document).get()
    url = reverse("edms:download", args=[version.pk])
    download = browser.get(url)
    if nginx is not None:
        checks.check(
            f"GET {url} (nginx sends the file)",
            download.status == 200
            and hashlib.sha256(download.body).hexdigest() == hashlib.sha256(pdf).hexdigest()
            and not download.header("X-Accel-Redirect")
            and download.header("X-Content-Type-Options") == "nosniff"
            and download.header("Content-Disposition").startswith("attachment")
            and download.header("Content-Type") == "application/pdf",
            f"{download.status}, {len(download.body):,} bytes, {download.header('Content-Type')},"
            f" {download.header('Content-Disposition')}",
        )
        for direct in (f"/media/{version.file.name}", f"{ACCEL_PREFIX}/{version.file.name}"):
            refused = browser.get(direct)
            checks.check(
                f"GET {direct.split('/')[1]}/… is refused",
                refused.status == 404,
                str(refused.status),
            )
    else:
        checks.check(
            f"GET {url} (handed to nginx)",
            download.status == 200
            and download.header("X-Accel-Redirect") == f"{ACCEL_PREFIX}/{version.file.name}"
            and not download.body,
            f"{download.status}, X-Accel-Redirect: {download.header('X-Accel-Redirect')}",
        )
    browser.sign_in(OUTSIDER)
    other = browser.get(url)
    checks.check(
        f"{OUTSIDER} gets no file",
        other.status == 404 and not other.header("X-Accel-Redirect") and pdf not in other.body,
        str(other.status),
    )

    # An operator's command against the running installation.
    swept = run.manage("outbox_sweep")
    checks.check("manage.py outbox_sweep", "failed for good 0" in swept, swept.strip())

    for service in run.services:
        checks.check(
            f"{service.name} still running",
            service.alive(),
            service.log_tail(5) if not service.alive() else "",
        )
        if re.search(r"Traceback|CRITICAL", service.log_path.read_text(errors="replace")):
            checks.check(f"{service.name}'s log has no traceback", False, service.log_tail())


if __name__ == "__main__":
    sys.exit(main())

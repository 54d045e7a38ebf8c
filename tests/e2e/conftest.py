"""Browser tests: Debian's Chromium through Playwright, against the product as ``make run``
serves it (its own SQLite database in a temporary folder, migrated and loaded with the demo).

No browser is ever downloaded.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "DJANGO_SETTINGS_MODULE")
# What Chromium writes in the console when the Content-Security-Policy blocks something, or when
# it cannot read the Permissions-Policy (core/headers.py).
POLICY_MESSAGES = ("Content Security Policy", "Permissions-Policy")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    require_service(os.path.exists(CHROMIUM), "Chromium is not installed (make browser-deps)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def portal_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The embedded default, set up and served as ``make run`` does; stopped by process id."""
    var_dir = tmp_path_factory.mktemp("var")
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    # As make run serves it: DEBUG off (the product's own error pages), static files through
    # WhiteNoise's finders.
    env.update(VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="config.settings.dev")
    env.pop("DEBUG", None)

    def manage(*args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)

    manage("migrate", "--noinput", "-v0")
    manage("createcachetable")
    manage("load_demo", "-v0")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(autouse=True)
def policy_violations(page: Page) -> Iterator[list[str]]:
    """Every page of every browser test runs under the product's policies: whatever the browser
    blocks or cannot read (in any frame) fails the test. A test that provokes one on purpose
    empties the list."""
    seen: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        if any(marker in message.text for marker in POLICY_MESSAGES):
            seen.append(f"{page.url}: {message.text}")

    page.on("console", listen)
    yield seen
    assert not seen, "the browser reported policy violations:\n" + "\n".join(seen)

"""What every benchmark here needs: its own PostgreSQL database on this machine, Django set up
with a statement timeout, and phases that print how long they took."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
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

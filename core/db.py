"""Surviving a lost database connection between statements.

PostgreSQL connections end under a request's feet: a restart, a failover, an operator's
``pg_terminate_backend``. Django reconnects only at the start of the next request, so a request
whose connection died after its commit would answer 500 for work that is done. Outside a
transaction, ``retry_on_lost_connection`` closes the dead connection and runs the work once more
on a new one; inside a transaction nothing is retried (the transaction is lost as a whole).
"""

import logging
from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection

logger = logging.getLogger(__name__)

T = TypeVar("T")


def connection_lost(error: Exception) -> bool:
    """True when ``error`` left the default connection unusable (rather than a query's fault)."""
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    if connection.connection is None:
        return True
    try:
        return not connection.is_usable()
    except Exception:
        return True


def reconnect_after(error: Exception) -> bool:
    """Drop a connection that ``error`` killed, so that the next query opens a new one.

    Returns False (and does nothing) when the error is not a lost connection or when a
    transaction is open, since then the caller cannot simply try again.
    """
    if connection.in_atomic_block or not connection_lost(error):
        return False
    logger.warning("database connection lost (%s); reconnecting", type(error).__name__)
    connection.close()
    return True


def retry_on_lost_connection(work: Callable[[], T]) -> T:
    """``work()``, run a second time on a new connection if its connection was lost."""
    try:
        return work()
    except (OperationalError, InterfaceError) as error:
        if not reconnect_after(error):
            raise
    return work()

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
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

T = TypeVar("T")


# SQLSTATE classes of a connection that is gone: 08 (connection exception) and 57P0x (the server
# ended it: administrator command, crash, or start-up/shutdown).
LOST_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def connection_lost(error: BaseException) -> bool:
    """True when ``error`` says the database connection itself was lost, not that a query failed.

    Decided from the error, not from the connection afterwards: when a transaction fails on a
    dead connection, Django's rollback already replaced it with a new, usable one.
    """
    if connection.vendor != "postgresql" or not isinstance(
        error, OperationalError | InterfaceError
    ):
        return False
    if isinstance(error, InterfaceError):
        return True
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    # No SQLSTATE: the client saw the socket close ("server closed the connection
    # unexpectedly", "consuming input failed", "the connection is closed").
    return sqlstate is None or sqlstate.startswith(LOST_SQLSTATES)


def reconnect_after(error: BaseException) -> bool:
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


class LostConnectionMiddleware:
    """A request whose database connection was lost, and not recovered above, answers 503 with
    ``Retry-After`` rather than 500: nothing of it was stored, and trying again (with the same
    idempotency key) is the right thing for the client to do. The dead connection is dropped at
    once, so the next request of this process gets a new one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not connection_lost(exception):
            return None
        logger.warning("database connection lost during %s %s", request.method, request.path)
        connection.close()
        if request.path.startswith("/api/"):
            message = _("The service is busy for a moment. Please try again.")
            response: HttpResponse = JsonResponse(
                {"errors": {"non_field_errors": [str(message)]}}, status=503
            )
        else:
            response = render(request, "503.html", status=503)
        response["Retry-After"] = "5"
        return response

"""The outbox: work after commit that must not be lost (notifications, index updates).

A service writes ``OutboxMessage`` rows in its own transaction (``outbox_add``) and asks for
them to be sent after commit (``outbox_send_after_commit``): each goes to Celery as
``intake.outbox_send`` with its id. When the broker cannot be reached the request still
succeeds; the rows stay pending and ``outbox_sweep`` (Celery beat every minute, or
``manage.py outbox_sweep``) sends them once it can. Processing a message is idempotent: a row
already done is skipped, and the unique key keeps one event from making two messages.

Handlers by kind are registered with ``@handler("notify")``; a handler raises
``RetryLater`` for a temporary failure and anything else for a permanent one.
"""

import logging
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from intake.models import OutboxMessage

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
_handlers: dict[str, Handler] = {}


class RetryLater(Exception):
    """A temporary failure: try the message again later. ``done`` keeps what already went."""

    def __init__(self, message: str, done: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.done = done or {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that carries out messages of ``kind``; one per kind."""

    def register(function: Handler) -> Handler:
        if kind in _handlers:
            raise ValueError(f"an outbox handler for {kind!r} is already registered")
        _handlers[kind] = function
        return function

    return register


def outbox_add(*, kind: str, key: str, payload: dict[str, Any]) -> OutboxMessage:
    """A message to send after commit; the same key twice is the same message."""
    message, _created = OutboxMessage.objects.get_or_create(
        key=key, defaults={"kind": kind, "payload": payload}
    )
    return message


def outbox_send_after_commit(messages: Iterable[OutboxMessage]) -> None:
    """Hand the messages to Celery once the caller's transaction has committed.

    Robust: whatever goes wrong in the hand-over, the committed work stands and its request
    gets its answer; the rows are pending, and the sweep sends them.
    """
    ids = [message.pk for message in messages]
    transaction.on_commit(lambda: _enqueue(ids), robust=True)


class BrokerBreaker:
    """Stops this process publishing for ``pause`` seconds after a publish failed.

    A broker that is down costs one short attempt (the broker timeouts in settings bound it to
    about a second), not one per message: during an outage requests answer at once and their
    messages wait in the outbox for the sweep.
    """

    def __init__(self, pause: float = 10.0) -> None:
        self.pause = pause
        self._closed_at = 0.0

    def allows(self) -> bool:
        return time.monotonic() >= self._closed_at

    def failed(self) -> None:
        if self.allows():
            logger.warning(
                "Celery broker unreachable: outbox messages stay pending for %.0f s; "
                "the sweep sends them",
                self.pause,
            )
        self._closed_at = time.monotonic() + self.pause


broker_breaker = BrokerBreaker()


def _enqueue(ids: list[int]) -> None:
    from intake.tasks import outbox_send

    if settings.CELERY_TASK_ALWAYS_EAGER:
        # The embedded default has no beat: each new message also retries a few stale ones.
        try:
            outbox_sweep(older_than=timedelta(minutes=5), limit=20)
        except Exception:
            logger.warning("outbox catch-up failed", exc_info=True)
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    for message_id in ids:
        if not eager and not broker_breaker.allows():
            return
        try:
            outbox_send.delay(message_id)
        except Exception as error:
            logger.warning(
                "outbox message %s not sent now (%s); the sweep sends it",
                message_id,
                type(error).__name__,
                exc_info=eager,  # in-process, a failure is the product's own: show where
            )
            if not eager:
                broker_breaker.failed()


def outbox_process(message_id: int) -> OutboxMessage | None:
    """Carry out one message once: done rows are skipped; a failure is recorded on the row.

    Raises ``RetryLater`` again for a temporary failure so that the caller may retry.
    """
    retry: RetryLater | None = None
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if message is None:  # done, failed for good, or being sent by another worker
            return None
        message.attempts += 1
        work = _handlers.get(message.kind)
        try:
            if work is None:
                raise LookupError(f"no outbox handler for {message.kind!r}")
            try:
                # A savepoint: a database error in the work leaves this transaction usable, so
                # that the attempt is still recorded below.
                with transaction.atomic():
                    done = work(message.payload, message.result)
            except DatabaseError as error:
                # A lost connection, a deadlock, a statement time-out: the database's trouble,
                # not the message's. Try again later rather than give it up.
                raise RetryLater(f"{type(error).__name__}: {error}") from error
            message.result = {**message.result, **done}
        except RetryLater as error:
            message.result = {**message.result, **error.done}
            message.last_error = str(error)[:2000]
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
                logger.error("outbox message %s failed for good: %s", message.key, error)
            else:
                retry = error
        except Exception as error:
            message.status = OutboxMessage.Status.FAILED
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            logger.exception("outbox message %s failed for good", message.key)
        else:
            message.status = OutboxMessage.Status.DONE
            message.done_at = timezone.now()
            message.last_error = ""
        # Saved in this transaction whatever happened, so that the attempt counts.
        message.save(update_fields=["attempts", "result", "status", "done_at", "last_error"])
    if retry is not None:
        raise retry
    return message


def outbox_retry_failed() -> int:
    """Give every message that failed for good another round of attempts; returns how many.

    For an operator, once the cause is mended (a gateway's credentials, a search cluster).
    """
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).update(
        status=OutboxMessage.Status.PENDING, attempts=0
    )


def outbox_sweep(
    *,
    older_than: timedelta = timedelta(seconds=30),
    limit: int = 500,
    tried: set[int] | None = None,
) -> int:
    """Send the pending messages that have waited longer than ``older_than``; returns how many
    were done now. ``tried`` collects the ids attempted, and those already in it are left out,
    so that repeated batches try each message once."""
    cutoff = timezone.now() - older_than
    pending = OutboxMessage.objects.filter(
        status=OutboxMessage.Status.PENDING, created_at__lte=cutoff
    )
    if tried:
        # Batches go in id order, so "not tried yet" is "after the last one tried" (a bounded
        # query however large the backlog).
        pending = pending.filter(pk__gt=max(tried))
    ids = list(pending.order_by("pk").values_list("pk", flat=True)[:limit])
    if tried is not None:
        tried.update(ids)
    done = 0
    for message_id in ids:
        try:
            result = outbox_process(message_id)
        except RetryLater:
            continue
        if result is not None and result.status == OutboxMessage.Status.DONE:
            done += 1
    return done

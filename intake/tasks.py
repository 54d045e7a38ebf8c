"""Celery tasks of the intake: sending outbox messages, and the sweep that catches up."""

import time

from celery import shared_task
from celery.app.task import Task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from core.db import reconnect_after
from intake.outbox import RetryLater, outbox_process, outbox_sweep


@shared_task(bind=True, name="intake.outbox_send", max_retries=None, acks_late=True)
def outbox_send(self: Task, message_id: int) -> str:
    """Send one outbox message; a temporary failure retries with a growing pause."""
    try:
        message = outbox_process(message_id)
    except RetryLater as error:
        if self.request.is_eager:
            return "pending"  # no worker to wait in: the sweep tries again
        countdown = min(30 * 2**self.request.retries, 3600)
        raise self.retry(exc=error, countdown=countdown) from error
    except (OperationalError, InterfaceError) as error:
        # The worker's database connection was lost before the message was taken: on a new
        # connection, soon (the row is still pending; the sweep would also send it).
        if self.request.is_eager or not reconnect_after(error):
            raise
        raise self.retry(exc=error, countdown=1) from error
    return message.status if message is not None else "skipped"


@shared_task(name="intake.outbox_sweep")
def outbox_sweep_task() -> int:
    """What beat runs every minute: batch after batch, each message tried once, for up to
    50 s, so that a backlog left by an outage clears in one run, not 500 messages a minute."""
    started = time.monotonic()
    tried: set[int] = set()
    total = 0
    while time.monotonic() - started < 50:
        before = len(tried)
        total += outbox_sweep(limit=settings.OUTBOX_SWEEP_LIMIT, tried=tried)
        if len(tried) == before:
            break
    return total

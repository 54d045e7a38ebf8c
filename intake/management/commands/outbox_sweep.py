"""``manage.py outbox_sweep``: send the outbox messages still pending, as beat does."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from intake.models import OutboxMessage
from intake.outbox import outbox_retry_failed, outbox_sweep


class Command(BaseCommand):
    help = "Send pending notifications and index updates that could not be sent at the time."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, default=0, help="seconds (default 0)")
        parser.add_argument("--limit", type=int, default=500)
        parser.add_argument(
            "--retry-failed",
            action="store_true",
            help="first give the messages that failed for good another round of attempts",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["retry_failed"]:
            self.stdout.write(f"failed messages pending again: {outbox_retry_failed()}")
        done = outbox_sweep(
            older_than=timedelta(seconds=options["older_than"]), limit=options["limit"]
        )
        left = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count()
        failed = OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count()
        self.stdout.write(f"sent {done}; still pending {left}; failed for good {failed}")

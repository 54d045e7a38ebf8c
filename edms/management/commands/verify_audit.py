"""``manage.py verify_audit``: checks the audit chain; exits 1 and names each broken event."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from edms.audit import audit_verify
from edms.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(audit_verify())
        shown = 100
        for problem in problems[:shown]:
            row = f"id {problem.event_id}" if problem.event_id is not None else "chain head"
            self.stderr.write(f"audit event #{problem.seq} ({row}): {problem.message}")
        if len(problems) > shown:
            self.stderr.write(f"... and {len(problems) - shown} more")
        if problems:
            raise CommandError(f"The audit trail is broken in {len(problems)} place(s).")
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"The audit trail is intact ({count} events)."))

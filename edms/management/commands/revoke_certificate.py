"""``manage.py revoke_certificate <serial> --reason …``: the certificate signs no more, and the
demo authority's revocation list names it."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from edms.models import SigningCertificate
from edms.signing.keys import certificate_revoke


class Command(BaseCommand):
    help = "Revoke a signing certificate by its serial number (hexadecimal)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("serial")
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, serial: str, reason: str, **options: Any) -> None:
        rows = list(SigningCertificate.objects.filter(serial=serial.lower().lstrip("0")))
        if len(rows) != 1:
            raise CommandError(f"{len(rows)} certificates have serial {serial}; expected one.")
        certificate_revoke(row=rows[0], by=None, reason=reason)
        self.stdout.write(self.style.SUCCESS(f"Revoked {rows[0]}."))

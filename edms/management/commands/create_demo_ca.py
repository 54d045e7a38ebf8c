"""``manage.py create_demo_ca``: the demo certificate authority that issues staff certificates."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from edms.signing.keys import demo_authority_create
from edms.signing.trust import demo_authority_path


class Command(BaseCommand):
    help = (
        "Create the demo certificate authority (kept if it exists; --replace makes a new one, "
        "after which certificates it issued before are no longer trusted)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--replace", action="store_true")

    def handle(self, *args: Any, replace: bool = False, **options: Any) -> None:
        existed = demo_authority_path().exists()
        authority = demo_authority_create(replace=replace)
        verb = "Kept" if existed and not replace else "Created"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} the demo certificate authority "
                f"{authority.certificate.subject.rfc4514_string()} "
                f"(serial {authority.certificate.serial_number:x})."
            )
        )

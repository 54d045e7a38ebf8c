"""``manage.py issue_certificate <username>``: a signing certificate from the demo authority.

The passphrase that encrypts the key is asked twice at the terminal, or read from standard
input with ``--passphrase-stdin`` (one line), never from the command line, where it would stay
in the shell's history and the process list.
"""

import sys
from getpass import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from edms.signing.keys import certificate_issue_demo


class Command(BaseCommand):
    help = "Issue a signing certificate for a member of staff from the demo authority."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=730, help="validity in days")
        parser.add_argument("--passphrase-stdin", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = get_user_model().objects.get(username=options["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {options['username']!r}.") from None
        if options["passphrase_stdin"]:
            passphrase = sys.stdin.readline().rstrip("\n")
        else:
            passphrase = getpass("Passphrase for the key: ")
            if getpass("Again: ") != passphrase:
                raise CommandError("The two passphrases differ.")
        try:
            row = certificate_issue_demo(
                user=user, passphrase=passphrase, valid_days=options["days"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Issued certificate {row.serial} for {user.get_username()}, "
                f"valid until {row.not_after:%Y-%m-%d}."
            )
        )

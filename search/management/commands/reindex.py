"""``manage.py reindex``: every document, application and published page indexed anew.

On Elasticsearch the entries go into a new versioned index, and the alias moves to it in one
step when it is complete, so searches answer from the old index until then. On the database
backend the entries are replaced in batches and those not seen again are removed at the end.
Entries are read and sent in batches, so memory stays bounded whatever the size.
"""

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from search.backends.base import Entry
from search.entries import all_entries, count_all
from search.service import backend


class Command(BaseCommand):
    help = "Rebuild the search index from the database, with no downtime."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=1000, help="entries per bulk request")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, batch: int, no_progress: bool, **options: Any) -> None:
        target = backend()
        bar = tqdm(
            total=count_all(),
            unit="entries",
            disable=no_progress or options["verbosity"] == 0,
            file=self.stderr._out,
        )

        def counted() -> Iterator[Entry]:
            for entry in all_entries():
                yield entry
                bar.update(1)

        with bar:
            indexed = target.rebuild(counted(), batch=batch)
        if options["verbosity"]:
            self.stdout.write(
                self.style.SUCCESS(f"Indexed {indexed} entries ({target.name} backend).")
            )

"""Gapless registration numbers: the next number of a journal for a year.

The number is taken inside the caller's transaction (the one that saves the document) with a row
lock on the journal's counter for the year, never with ``max() + 1``: concurrent registrations
queue on the lock, and a transaction that rolls back gives its number back with it. On SQLite the
project opens every transaction with ``BEGIN IMMEDIATE``, which serialises writers the same way.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from edms.models.journals import Journal, JournalCounter


@dataclass(frozen=True)
class RegistrationNumber:
    seq: int
    year: int
    text: str


def journal_next_number(*, journal: Journal, year: int) -> RegistrationNumber:
    """Take the next number of ``journal`` for ``year``; call inside the registering transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("journal_next_number must run inside the registering transaction")
    counter = _locked_counter(journal=journal, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return RegistrationNumber(
        seq=counter.last_number,
        year=year,
        text=journal.format_number(counter.last_number, year),
    )


def _locked_counter(*, journal: Journal, year: int) -> JournalCounter:
    counters = JournalCounter.objects.select_for_update()
    try:
        return counters.get(journal=journal, year=year)
    except JournalCounter.DoesNotExist:
        pass
    # The first registration of the year creates the row; when two start the year at once, one
    # insert loses the race on the unique constraint and then waits on the winner's row lock.
    try:
        with transaction.atomic():
            JournalCounter.objects.create(journal=journal, year=year)
    except IntegrityError:
        pass
    return counters.get(journal=journal, year=year)

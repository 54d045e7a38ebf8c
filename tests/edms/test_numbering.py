"""Registration numbers: formatted per journal, gapless, unique under concurrency, yearly."""

import re
import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation

from edms.journals import office_ensure_journals
from edms.models import Document, Journal, Office
from edms.registration import document_register


def incoming(office: str = "zomin") -> Journal:
    # Offices without demo correspondence, so that their numbering starts at 1.
    return Journal.objects.get(office__code=office, kind=Journal.Kind.INCOMING)


def register(journal: Journal, on: date, title: str = "Xat") -> Document:
    return document_register(
        journal=journal,
        kind=Document.Kind.INCOMING,
        title=title,
        channel=Document.Channel.PAPER,
        by=None,
        on=on,
    )


@pytest.mark.django_db
def test_numbers_follow_the_journal_format_and_restart_each_year() -> None:
    journal = incoming()
    first = register(journal, date(2026, 12, 30))
    second = register(journal, date(2026, 12, 31))
    new_year = register(journal, date(2027, 1, 4))
    assert (first.reg_number, second.reg_number) == ("K-1/26", "K-2/26")
    assert new_year.reg_number == "K-1/27"
    # Another office's journal with the same prefix counts on its own.
    assert register(incoming("chust"), date(2026, 12, 31)).reg_number == "K-1/26"


@pytest.mark.django_db
def test_custom_number_format() -> None:
    journal = incoming()
    journal.number_format = "{yyyy}/{prefix}{seq}"
    journal.full_clean()
    journal.save()
    assert register(journal, date(2026, 3, 2)).reg_number == "2026/K1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number_format", "message"),
    [
        ("{prefix}-{yy}", "must contain {seq}"),
        ("{prefix}-{seq}/{month}", "Unknown fields in the number format: month"),
        ("{prefix-{seq}", "not valid"),
    ],
)
def test_bad_number_formats_are_refused_with_a_clear_message(
    number_format: str, message: str
) -> None:
    journal = incoming()
    journal.number_format = number_format
    with translation.override("en"), pytest.raises(ValidationError, match=re.escape(message)):
        journal.full_clean()


@pytest.mark.django_db
def test_number_format_errors_speak_the_users_language() -> None:
    journal = incoming()
    journal.number_format = "{prefix}-{yy}"
    with translation.override("uz"), pytest.raises(ValidationError) as uz_error:
        journal.full_clean()
    with translation.override("ru"), pytest.raises(ValidationError) as ru_error:
        journal.full_clean()
    assert "Raqam formatida {seq} boʻlishi shart." in str(uz_error.value)
    assert "{seq}" in str(ru_error.value)
    assert "must contain" not in str(ru_error.value)


@pytest.mark.django_db
def test_a_rolled_back_registration_gives_its_number_back() -> None:
    journal = incoming()
    register(journal, date(2026, 5, 4))

    def register_then_fail() -> None:
        with transaction.atomic():
            register(journal, date(2026, 5, 4))
            raise RuntimeError("scanner jammed")

    with pytest.raises(RuntimeError, match="scanner jammed"):
        register_then_fail()
    assert register(journal, date(2026, 5, 4)).reg_number == "K-2/26"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_500_registrations_from_16_workers_are_gapless_and_unique() -> None:
    # Its own office and journal: a transactional test cannot count on the demo data.
    office = Office.objects.create(code="concurrency-test", kind=Office.Kind.DISTRICT, name_uz="T")
    office_ensure_journals(office=office)
    journal = office.journals.get(kind=Journal.Kind.INCOMING)
    errors: list[BaseException] = []
    per_worker = [32] * 4 + [31] * 12  # 500 in all
    start = threading.Barrier(len(per_worker))

    def worker(count: int) -> None:
        try:
            start.wait()
            for _ in range(count):
                register(journal, date(2026, 6, 1))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(count,)) for count in per_worker]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(Document.objects.filter(journal=journal).values_list("reg_seq", flat=True))
    assert numbers == list(range(1, 501))
    assert journal.counters.get(year=2026).last_number == 500

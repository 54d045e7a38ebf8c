"""200 applications sent at once to one office through the API, with retries racing their
originals: 200 applications, gapless numbers, and never a duplicate for a retried key.

Runs on the embedded default (SQLite, writers queue on its lock) and on PostgreSQL (CI's second
pass sets DATABASE_URL; writers queue on the journal counter's row lock and the database settles
two inserts with one idempotency key).
"""

import queue
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from celery.result import allow_join_result
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from edms.models import Document, Journal, JournalCounter
from intake.models import Application
from tests.intake.factories import APPLICANT_POST, LAND_POST, PDF

OFFICE = "jizzakh-city"
ORIGINALS = 200
RETRIED = 50  # every fourth key is sent twice, the retry right behind the original
WORKERS = 16


@dataclass(frozen=True)
class Answer:
    key: str
    status: int
    body: dict[str, Any]
    replayed: bool


@pytest.fixture
def _celery_join_flag() -> Iterator[None]:
    # With Celery eager (the embedded default) each request runs its outbox tasks after commit
    # in its own thread. Celery marks "inside a task" in one process-wide flag that it saves and
    # restores around each eager task, so tasks in parallel threads can leave it set; then any
    # later ``AsyncResult.get()`` in this process (the Redis worker tests) refuses to run.
    # ``allow_join_result`` puts back on exit the value the flag had on entry.
    with allow_join_result():
        yield


def body() -> dict[str, Any]:
    return {
        "service": "land-plot",
        "office": OFFICE,
        **APPLICANT_POST,
        **LAND_POST,
        "documents": SimpleUploadedFile("hujjat.pdf", PDF, content_type="application/pdf"),
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("_celery_join_flag")
@override_settings(INTAKE_SUBMIT_RATE_LIMIT="100000/m")
def test_200_concurrent_submissions_with_racing_retries_are_gapless_and_unique() -> None:
    # Committed data that other connections see: the demo office, its applications journal.
    journal = Journal.objects.get(office__code=OFFICE, kind=Journal.Kind.APPLICATIONS)
    year = timezone.localdate().year
    counter = JournalCounter.objects.filter(journal=journal, year=year).first()
    numbered_before = counter.last_number if counter else 0
    applications_before = Application.objects.count()
    documents_before = Document.objects.count()

    run = uuid.uuid4().hex[:8]
    keys = [f"concurrency-{run}-{n}" for n in range(ORIGINALS)]
    jobs: queue.SimpleQueue[str] = queue.SimpleQueue()
    for n, key in enumerate(keys):
        jobs.put(key)
        if n % (ORIGINALS // RETRIED) == 0:
            # Taken by the next free worker at once: the retry races its original.
            jobs.put(key)
    answers: list[Answer] = []
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)
    url = reverse("api-applications")

    def worker() -> None:
        client = Client()
        try:
            start.wait()
            while True:
                try:
                    key = jobs.get_nowait()
                except queue.Empty:
                    return
                response = client.post(
                    url, body(), HTTP_IDEMPOTENCY_KEY=key, HTTP_ACCEPT_LANGUAGE="en"
                )
                answers.append(
                    Answer(
                        key=key,
                        status=response.status_code,
                        body=response.json(),
                        replayed=response.get("Idempotent-Replayed") == "true",
                    )
                )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(answers) == ORIGINALS + RETRIED
    refused = [answer for answer in answers if answer.status != 201]
    assert refused == []

    # Every retry got its original's application; each key made exactly one.
    by_key: dict[str, list[Answer]] = defaultdict(list)
    for answer in answers:
        by_key[answer.key].append(answer)
    assert set(by_key) == set(keys)
    assert sorted(len(sent) for sent in by_key.values()).count(2) == RETRIED
    for key, sent in by_key.items():
        assert len({answer.body["tracking_code"] for answer in sent}) == 1, key
        assert len({answer.body["registration_number"] for answer in sent}) == 1, key
        assert [answer.replayed for answer in sent].count(False) == 1, key

    # 200 applications, 200 documents: a retry that lost the race left nothing behind.
    assert Application.objects.count() == applications_before + ORIGINALS
    assert Document.objects.count() == documents_before + ORIGINALS
    created = Application.objects.filter(idempotency_key__startswith=f"api:concurrency-{run}-")
    assert created.count() == ORIGINALS
    stored = dict(created.values_list("idempotency_key", "document__reg_number"))
    for key, sent in by_key.items():
        assert stored[f"api:{key}"] == sent[0].body["registration_number"]
    tracking_codes = {sent[0].body["tracking_code"] for sent in by_key.values()}
    assert len(tracking_codes) == ORIGINALS

    # Numbered in the office's applications journal without a gap or a repeat.
    new = Document.objects.filter(journal=journal, reg_year=year, reg_seq__gt=numbered_before)
    assert sorted(new.values_list("reg_seq", flat=True)) == list(
        range(numbered_before + 1, numbered_before + ORIGINALS + 1)
    )
    assert len(set(new.values_list("reg_number", flat=True))) == ORIGINALS
    assert set(new.values_list("reg_number", flat=True)) == set(stored.values())
    assert journal.counters.get(year=year).last_number == numbered_before + ORIGINALS

"""A database connection that PostgreSQL ends under a request's feet (a restart, a failover, an
operator's ``pg_terminate_backend``) costs the citizen nothing: the work is done once, on a new
connection. The connection is ended for real, from a second connection, at a real point."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.db.models.signals import pre_save
from django.test import Client

from core.db import retry_on_lost_connection
from edms.codes import normalize_code
from edms.models import Document, Office
from intake.models import Application
from tests.intake.factories import APPLICANT_POST, submit

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="connections are ended by PostgreSQL (the second CI pass)",
    ),
]


def end_connection(pid: int) -> None:
    """``pg_terminate_backend`` from a connection of its own, as an operator would."""
    database = connection.settings_dict
    with psycopg.connect(
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
        user=database["USER"] or "postgres",
        password=database["PASSWORD"] or None,
        dbname=database["NAME"],
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid: int = cursor.fetchone()[0]
        return pid


@pytest.fixture
def ended_once() -> Iterator[list[int]]:
    """Ends the application's own connection the first time an application is about to be
    saved: inside the registering transaction, after its number was taken."""
    ended: list[int] = []

    def end(sender: Any, **kwargs: Any) -> None:
        if not ended:
            ended.append(backend_pid())
            end_connection(ended[0])

    pre_save.connect(end, sender=Application, dispatch_uid="test-end-connection")
    yield ended
    pre_save.disconnect(sender=Application, dispatch_uid="test-end-connection")


def test_a_submission_whose_connection_ends_mid_transaction_is_stored_once(
    ended_once: list[int],
) -> None:
    submission = submit()
    assert ended_once, "the connection was not ended"
    assert backend_pid() != ended_once[0]  # a new connection did the work
    application = Application.objects.get(pk=submission.application.pk)
    assert Application.objects.filter(idempotency_key=application.idempotency_key).count() == 1
    # The first attempt's number went back with its transaction: the journal has no gap.
    document = application.document
    year = document.reg_number.split("/")[1]
    numbers = sorted(
        int(number.split("/")[0].split("-")[-1])
        for number in Document.objects.filter(
            journal=document.journal, reg_number__endswith=f"/{year}"
        ).values_list("reg_number", flat=True)
    )
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    assert document.reg_number == f"A-{numbers[-1]}/{year}"


def test_a_read_after_the_connection_ended_is_made_on_a_new_one() -> None:
    end_connection(backend_pid())
    assert retry_on_lost_connection(lambda: Office.objects.count()) == 27


@contextmanager
def ended_before(table: str, times: int = 1) -> Iterator[list[int]]:
    """Ends the connection just before the next ``times`` queries that read ``table`` (Django's
    documented ``execute_wrapper`` hook): the query then meets a connection really gone."""
    ended: list[int] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if len(ended) < times and f'"{table}"' in sql:
            ended.append(backend_pid())
            end_connection(ended[-1])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield ended


def test_an_application_whose_connection_ends_while_it_is_checked_is_registered(
    client: Client,
) -> None:
    with ended_before("intake_service") as ended:
        response = client.post(
            "/api/v1/applications/",
            {"service": "citizen-appeal", "office": "jizzakh-city", **APPLICANT_POST}
            | {"subject": "Ko'cha chirog'i", "text": "Ishlamayapti."},
        )
    assert ended, "the connection was not ended"
    assert response.status_code == 201, response.content
    assert Application.objects.filter(
        tracking_code=normalize_code(response.json()["tracking_code"])
    ).exists()


def test_a_page_whose_connection_ends_answers_503_and_the_next_request_works(
    client: Client,
) -> None:
    with ended_before("intake_service", times=1):
        response = client.get("/api/v1/services/?office=jizzakh-city", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["errors"]["non_field_errors"] == [
        "Сервис на мгновение занят. Пожалуйста, повторите попытку."
    ]
    assert client.get("/api/v1/services/?office=jizzakh-city").status_code == 200

"""The outbox: each message carried out once; temporary failures retried, permanent ones kept."""

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from intake.models import OutboxMessage
from intake.notifications import GatewayError
from intake.outbox import RetryLater, handler, outbox_add, outbox_process, outbox_sweep
from tests.intake.factories import submit

pytestmark = pytest.mark.django_db

calls: list[dict[str, Any]] = []
failures: list[Exception] = []


@handler("test-flaky")
def flaky(payload: dict[str, Any], done: dict[str, Any]) -> dict[str, Any]:
    calls.append(payload)
    if failures:
        raise failures.pop(0)
    return {"ok": True}


@pytest.fixture(autouse=True)
def _reset() -> None:
    calls.clear()
    failures.clear()


def test_a_message_is_carried_out_once() -> None:
    message = outbox_add(kind="test-flaky", key="t:1", payload={"n": 1})
    assert outbox_add(kind="test-flaky", key="t:1", payload={"n": 2}).pk == message.pk
    outbox_process(message.pk)
    outbox_process(message.pk)  # a task delivered twice
    message.refresh_from_db()
    assert calls == [{"n": 1}]
    assert message.status == OutboxMessage.Status.DONE
    assert message.result == {"ok": True}


def test_a_temporary_failure_stays_pending_then_succeeds() -> None:
    message = outbox_add(kind="test-flaky", key="t:2", payload={})
    failures.append(RetryLater("gateway down"))
    with pytest.raises(RetryLater):
        outbox_process(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("pending", 1, "gateway down")
    assert outbox_sweep(older_than=timedelta(0)) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("done", 2, "")


@override_settings(OUTBOX_MAX_ATTEMPTS=2)
def test_retries_end_and_a_permanent_failure_is_kept_for_an_operator() -> None:
    retried = outbox_add(kind="test-flaky", key="t:3", payload={})
    failures.extend([RetryLater("down"), RetryLater("still down")])
    with pytest.raises(RetryLater):
        outbox_process(retried.pk)
    outbox_process(retried.pk)
    retried.refresh_from_db()
    assert (retried.status, retried.attempts) == ("failed", 2)

    broken = outbox_add(kind="test-flaky", key="t:4", payload={})
    failures.append(ValueError("bad payload"))
    outbox_process(broken.pk)
    broken.refresh_from_db()
    assert broken.status == "failed"
    assert "ValueError: bad payload" in broken.last_error
    out = StringIO()
    call_command("outbox_sweep", stdout=out)
    assert "failed for good 2" in out.getvalue()


@override_settings(NOTIFICATION_GATEWAYS=["console", "email"])
def test_a_notification_retried_does_not_repeat_what_already_went(
    monkeypatch: pytest.MonkeyPatch, mailoutbox: list[Any]
) -> None:
    from intake.notifications import ConsoleGateway, EmailGateway

    application = submit().application
    key = f"application:{application.pk}:registered"
    sent_console: list[str] = []
    original = ConsoleGateway.send

    def console(self: Any, message: Any) -> str:
        sent_console.append(message.reference)
        return str(original(self, message))

    def email_down(self: Any, message: Any) -> str:
        raise GatewayError("smtp down")

    monkeypatch.setattr(ConsoleGateway, "send", console)
    monkeypatch.setattr(EmailGateway, "send", email_down)
    with pytest.raises(RetryLater):
        outbox_process(OutboxMessage.objects.get(key=key).pk)
    monkeypatch.undo()
    monkeypatch.setattr(ConsoleGateway, "send", console)
    outbox_process(OutboxMessage.objects.get(key=key).pk)
    assert sent_console == [key]  # the console line went once
    assert len(mailoutbox) == 1
    assert application.document.reg_number in mailoutbox[0].body
    assert OutboxMessage.objects.get(key=key).status == "done"


@handler("test-database-trouble")
def database_trouble(payload: dict[str, Any], done: dict[str, Any]) -> dict[str, Any]:
    calls.append(payload)
    if failures:
        failures.pop(0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_in_the_outbox_test")
    return {"ok": True}


def test_a_database_error_in_the_work_is_temporary_and_the_attempt_is_recorded() -> None:
    message = outbox_add(kind="test-database-trouble", key="t:db", payload={})
    failures.append(RuntimeError("the next run of the work fails in the database"))
    with pytest.raises(RetryLater):
        outbox_process(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING  # not given up for good
    assert message.attempts == 1
    assert "no_such_table_in_the_outbox_test" in message.last_error
    assert outbox_sweep(older_than=timedelta(0)) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("done", 2)


def test_failed_messages_can_be_given_another_round_by_an_operator() -> None:
    message = outbox_add(kind="test-flaky", key="t:again", payload={})
    failures.append(LookupError("unknown recipient"))
    outbox_process(message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    out = StringIO()
    call_command("outbox_sweep", "--retry-failed", stdout=out)
    message.refresh_from_db()
    assert "failed messages pending again: 1" in out.getvalue()
    assert (message.status, message.attempts) == ("done", 1)


@override_settings(OUTBOX_SWEEP_LIMIT=2)
def test_beats_sweep_clears_a_backlog_larger_than_one_batch_trying_each_message_once() -> None:
    from intake.tasks import outbox_sweep_task

    stuck = outbox_add(kind="test-flaky", key="t:backlog:stuck", payload={"n": "stuck"})
    for number in range(5):
        outbox_add(kind="test-flaky", key=f"t:backlog:{number}", payload={"n": number})
    OutboxMessage.objects.filter(key__startswith="t:backlog:").update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    failures.append(RetryLater("gateway down"))  # the first, tried first, fails for now

    assert outbox_sweep_task() == 5
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == ("pending", 1)  # one attempt per sweep, not five
    left = OutboxMessage.objects.filter(key__startswith="t:backlog:", status="pending")
    assert list(left.values_list("key", flat=True)) == ["t:backlog:stuck"]

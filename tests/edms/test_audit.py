"""The audit trail: appended in order, append-only, and any change is found and named."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from edms.audit import Action, audit_history, audit_record, audit_verify
from edms.models import AuditEvent, Office

pytestmark = pytest.mark.django_db


def record_three() -> list[AuditEvent]:
    office = Office.objects.get(code="jizzakh-city")
    registrar = get_user_model().objects.get(username="jizzakh-city.registrar")
    return [
        audit_record(
            actor=registrar,
            action=Action.REGISTER,
            obj=office,
            office_code=office.code,
            details={"number": f"K-{n}/26", "title": "Suv taʼminoti"},
        )
        for n in (1, 2, 3)
    ]


def test_events_chain_and_verify_clean(capsys: pytest.CaptureFixture[str]) -> None:
    events = record_three()
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert list(audit_verify()) == []
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out
    assert list(audit_history(Office.objects.get(code="jizzakh-city"))) == events
    assert events[0].actor_name == "jizzakh-city.registrar"


def test_events_cannot_be_changed_or_deleted_through_the_orm() -> None:
    event = record_three()[0]
    event.action = "edited"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_a_changed_row_fails_verification_and_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    events = record_three()
    # What someone with database access would do: bypass the model and edit the row.
    AuditEvent.objects.filter(pk=events[1].pk).update(details={"number": "K-99/26"})
    with pytest.raises(CommandError, match="broken in 1 place"):
        call_command("verify_audit")
    err = capsys.readouterr().err
    assert f"audit event #{events[1].seq} (id {events[1].pk})" in err
    assert "content changed" in err


def test_a_deleted_row_fails_verification() -> None:
    events = record_three()
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    problems = list(audit_verify())
    assert {p.seq for p in problems} == {events[2].seq}
    assert any("missing" in p.message for p in problems)


def test_deleting_the_newest_event_is_found_through_the_head() -> None:
    events = record_three()
    AuditEvent.objects.filter(pk=events[2].pk).delete()
    problems = list(audit_verify())
    assert [p.message for p in problems] == [
        "the newest events were deleted (the chain head is ahead)"
    ]


def test_the_time_zone_of_the_writer_does_not_change_the_hash() -> None:
    from datetime import datetime
    from unittest import mock
    from zoneinfo import ZoneInfo

    tashkent = datetime(2026, 3, 20, 9, 30, tzinfo=ZoneInfo("Asia/Tashkent"))
    with mock.patch("django.utils.timezone.now", return_value=tashkent):
        record_three()
    assert list(audit_verify()) == []

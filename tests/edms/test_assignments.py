"""Resolutions and assignments: the path from a head's resolution to a done document, and every
refusal on the way, each with its message and with nothing changed."""

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from edms.assignments import (
    TRANSITIONS,
    NotAllowed,
    Step,
    TransitionError,
    assignment_cancel,
    assignment_close,
    assignment_delegate,
    assignment_report,
    assignment_request_extension,
    assignment_start,
    assignment_steps_for,
    extension_decide,
    report_decide,
    resolution_write,
)
from edms.audit import Action, audit_history
from edms.models import (
    Assignment,
    AssignmentReport,
    AuditEvent,
    Document,
    ExtensionRequest,
    Journal,
    Resolution,
)
from edms.registration import document_register

pytestmark = pytest.mark.django_db

Status = Assignment.Status


def user(name: str) -> User:
    return get_user_model().objects.get(username=name)


def today() -> date:
    return timezone.localdate()


def in_days(days: int) -> date:
    return today() + timedelta(days=days)


def register(title: str = "Suv taʼminoti haqida") -> Document:
    return document_register(
        journal=Journal.objects.get(office__code="jizzakh-city", kind=Journal.Kind.INCOMING),
        kind=Document.Kind.INCOMING,
        title=title,
        channel=Document.Channel.PAPER,
        by=user("jizzakh-city.registrar"),
    )


def write(document: Document | None = None, **overrides: Any) -> Resolution:
    """A resolution by jizzakh-city's head: its executor leads, its controller checks."""
    arguments: dict[str, Any] = {
        "document": document or register(),
        "by": user("jizzakh-city.head"),
        "text": "Koʻrib chiqib, javob tayyorlansin.",
        "deadline": in_days(10),
        "lead_executor": user("jizzakh-city.executor"),
        "controller": user("jizzakh-city.controller"),
    }
    return resolution_write(**{**arguments, **overrides})


def lead_of(resolution: Resolution) -> Assignment:
    return resolution.assignments.get(is_lead=True)


def fresh(assignment: Assignment) -> Assignment:
    return Assignment.objects.get(pk=assignment.pk)


def last_event(document: Document) -> AuditEvent:
    return audit_history(document).latest("seq")


def snapshot() -> dict[str, Any]:
    """What a user could notice anywhere in the e-document system."""
    return {
        "audit events": AuditEvent.objects.count(),
        "resolutions": Resolution.objects.count(),
        "assignments": list(
            Assignment.objects.order_by("pk").values_list(
                "pk", "status", "deadline", "closed_on", "executor_id"
            )
        ),
        "reports": list(
            AssignmentReport.objects.order_by("pk").values_list("pk", "status", "comment")
        ),
        "extension requests": list(
            ExtensionRequest.objects.order_by("pk").values_list("pk", "status")
        ),
        "documents": list(Document.objects.order_by("pk").values_list("pk", "status")),
        "participants": Document.participants.through.objects.count(),
    }


def message_of(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


@contextmanager
def refused(error: type[Exception], message: str) -> Iterator[None]:
    """The block is refused with ``message`` (in English) and leaves everything as it was."""
    before = snapshot()
    with translation.override("en"), pytest.raises(error) as caught:
        yield
    assert message in message_of(caught.value)
    assert message_of(caught.value).strip()
    assert snapshot() == before


# --- the main path -------------------------------------------------------------------------


def test_resolution_to_done_document_with_its_history_in_order() -> None:
    head, executor = user("jizzakh-city.head"), user("jizzakh-city.executor")
    controller = user("jizzakh-city.controller")
    document = register()
    assert document.status == Document.Status.REGISTERED

    resolution = write(document)
    document.refresh_from_db()
    assignment = lead_of(resolution)
    assert document.status == Document.Status.IN_WORK
    assert set(document.participants.all()) == {head, executor, controller}
    assert (assignment.executor, assignment.status, assignment.deadline) == (
        executor,
        Status.NEW,
        in_days(10),
    )
    assert assignment_steps_for(assignment=assignment, user=executor) == [
        Step.START,
        Step.DELEGATE,
        Step.REQUEST_EXTENSION,
        Step.REPORT,
    ]
    assert assignment_steps_for(assignment=assignment, user=controller) == []

    assert assignment_start(assignment=assignment, by=executor).status == Status.IN_PROGRESS
    report = assignment_report(assignment=assignment, by=executor, text="Javob yuborildi.")
    assert fresh(assignment).status == Status.REPORTED
    assert assignment_steps_for(assignment=fresh(assignment), user=controller) == [
        Step.ACCEPT_REPORT,
        Step.REFUSE_REPORT,
    ]

    report = report_decide(report=report, by=controller, accept=True)
    assignment = fresh(assignment)
    document.refresh_from_db()
    assert report.status == AssignmentReport.Status.ACCEPTED
    assert report.reviewed_by == controller
    assert assignment.status == Status.DONE
    assert assignment.closed_on == today()
    assert assignment.closed_at is not None
    assert not assignment.closed_late
    assert document.status == Document.Status.DONE

    history = list(audit_history(document))
    assert [(event.action, event.actor_name) for event in history] == [
        (Action.REGISTER, "jizzakh-city.registrar"),
        (Action.RESOLUTION, "jizzakh-city.head"),
        (Action.ASSIGNMENT_CHANGE, "jizzakh-city.executor"),
        (Action.REPORT, "jizzakh-city.executor"),
        (Action.REPORT_DECISION, "jizzakh-city.controller"),
    ]
    assert [event.details.get("to") for event in history[2:]] == [
        Status.IN_PROGRESS,
        Status.REPORTED,
        Status.DONE,
    ]
    assert history[-1].details["document_done"] is True
    assert {event.office_code for event in history[1:]} == {"jizzakh-city"}


def test_without_a_named_controller_the_author_decides_and_a_late_close_shows() -> None:
    head, executor = user("jizzakh-city.head"), user("jizzakh-city.executor")
    assignment = lead_of(write(controller=None))
    report = assignment_report(assignment=assignment, by=executor, text="Bajarildi.")
    with refused(NotAllowed, "Only Rahimov Baxtiyor Odilovich, who controls this assignment"):
        report_decide(report=report, by=user("jizzakh-city.controller"), accept=True)
    # The deadline passed while the report waited.
    Assignment.objects.filter(pk=assignment.pk).update(deadline=in_days(-1))
    assignment_close(assignment=assignment, by=head)
    assignment = fresh(assignment)
    assert assignment.status == Status.DONE
    assert assignment.closed_late


def test_the_document_is_done_only_when_every_assignment_not_cancelled_is_done() -> None:
    head, executor = user("jizzakh-city.head"), user("jizzakh-city.executor")
    lawyer, controller = user("jizzakh-city.lawyer"), user("jizzakh-city.controller")
    resolution = write(co_executors=[lawyer])
    document = resolution.document
    lead, co = lead_of(resolution), resolution.assignments.get(executor=lawyer)
    assert not co.is_lead

    report = assignment_report(assignment=lead, by=executor, text="Bajarildi.")
    report_decide(report=report, by=controller, accept=True)
    document.refresh_from_db()
    assert fresh(lead).status == Status.DONE
    assert document.status == Document.Status.IN_WORK

    assignment_cancel(assignment=co, by=head, reason="Yuriskonsult kerak emas.")
    document.refresh_from_db()
    assert fresh(co).status == Status.CANCELLED
    assert document.status == Document.Status.DONE
    assert last_event(document).details["reason"] == "Yuriskonsult kerak emas."


# --- delegation ----------------------------------------------------------------------------


def test_delegation_reports_to_the_delegating_executor() -> None:
    executor, lawyer = user("jizzakh-city.executor"), user("jizzakh-city.lawyer")
    controller = user("jizzakh-city.controller")
    document = register()
    parent = lead_of(write(document))

    with refused(ValidationError, "cannot be due after"):
        assignment_delegate(
            assignment=parent, by=executor, executor=lawyer, instructions="X", deadline=in_days(11)
        )
    child = assignment_delegate(
        assignment=parent,
        by=executor,
        executor=lawyer,
        instructions="Huquqiy xulosa bering.",
        deadline=in_days(5),
    )
    assert (child.parent, child.executor, child.assigned_by) == (parent, lawyer, executor)
    assert (child.status, child.deadline, child.is_lead) == (Status.NEW, in_days(5), False)
    assert lawyer in document.participants.all()
    assert fresh(parent).status == Status.NEW

    with refused(TransitionError, "Close or cancel the sub-assignments first"):
        assignment_report(assignment=parent, by=executor, text="Tayyor.")

    report = assignment_report(assignment=child, by=lawyer, text="Xulosa ilova qilindi.")
    with refused(NotAllowed, "who controls this assignment"):
        report_decide(report=report, by=controller, accept=True)
    report_decide(report=report, by=executor, accept=True)
    assert fresh(child).status == Status.DONE
    document.refresh_from_db()
    assert document.status == Document.Status.IN_WORK

    assignment_report(assignment=parent, by=executor, text="Tayyor.")
    assignment_close(assignment=parent, by=controller)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE
    assert [event.action for event in audit_history(document)][-6:] == [
        Action.RESOLUTION,
        Action.DELEGATE,
        Action.REPORT,
        Action.REPORT_DECISION,
        Action.REPORT,
        Action.REPORT_DECISION,
    ]


def test_cancelling_an_assignment_withdraws_its_open_sub_assignments() -> None:
    executor, lawyer = user("jizzakh-city.executor"), user("jizzakh-city.lawyer")
    parent = lead_of(write())
    child = assignment_delegate(
        assignment=parent,
        by=executor,
        executor=lawyer,
        instructions="Koʻmaklashing.",
        deadline=in_days(3),
    )
    assignment_request_extension(
        assignment=child, by=lawyer, new_deadline=in_days(4), reason="Kasal"
    )
    assignment_cancel(assignment=parent, by=user("jizzakh-city.head"), reason="Xato yoʻnaltirildi.")
    assert fresh(child).status == Status.CANCELLED
    assert child.extension_requests.get().status == ExtensionRequest.Status.REFUSED
    # Who withdrew it and why stay on the assignment, for the card, not only in the audit trail.
    for withdrawn in (fresh(parent), fresh(child)):
        assert withdrawn.cancelled_by == user("jizzakh-city.head")
        assert withdrawn.cancel_reason == "Xato yoʻnaltirildi."


def test_an_assignment_knows_its_office_and_who_reviews_it() -> None:
    executor, lawyer = user("jizzakh-city.executor"), user("jizzakh-city.lawyer")
    parent = lead_of(write())
    child = assignment_delegate(
        assignment=parent,
        by=executor,
        executor=lawyer,
        instructions="Koʻmaklashing.",
        deadline=in_days(3),
    )
    assert parent.office == child.office == parent.document.office
    assert parent.reviewer == user("jizzakh-city.controller")
    assert child.reviewer == executor


# --- extensions ----------------------------------------------------------------------------


def test_an_accepted_extension_moves_the_deadline() -> None:
    executor, controller = user("jizzakh-city.executor"), user("jizzakh-city.controller")
    assignment = lead_of(write())
    request = assignment_request_extension(
        assignment=assignment, by=executor, new_deadline=in_days(20), reason="Maʼlumot kutilmoqda."
    )
    assert fresh(assignment).status == Status.EXTENSION_REQUESTED
    assert request.old_deadline == in_days(10)

    with refused(TransitionError, "one request at a time"):
        assignment_request_extension(
            assignment=assignment, by=executor, new_deadline=in_days(30), reason="Yana."
        )
    request = extension_decide(request=request, by=controller, accept=True, comment="Mayli.")
    assignment = fresh(assignment)
    assert request.status == ExtensionRequest.Status.ACCEPTED
    assert request.decided_by == controller
    assert (assignment.status, assignment.deadline) == (Status.IN_PROGRESS, in_days(20))
    assert last_event(assignment.document).action == Action.EXTENSION_DECISION


def test_a_refused_extension_keeps_the_deadline() -> None:
    executor, controller = user("jizzakh-city.executor"), user("jizzakh-city.controller")
    assignment = lead_of(write())
    with refused(ValidationError, "must be later than the current one"):
        assignment_request_extension(
            assignment=assignment, by=executor, new_deadline=in_days(10), reason="Vaqt kerak."
        )
    request = assignment_request_extension(
        assignment=assignment, by=executor, new_deadline=in_days(20), reason="Vaqt kerak."
    )
    with refused(NotAllowed, "Only Qodirov Sherzod Baxromovich, who controls"):
        extension_decide(request=request, by=executor, accept=True)
    request = extension_decide(request=request, by=controller, accept=False, comment="Ulgurasiz.")
    assignment = fresh(assignment)
    assert (request.status, request.comment) == (ExtensionRequest.Status.REFUSED, "Ulgurasiz.")
    assert (assignment.status, assignment.deadline) == (Status.IN_PROGRESS, in_days(10))
    with refused(TransitionError, "no extension request awaiting a decision"):
        extension_decide(request=request, by=controller, accept=True)
    # A second request is pending: deciding the first one again still changes nothing.
    assignment_request_extension(
        assignment=assignment, by=executor, new_deadline=in_days(15), reason="Yana vaqt kerak."
    )
    with refused(TransitionError, "This extension request has already been decided."):
        extension_decide(request=request, by=controller, accept=True)


# --- reports -------------------------------------------------------------------------------


def test_a_refused_report_goes_back_in_progress_with_the_comment() -> None:
    executor, controller = user("jizzakh-city.executor"), user("jizzakh-city.controller")
    assignment = lead_of(write())
    report = assignment_report(assignment=assignment, by=executor, text="Qisman bajarildi.")
    report = report_decide(
        report=report, by=controller, accept=False, comment="Moliyaviy hisob-kitob yoʻq."
    )
    assert report.status == AssignmentReport.Status.REFUSED
    assert report.comment == "Moliyaviy hisob-kitob yoʻq."
    assert fresh(assignment).status == Status.IN_PROGRESS
    assert fresh(assignment).closed_on is None
    event = last_event(assignment.document)
    assert (event.action, event.details["comment"]) == (
        Action.REPORT_DECISION,
        "Moliyaviy hisob-kitob yoʻq.",
    )
    # The executor reworks and reports again.
    again = assignment_report(assignment=assignment, by=executor, text="Toʻliq bajarildi.")
    report_decide(report=again, by=controller, accept=True)
    assert fresh(assignment).status == Status.DONE


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username", ["jizzakh-city.executor", "jizzakh-city.registrar", "namangan-city.head"]
)
def test_only_the_head_of_the_office_writes_a_resolution(username: str) -> None:
    document = register()
    with refused(PermissionDenied, "Only the head of the document's office"):
        write(document, by=user(username))


@pytest.mark.parametrize("role", ["lead_executor", "co_executors", "controller"])
def test_staff_of_another_office_cannot_be_given_the_work(role: str) -> None:
    stranger = user("namangan-city.executor")
    document = register()
    with refused(
        ValidationError, "Sobirov Doniyor Akmalovich is not on the active staff of Jizzakh City"
    ):
        write(document, **{role: [stranger] if role == "co_executors" else stranger})


def test_an_inactive_executor_cannot_be_given_the_work() -> None:
    lawyer = user("jizzakh-city.lawyer")
    lawyer.is_active = False
    lawyer.save()
    document = register()
    with refused(ValidationError, "is not on the active staff of"):
        write(document, co_executors=[lawyer])


def test_a_resolution_with_a_passed_deadline_or_the_lead_as_co_executor_is_refused() -> None:
    document = register()
    with refused(ValidationError, "has already passed"):
        write(document, deadline=in_days(-1))
    with refused(ValidationError, "is the lead executor and cannot also be a co-executor"):
        write(document, co_executors=[user("jizzakh-city.executor")])


def test_an_assignment_cannot_be_closed_without_a_report() -> None:
    assignment = lead_of(write())
    assignment_start(assignment=assignment, by=user("jizzakh-city.executor"))
    with refused(TransitionError, "cannot be closed without a report awaiting acceptance"):
        assignment_close(assignment=assignment, by=user("jizzakh-city.controller"))


def test_an_executor_cannot_accept_their_own_report() -> None:
    executor = user("jizzakh-city.executor")
    assignment = lead_of(write())
    report = assignment_report(assignment=assignment, by=executor, text="Bajarildi.")
    with refused(NotAllowed, "Only Qodirov Sherzod Baxromovich, who controls this assignment"):
        report_decide(report=report, by=executor, accept=True)


def test_a_done_assignment_takes_no_more_reports() -> None:
    executor = user("jizzakh-city.executor")
    assignment = lead_of(write())
    assignment_report(assignment=assignment, by=executor, text="Bajarildi.")
    assignment_close(assignment=assignment, by=user("jizzakh-city.controller"))
    with refused(TransitionError, "This assignment is already closed (Done)"):
        assignment_report(assignment=assignment, by=executor, text="Yana bir hisobot.")


def test_only_the_executor_works_on_an_assignment() -> None:
    assignment = lead_of(write())
    with refused(NotAllowed, "Only Toshmatov Jasur Erkinovich, the executor of this assignment"):
        assignment_start(assignment=assignment, by=user("jizzakh-city.lawyer"))
    with refused(NotAllowed, "who gave this assignment, or the resolution's author"):
        assignment_cancel(assignment=assignment, by=user("jizzakh-city.executor"), reason="-")


def test_a_report_is_refused_only_with_a_comment() -> None:
    assignment = lead_of(write())
    report = assignment_report(assignment=assignment, by=user("jizzakh-city.executor"), text="X")
    with refused(ValidationError, "a report is returned with a comment"):
        report_decide(report=report, by=user("jizzakh-city.controller"), accept=False, comment=" ")


def test_delegating_outside_the_office_is_refused() -> None:
    assignment = lead_of(write())
    with refused(ValidationError, "Sobirov Doniyor Akmalovich is not on the active staff"):
        assignment_delegate(
            assignment=assignment,
            by=user("jizzakh-city.executor"),
            executor=user("namangan-city.executor"),
            instructions="Yordam bering.",
            deadline=in_days(5),
        )


# --- the table is the whole truth ----------------------------------------------------------


def prepare(step: Step, assignment: Assignment) -> Callable[[], object]:
    """``step`` as the person allowed to take it, with input that is valid in itself and the
    report or request it decides already there: only the status can refuse it."""
    executor, controller = user("jizzakh-city.executor"), user("jizzakh-city.controller")
    if step is Step.START:
        return lambda: assignment_start(assignment=assignment, by=executor)
    if step is Step.DELEGATE:
        return lambda: assignment_delegate(
            assignment=assignment,
            by=executor,
            executor=user("jizzakh-city.lawyer"),
            instructions="Yordam bering.",
            deadline=assignment.deadline,
        )
    if step is Step.REQUEST_EXTENSION:
        return lambda: assignment_request_extension(
            assignment=assignment, by=executor, new_deadline=in_days(20), reason="Vaqt kerak."
        )
    if step is Step.DECIDE_EXTENSION:
        request = ExtensionRequest.objects.create(
            assignment=assignment,
            requested_by=executor,
            old_deadline=assignment.deadline,
            new_deadline=in_days(20),
            reason="Vaqt kerak.",
        )
        return lambda: extension_decide(request=request, by=controller, accept=True)
    if step is Step.REPORT:
        return lambda: assignment_report(assignment=assignment, by=executor, text="Bajarildi.")
    if step in (Step.ACCEPT_REPORT, Step.REFUSE_REPORT):
        report = AssignmentReport.objects.create(
            assignment=assignment, author=executor, text="Bajarildi."
        )
        accept = step is Step.ACCEPT_REPORT
        return lambda: report_decide(report=report, by=controller, accept=accept, comment="Izoh.")
    head = user("jizzakh-city.head")
    return lambda: assignment_cancel(assignment=assignment, by=head, reason="Kerak emas.")


def test_every_status_and_step_is_in_the_table_or_refused() -> None:
    assert {step for _status, step in TRANSITIONS} == set(Step)
    assert {status for status, _step in TRANSITIONS} == set(Status) - {
        Status.DONE,
        Status.CANCELLED,
    }


@pytest.mark.parametrize(("status", "step"), list(itertools.product(Status, Step)))
def test_a_step_is_taken_exactly_when_the_table_allows_it(status: Status, step: Step) -> None:
    assignment = lead_of(write())
    Assignment.objects.filter(pk=assignment.pk).update(status=status)
    action = prepare(step, fresh(assignment))
    target = TRANSITIONS.get((status, step))
    if target is None:
        with refused(TransitionError, ""):
            action()
    else:
        action()
        assert fresh(assignment).status == target
        assert last_event(assignment.document).details["step"] == step.value

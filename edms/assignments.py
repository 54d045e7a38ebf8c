"""Resolutions and the work on their assignments: one transition table, one service per step.

A head writes a resolution on a document; each executor gets an ``Assignment``, whose status
moves only along ``TRANSITIONS``. ``_transition`` is the one gate: it locks the rows, checks that
the user may take the step and that the table allows it from the current status, and raises
before anything is written. Every step records one audit event on the document in the same
transaction, so the document's history reads as the story of its execution.

Who takes which step (``TAKEN_BY``):

- the assignment's executor starts it, delegates part of it, asks for more time and reports;
- its controller decides extension requests and reports: for the resolution's own assignments
  the resolution's controller (its author when none is named), for a sub-assignment the executor
  who delegated it;
- whoever gave it cancels it: the resolution's author, or the delegating executor for a
  sub-assignment (the resolution's author may cancel those too).
"""

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from edms import access
from edms.audit import Action, audit_record
from edms.models import (
    Assignment,
    AssignmentReport,
    Document,
    ExtensionRequest,
    Office,
    Resolution,
)

Status = Assignment.Status


class Step(StrEnum):
    """What a user can do to an assignment."""

    START = "start"
    DELEGATE = "delegate"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    REPORT = "report"
    ACCEPT_REPORT = "accept_report"
    REFUSE_REPORT = "refuse_report"
    CANCEL = "cancel"


class Party(StrEnum):
    """Who, relative to one assignment, takes a step."""

    EXECUTOR = "executor"
    CONTROLLER = "controller"
    ASSIGNER = "assigner"


# (status now, step) -> status after. A pair that is not here is refused.
TRANSITIONS: dict[tuple[Assignment.Status, Step], Assignment.Status] = {
    (Status.NEW, Step.START): Status.IN_PROGRESS,
    # Delegating hands part of the work on; the delegator's own status stays as it was.
    (Status.NEW, Step.DELEGATE): Status.NEW,
    (Status.IN_PROGRESS, Step.DELEGATE): Status.IN_PROGRESS,
    (Status.EXTENSION_REQUESTED, Step.DELEGATE): Status.EXTENSION_REQUESTED,
    (Status.NEW, Step.REQUEST_EXTENSION): Status.EXTENSION_REQUESTED,
    (Status.IN_PROGRESS, Step.REQUEST_EXTENSION): Status.EXTENSION_REQUESTED,
    # Granted or not, work goes on; a granted request has moved the deadline.
    (Status.EXTENSION_REQUESTED, Step.DECIDE_EXTENSION): Status.IN_PROGRESS,
    (Status.NEW, Step.REPORT): Status.REPORTED,
    (Status.IN_PROGRESS, Step.REPORT): Status.REPORTED,
    (Status.REPORTED, Step.ACCEPT_REPORT): Status.DONE,
    (Status.REPORTED, Step.REFUSE_REPORT): Status.IN_PROGRESS,
    (Status.NEW, Step.CANCEL): Status.CANCELLED,
    (Status.IN_PROGRESS, Step.CANCEL): Status.CANCELLED,
    (Status.EXTENSION_REQUESTED, Step.CANCEL): Status.CANCELLED,
    (Status.REPORTED, Step.CANCEL): Status.CANCELLED,
}

TAKEN_BY: dict[Step, Party] = {
    Step.START: Party.EXECUTOR,
    Step.DELEGATE: Party.EXECUTOR,
    Step.REQUEST_EXTENSION: Party.EXECUTOR,
    Step.DECIDE_EXTENSION: Party.CONTROLLER,
    Step.REPORT: Party.EXECUTOR,
    Step.ACCEPT_REPORT: Party.CONTROLLER,
    Step.REFUSE_REPORT: Party.CONTROLLER,
    Step.CANCEL: Party.ASSIGNER,
}

CLOSED_STATUSES = frozenset({Status.DONE, Status.CANCELLED})
OPEN_STATUSES = frozenset(Status) - CLOSED_STATUSES


class TransitionError(ValidationError):
    """The assignment's status (or its sub-assignments, reports, requests) does not allow the
    step; views show it as a form error."""


class NotAllowed(PermissionDenied):
    """The user may not take this step; views answer 403 with the message."""


def _refused_message(step: Step) -> str:
    # Built at raise time so that gettext answers in the user's language.
    messages = {
        Step.START: _("Only a new assignment can be started."),
        Step.DELEGATE: _("An assignment cannot be delegated while its report awaits acceptance."),
        Step.REQUEST_EXTENSION: _(
            "More time can be asked only for an assignment that is new or in progress, "
            "one request at a time."
        ),
        Step.DECIDE_EXTENSION: _("This assignment has no extension request awaiting a decision."),
        Step.REPORT: _(
            "A report can be submitted only on an assignment that is new or in progress."
        ),
        Step.ACCEPT_REPORT: _(
            "This assignment cannot be closed without a report awaiting acceptance."
        ),
        Step.REFUSE_REPORT: _("This assignment has no report awaiting a decision."),
        Step.CANCEL: _("Only an open assignment can be cancelled."),
    }
    return messages[step]


# --- who is who ----------------------------------------------------------------------------


def person_name(person: User) -> str:
    """How staff are named in messages: the full name of their position, else their account."""
    position = access.staff_position(person)
    if position is not None:
        return position.full_name
    return person.get_full_name() or person.get_username()


def _is_party(user: User, assignment: Assignment, party: Party) -> bool:
    if not user.is_active:
        return False
    if party is Party.EXECUTOR:
        return user.pk == assignment.executor_id
    if party is Party.CONTROLLER:
        return user.pk == assignment.reviewer_id
    return user.pk in (assignment.assigned_by_id, assignment.resolution.author_id)


def _not_allowed_message(assignment: Assignment, party: Party) -> str:
    if party is Party.EXECUTOR:
        return _("Only %(name)s, the executor of this assignment, may do this.") % {
            "name": person_name(assignment.executor)
        }
    if party is Party.CONTROLLER:
        return _(
            "Only %(name)s, who controls this assignment, may decide on its reports "
            "and extension requests."
        ) % {"name": person_name(assignment.reviewer)}
    return _(
        "Only %(name)s, who gave this assignment, or the resolution's author may cancel it."
    ) % {"name": person_name(assignment.assigned_by)}


def assignment_steps_for(*, assignment: Assignment, user: User) -> list[Step]:
    """The steps the user may take on the assignment now (the buttons to show)."""
    status = Status(assignment.status)
    return [
        step
        for step in Step
        if (status, step) in TRANSITIONS and _is_party(user, assignment, TAKEN_BY[step])
    ]


def _transition(
    assignment: Assignment, step: Step, by: User
) -> tuple[Assignment, Assignment.Status]:
    """Lock the assignment, check the user and the table; return it and the status it moves to.

    Call inside ``transaction.atomic``; the caller writes, so a refusal here changes nothing.
    """
    # Document first, then the assignment, in every step: steps on one document queue in the
    # same order (no deadlock), and the step that closes the last assignment sees all the others.
    # No select_related: on PostgreSQL a join would lock the joined rows (the office) as well.
    document = Document.objects.select_for_update().get(pk=assignment.document_id)
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    locked.document = document
    party = TAKEN_BY[step]
    if not _is_party(by, locked, party):
        raise NotAllowed(_not_allowed_message(locked, party))
    status = Status(locked.status)
    if status in CLOSED_STATUSES:
        raise TransitionError(
            _("This assignment is already closed (%(status)s); nothing more can be done on it."),
            code="closed",
            params={"status": locked.get_status_display()},
        )
    target = TRANSITIONS.get((status, step))
    if target is None:
        raise TransitionError(_refused_message(step), code="illegal_transition")
    return locked, target


# --- checks on what the user typed ---------------------------------------------------------


def _required(value: str, message: str, code: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError(message, code=code)
    return value


def _day(value: date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _check_deadline(deadline: date) -> None:
    if deadline < timezone.localdate():
        raise ValidationError(
            _("The deadline %(date)s has already passed."),
            code="deadline_passed",
            params={"date": _day(deadline)},
        )


def _check_staff(person: User, office: Office) -> None:
    # Work goes only to people who can open the office's documents: its active staff.
    if access.user_office(person) != office:
        raise ValidationError(
            _("%(person)s is not on the active staff of %(office)s."),
            code="not_staff",
            params={"person": person_name(person), "office": office.name},
        )


def _unique(people: Iterable[User]) -> list[User]:
    seen: dict[int, User] = {}
    for person in people:
        seen.setdefault(person.pk, person)
    return list(seen.values())


# --- audit and the document's status -------------------------------------------------------


def _record(
    *, by: User, action: str, assignment: Assignment, step: Step, before: str, **details: Any
) -> None:
    audit_record(
        actor=by,
        action=action,
        obj=assignment.document,
        office_code=assignment.document.office.code,
        details={
            "assignment": assignment.pk,
            "executor": assignment.executor.get_username(),
            "step": step.value,
            "from": before,
            "to": assignment.status,
            **details,
        },
    )


def _document_settle(document: Document) -> bool:
    """The document is done once every assignment on it that was not cancelled is done."""
    statuses = set(
        Assignment.objects.filter(document=document)
        .exclude(status=Status.CANCELLED)
        .values_list("status", flat=True)
    )
    # All cancelled means nobody did the work: the document waits for a new resolution.
    if statuses != {Status.DONE} or document.status == Document.Status.DONE:
        return False
    document.status = Document.Status.DONE
    document.save(update_fields=["status"])
    return True


# --- services ------------------------------------------------------------------------------


def resolution_write(
    *,
    document: Document,
    by: User,
    text: str,
    deadline: date,
    lead_executor: User,
    co_executors: Iterable[User] = (),
    controller: User | None = None,
) -> Resolution:
    """The head of the document's office gives it to active staff of that office, one assignment
    per executor, with a deadline that has not passed."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if not access.can_write_resolution(by, document):
            raise NotAllowed(
                _("Only the head of the document's office may write a resolution on it.")
            )
        if document.status == Document.Status.CLOSED:
            raise ValidationError(
                _("The document is closed and takes no more resolutions."), code="document_closed"
            )
        text = _required(text, _("Write the text of the resolution."), "text_required")
        _check_deadline(deadline)
        co = _unique(co_executors)
        if any(person.pk == lead_executor.pk for person in co):
            raise ValidationError(
                _("%(person)s is the lead executor and cannot also be a co-executor."),
                code="lead_is_co_executor",
                params={"person": person_name(lead_executor)},
            )
        for person in [lead_executor, *co, *([controller] if controller else [])]:
            _check_staff(person, document.office)

        resolution = Resolution.objects.create(
            document=document, author=by, text=text, deadline=deadline, controller=controller
        )
        for person in [lead_executor, *co]:
            Assignment.objects.create(
                resolution=resolution,
                document=document,
                office_id=document.office_id,
                reviewer=controller or by,
                executor=person,
                is_lead=person.pk == lead_executor.pk,
                assigned_by=by,
                deadline=deadline,
            )
        # The people on a document are the ones who see it when it is confidential.
        document.participants.add(by, lead_executor, *co, *([controller] if controller else []))
        before = document.status
        document.status = Document.Status.IN_WORK
        document.save(update_fields=["status"])
        audit_record(
            actor=by,
            action=Action.RESOLUTION,
            obj=document,
            office_code=document.office.code,
            details={
                "resolution": resolution.pk,
                "deadline": deadline,
                "lead_executor": lead_executor.get_username(),
                "co_executors": [person.get_username() for person in co],
                "controller": (controller or by).get_username(),
                "document_from": before,
                "document_to": document.status,
            },
        )
        return resolution


def assignment_start(*, assignment: Assignment, by: User) -> Assignment:
    """The executor starts work on a new assignment."""
    with transaction.atomic():
        locked, target = _transition(assignment, Step.START, by)
        before, locked.status = locked.status, target
        locked.save(update_fields=["status"])
        _record(
            by=by,
            action=Action.ASSIGNMENT_CHANGE,
            assignment=locked,
            step=Step.START,
            before=before,
        )
        return locked


def assignment_delegate(
    *, assignment: Assignment, by: User, executor: User, instructions: str, deadline: date
) -> Assignment:
    """The executor hands part of the work to another member of the office's staff, due no later
    than their own deadline; the sub-assignment reports back to them."""
    with transaction.atomic():
        parent, _target = _transition(assignment, Step.DELEGATE, by)
        instructions = _required(
            instructions, _("Write what the sub-assignment is to do."), "instructions_required"
        )
        if executor.pk == by.pk:
            raise ValidationError(
                _("An assignment cannot be delegated to its own executor."), code="self_delegate"
            )
        _check_staff(executor, parent.document.office)
        _check_deadline(deadline)
        if deadline > parent.deadline:
            raise ValidationError(
                _(
                    "A sub-assignment cannot be due after %(date)s, the deadline of the "
                    "assignment it comes from."
                ),
                code="deadline_after_parent",
                params={"date": _day(parent.deadline)},
            )
        child = Assignment.objects.create(
            resolution_id=parent.resolution_id,
            document=parent.document,
            office_id=parent.office_id,
            parent=parent,
            reviewer=by,
            executor=executor,
            assigned_by=by,
            instructions=instructions,
            deadline=deadline,
        )
        parent.document.participants.add(executor)
        _record(
            by=by,
            action=Action.DELEGATE,
            assignment=parent,
            step=Step.DELEGATE,
            before=parent.status,
            sub_assignment=child.pk,
            sub_executor=executor.get_username(),
            deadline=deadline,
        )
        return child


def assignment_request_extension(
    *, assignment: Assignment, by: User, new_deadline: date, reason: str
) -> ExtensionRequest:
    """The executor asks, with a reason and one request at a time, for a later deadline; a
    sub-assignment cannot ask for more than the assignment it comes from has."""
    with transaction.atomic():
        locked, target = _transition(assignment, Step.REQUEST_EXTENSION, by)
        reason = _required(reason, _("Give the reason for more time."), "reason_required")
        if new_deadline <= locked.deadline:
            raise ValidationError(
                _("The new deadline must be later than the current one, %(date)s."),
                code="deadline_not_later",
                params={"date": _day(locked.deadline)},
            )
        if locked.parent is not None and new_deadline > locked.parent.deadline:
            raise ValidationError(
                _(
                    "A sub-assignment cannot be due after %(date)s, the deadline of the "
                    "assignment it comes from."
                ),
                code="deadline_after_parent",
                params={"date": _day(locked.parent.deadline)},
            )
        request = ExtensionRequest.objects.create(
            assignment=locked,
            requested_by=by,
            old_deadline=locked.deadline,
            new_deadline=new_deadline,
            reason=reason,
        )
        before, locked.status = locked.status, target
        locked.save(update_fields=["status"])
        _record(
            by=by,
            action=Action.EXTENSION_REQUEST,
            assignment=locked,
            step=Step.REQUEST_EXTENSION,
            before=before,
            request=request.pk,
            old_deadline=request.old_deadline,
            new_deadline=new_deadline,
            reason=reason,
        )
        return request


def extension_decide(
    *, request: ExtensionRequest, by: User, accept: bool, comment: str = ""
) -> ExtensionRequest:
    """The controller grants the later deadline or keeps the current one; work goes on."""
    with transaction.atomic():
        locked, target = _transition(request.assignment, Step.DECIDE_EXTENSION, by)
        request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ExtensionRequest.Status.PENDING:
            raise TransitionError(
                _("This extension request has already been decided."), code="decided"
            )
        comment = comment.strip()
        request.status = (
            ExtensionRequest.Status.ACCEPTED if accept else ExtensionRequest.Status.REFUSED
        )
        request.decided_by, request.decided_at, request.comment = by, timezone.now(), comment
        request.save(update_fields=["status", "decided_by", "decided_at", "comment"])
        before, locked.status = locked.status, target
        if accept:
            locked.deadline = request.new_deadline
        locked.save(update_fields=["status", "deadline"])
        request.assignment = locked
        _record(
            by=by,
            action=Action.EXTENSION_DECISION,
            assignment=locked,
            step=Step.DECIDE_EXTENSION,
            before=before,
            request=request.pk,
            accepted=accept,
            deadline=locked.deadline,
            comment=comment,
        )
        return request


def assignment_report(*, assignment: Assignment, by: User, text: str) -> AssignmentReport:
    """The executor reports the work done, once every sub-assignment they gave is closed."""
    with transaction.atomic():
        locked, target = _transition(assignment, Step.REPORT, by)
        text = _required(text, _("Write what was done."), "text_required")
        waiting = [
            person_name(child.executor)
            for child in locked.children.filter(status__in=OPEN_STATUSES).select_related("executor")
        ]
        if waiting:
            raise TransitionError(
                _("Close or cancel the sub-assignments first; still open: %(names)s."),
                code="open_sub_assignments",
                params={"names": ", ".join(waiting)},
            )
        report = AssignmentReport.objects.create(assignment=locked, author=by, text=text)
        before, locked.status = locked.status, target
        locked.save(update_fields=["status"])
        report.assignment = locked
        _record(
            by=by,
            action=Action.REPORT,
            assignment=locked,
            step=Step.REPORT,
            before=before,
            report=report.pk,
        )
        return report


def report_decide(
    *, report: AssignmentReport, by: User, accept: bool, comment: str = ""
) -> AssignmentReport:
    """The controller accepts a report, which closes the assignment (and the document once all
    its assignments are done), or returns it for rework with a comment saying why."""
    step = Step.ACCEPT_REPORT if accept else Step.REFUSE_REPORT
    with transaction.atomic():
        locked, target = _transition(report.assignment, step, by)
        report = AssignmentReport.objects.select_for_update().get(pk=report.pk)
        if report.status != AssignmentReport.Status.SUBMITTED:
            raise TransitionError(_("This report has already been decided."), code="decided")
        comment = comment.strip()
        if not accept and not comment:
            raise ValidationError(
                _("Say what has to be redone: a report is returned with a comment."),
                code="comment_required",
            )
        now = timezone.now()
        report.status = (
            AssignmentReport.Status.ACCEPTED if accept else AssignmentReport.Status.REFUSED
        )
        report.reviewed_by, report.reviewed_at, report.comment = by, now, comment
        report.save(update_fields=["status", "reviewed_by", "reviewed_at", "comment"])
        before, locked.status = locked.status, target
        if accept:
            locked.closed_at, locked.closed_on = now, timezone.localdate(now)
        locked.save(update_fields=["status", "closed_at", "closed_on"])
        report.assignment = locked
        document_done = accept and _document_settle(locked.document)
        _record(
            by=by,
            action=Action.REPORT_DECISION,
            assignment=locked,
            step=step,
            before=before,
            report=report.pk,
            accepted=accept,
            comment=comment,
            closed_late=locked.closed_late,
            document_done=document_done,
        )
        return report


def assignment_close(*, assignment: Assignment, by: User, comment: str = "") -> AssignmentReport:
    """The controller closes an assignment by accepting the report that awaits acceptance."""
    with transaction.atomic():
        locked, _target = _transition(assignment, Step.ACCEPT_REPORT, by)
        report = (
            locked.reports.filter(status=AssignmentReport.Status.SUBMITTED)
            .order_by("-created_at", "-pk")
            .first()
        )
        if report is None:
            raise TransitionError(_refused_message(Step.ACCEPT_REPORT), code="no_report")
        return report_decide(report=report, by=by, accept=True, comment=comment)


def assignment_cancel(*, assignment: Assignment, by: User, reason: str) -> Assignment:
    """Whoever gave an open assignment, or the resolution's author, withdraws it with a reason;
    the sub-assignments still open under it are withdrawn with it."""
    with transaction.atomic():
        locked, target = _transition(assignment, Step.CANCEL, by)
        reason = _required(reason, _("Give the reason for cancelling."), "reason_required")
        withdrawn = [locked]
        level = [locked.pk]
        while level:
            children = list(
                Assignment.objects.select_for_update().filter(
                    parent_id__in=level, status__in=OPEN_STATUSES
                )
            )
            withdrawn += children
            level = [child.pk for child in children]
        before = locked.status
        ids = [item.pk for item in withdrawn]
        now = timezone.now()
        Assignment.objects.filter(pk__in=ids).update(
            status=target, cancelled_by=by, cancel_reason=reason
        )
        locked.status, locked.cancelled_by, locked.cancel_reason = target, by, reason
        # Nothing is left to decide on a withdrawn assignment: its pending questions are closed
        # with the reason, so that they leave the controllers' queues.
        ExtensionRequest.objects.filter(
            assignment_id__in=ids, status=ExtensionRequest.Status.PENDING
        ).update(
            status=ExtensionRequest.Status.REFUSED, decided_by=by, decided_at=now, comment=reason
        )
        AssignmentReport.objects.filter(
            assignment_id__in=ids, status=AssignmentReport.Status.SUBMITTED
        ).update(
            status=AssignmentReport.Status.REFUSED, reviewed_by=by, reviewed_at=now, comment=reason
        )
        document_done = _document_settle(locked.document)
        _record(
            by=by,
            action=Action.ASSIGNMENT_CHANGE,
            assignment=locked,
            step=Step.CANCEL,
            before=before,
            reason=reason,
            also_cancelled=ids[1:],
            document_done=document_done,
        )
        return locked

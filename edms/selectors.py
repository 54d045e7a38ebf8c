"""Reads shaped for lists: the office directory, the inbox, execution control."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.db.models import Count, F, Q, QuerySet

from edms.access import documents_visible_to, has_role, staff_position, user_office
from edms.assignments import OPEN_STATUSES
from edms.calendar import add_working_days, working_days_left
from edms.models import (
    ApprovalStep,
    Assignment,
    AssignmentReport,
    Dispatch,
    Document,
    Draft,
    ExtensionRequest,
    Office,
)
from edms.roles import Role


def offices_by_region() -> list[tuple[Office, list[Office]]]:
    """Each region with its offices: the regional khokimiyat first, then cities, then districts."""
    kind_order = {Office.Kind.REGION: 0, Office.Kind.CITY: 1, Office.Kind.DISTRICT: 2}
    offices = list(Office.objects.filter(is_active=True).select_related("parent"))
    regions = [office for office in offices if office.parent_id is None]
    grouped = []
    for region in regions:
        members = [o for o in offices if o.pk == region.pk or o.parent_id == region.pk]
        members.sort(key=lambda o: (kind_order[Office.Kind(o.kind)], o.sort_order, o.name))
        grouped.append((region, members))
    return grouped


# --- The workspace: inbox and execution control ---------------------------------------------


@dataclass(frozen=True)
class Inbox:
    assignments: list[Assignment]
    to_resolve: list[Document]
    reports_to_review: list[AssignmentReport]
    extensions_to_decide: list[ExtensionRequest]
    incoming_from_offices: list[Dispatch]
    for_my_department: list[Document]
    to_approve: list[ApprovalStep]
    to_sign: list[ApprovalStep]
    my_drafts: list[Draft]
    days_left: dict[date, int]


def pending_steps(user: User) -> QuerySet[ApprovalStep]:
    """Route steps waiting for ``user``'s visa or signature now."""
    return ApprovalStep.objects.filter(
        approver=user, status=ApprovalStep.Status.PENDING, draft__status=Draft.Status.ON_ROUTE
    )


def drafts_in_preparation(user: User) -> QuerySet[Draft]:
    """The user's own drafts that are not signed yet (returned ones need them)."""
    return Draft.objects.filter(
        author=user, status__in=[Draft.Status.RETURNED, Draft.Status.ON_ROUTE]
    )


def inbox_for(user: User, *, today: date, limit: int = 50) -> Inbox:
    """What waits for ``user``: their open assignments, resolutions, reviews, incoming exchange."""
    office = user_office(user)
    visible = documents_visible_to(user)
    assignments = list(
        Assignment.objects.filter(executor=user, status__in=OPEN_STATUSES)
        .select_related("document", "resolution__author")
        .order_by("deadline", "pk")[:limit]
    )
    to_resolve: list[Document] = []
    if office is not None and has_role(user, Role.HEAD, office):
        to_resolve = list(
            visible.filter(office=office, status=Document.Status.REGISTERED)
            .exclude(kind=Document.Kind.OUTGOING)
            .select_related("journal")
            .order_by("due_date", "reg_date")[:limit]
        )
    reports = list(
        AssignmentReport.objects.filter(
            assignment__reviewer=user, status=AssignmentReport.Status.SUBMITTED
        )
        .select_related("assignment__document", "assignment__executor")
        .order_by("created_at")[:limit]
    )
    extensions = list(
        ExtensionRequest.objects.filter(
            assignment__reviewer=user, status=ExtensionRequest.Status.PENDING
        )
        .select_related("assignment__document", "requested_by")
        .order_by("created_at")[:limit]
    )
    incoming: list[Dispatch] = []
    if office is not None and has_role(user, Role.REGISTRAR, office):
        incoming = list(
            Dispatch.objects.filter(recipient_office=office, status=Dispatch.Status.DELIVERED)
            .select_related("document__office")
            .order_by("sent_at")[:limit]
        )
    # A department's head sees what was routed to the department and awaits a resolution.
    for_department: list[Document] = []
    position = staff_position(user)
    if position is not None and position.is_lead and position.department_id is not None:
        for_department = list(
            visible.filter(department_id=position.department_id, status=Document.Status.REGISTERED)
            .select_related("journal")
            .order_by("due_date", "reg_date")[:limit]
        )
    steps = list(
        pending_steps(user)
        .select_related("draft", "draft__reply_to")
        .order_by("deadline", "pk")[:limit]
    )
    to_approve = [step for step in steps if step.kind == ApprovalStep.Kind.VISA]
    to_sign = [step for step in steps if step.kind == ApprovalStep.Kind.SIGNATURE]
    my_drafts = list(drafts_in_preparation(user).order_by("-status", "-created_at")[:limit])
    deadlines = (
        [a.deadline for a in assignments]
        + [d.due_date for d in [*to_resolve, *for_department] if d.due_date]
        + [step.deadline for step in steps if step.deadline]
    )
    return Inbox(
        assignments=assignments,
        to_resolve=to_resolve,
        reports_to_review=reports,
        extensions_to_decide=extensions,
        incoming_from_offices=incoming,
        for_my_department=for_department,
        to_approve=to_approve,
        to_sign=to_sign,
        my_drafts=my_drafts,
        days_left=working_days_left(today=today, deadlines=deadlines, office=office),
    )


@dataclass(frozen=True)
class ControlCounts:
    overdue: int
    due_today: int
    due_soon: int
    closed_on_time: int
    closed_late: int


CONTROL_BUCKETS = ("overdue", "due_today", "due_soon", "closed_on_time", "closed_late")


def control_assignments(
    *,
    office: Office,
    today: date,
    department_id: int | None = None,
    executor_id: int | None = None,
    kind: str = "",
) -> tuple[QuerySet[Assignment], dict[str, Q], ControlCounts]:
    """Top-level assignments of an office with the control buckets and their counts.

    Due soon means within the next 3 working days (after today).
    """
    soon = add_working_days(today, 3, office=office)
    assignments = Assignment.objects.filter(office=office, parent__isnull=True)
    if department_id:
        assignments = assignments.filter(document__department_id=department_id)
    if executor_id:
        assignments = assignments.filter(executor_id=executor_id)
    if kind:
        assignments = assignments.filter(document__kind=kind)
    open_q = Q(status__in=OPEN_STATUSES)
    buckets = {
        "overdue": open_q & Q(deadline__lt=today),
        "due_today": open_q & Q(deadline=today),
        "due_soon": open_q & Q(deadline__gt=today, deadline__lte=soon),
        "closed_on_time": Q(status=Assignment.Status.DONE, closed_on__lte=F("deadline")),
        "closed_late": Q(status=Assignment.Status.DONE, closed_on__gt=F("deadline")),
    }
    counts = assignments.aggregate(**{name: Count("pk", filter=q) for name, q in buckets.items()})
    return assignments, buckets, ControlCounts(**counts)


def waiting_count(user: User) -> int:
    """How many things wait for ``user`` (the badge in the header): open assignments, documents
    to resolve (heads) or new for their department (department heads), reports and requests to
    decide, drafts to approve or sign and their own drafts returned to them, and documents from
    other offices to register (registrars)."""
    office = user_office(user)
    count = Assignment.objects.filter(executor=user, status__in=OPEN_STATUSES).count()
    count += pending_steps(user).count()
    count += Draft.objects.filter(author=user, status=Draft.Status.RETURNED).count()
    count += AssignmentReport.objects.filter(
        assignment__reviewer=user, status=AssignmentReport.Status.SUBMITTED
    ).count()
    count += ExtensionRequest.objects.filter(
        assignment__reviewer=user, status=ExtensionRequest.Status.PENDING
    ).count()
    if office is None:
        return count
    registered = Document.objects.filter(office=office, status=Document.Status.REGISTERED)
    if has_role(user, Role.HEAD, office):
        count += registered.exclude(kind=Document.Kind.OUTGOING).count()
    else:
        position = staff_position(user)
        if position is not None and position.is_lead and position.department_id is not None:
            count += registered.filter(department_id=position.department_id).count()
    if has_role(user, Role.REGISTRAR, office):
        count += Dispatch.objects.filter(
            recipient_office=office, status=Dispatch.Status.DELIVERED
        ).count()
    return count

"""The staff workspace: inbox, documents, registration, resolutions, exchange, control.

Views stay thin: they read through ``edms.selectors`` and ``edms.access`` and change things only
through the services. A document the user may not see answers 404, as if it did not exist.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.params import OfficeQuery, read_post, read_query
from core.site import absolute_url
from edms import assignments, exchange
from edms.access import (
    can_register_in,
    can_view_document,
    can_write_resolution,
    documents_visible_to,
    has_role,
    is_staff_member,
    user_office,
)
from edms.approvals import FINISHED, can_prepare_draft, current_route, drafts_visible_to
from edms.assignments import Step, assignment_steps_for
from edms.attachments import attachment_add, version_file_response
from edms.audit import Action, audit_history, audit_record
from edms.filters import ControlFilter, DocumentFilter
from edms.forms import (
    JOURNAL_KIND_TO_DOCUMENT,
    AssignmentStepForm,
    DispatchForm,
    DocumentRegisterForm,
    ReasonForm,
    ResolutionForm,
    text_form,
)
from edms.models import (
    ApprovalStep,
    Assignment,
    AssignmentReport,
    Attachment,
    AttachmentVersion,
    Dispatch,
    Document,
    Draft,
    ExtensionRequest,
    Office,
)
from edms.registration import document_register
from edms.roles import Role
from edms.selectors import CONTROL_BUCKETS, control_assignments, inbox_for
from portal.qr import qr_svg

View = Callable[..., HttpResponseBase]


def staff_required(view: View) -> View:
    """Signed-in staff only: others go to the login page, or get 403 when signed in."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not do this.")


def staff_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # staff_required let only signed-in users through
    return user


def the_office(request: HttpRequest) -> Office:
    office = user_office(request.user)
    if office is None:  # a superuser without a position picks one
        code = read_query(request, OfficeQuery)["office"]
        office = get_object_or_404(Office, code=code or None)
    return office


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "edms/inbox.html",
        {"inbox": inbox_for(staff_user(request), today=today), "today": today},
    )


@staff_required
def document_list(request: HttpRequest) -> HttpResponse:
    documents = documents_visible_to(request.user).select_related("office", "journal", "department")
    filters = read_query(request, DocumentFilter)
    query, kind, status = filters["q"], filters["kind"], filters["status"]
    if query:
        # A registration number is the usual query: an exact match uses its index.
        exact = documents.filter(reg_number=query)
        documents = (
            exact
            if exact.exists()
            else documents.filter(
                Q(reg_number__iexact=query)
                | Q(title__icontains=query)
                | Q(summary__icontains=query)
            )
        )
    if kind:
        documents = documents.filter(kind=kind)
    if status:
        documents = documents.filter(status=status)
    page = Paginator(documents.order_by("-reg_date", "-pk"), 25).get_page(filters["page"])
    return render(
        request,
        "edms/document_list.html",
        {
            "page_obj": page,
            "query": query,
            "kind": kind,
            "status": status,
            "kinds": Document.Kind.choices,
            "statuses": Document.Status.choices,
        },
    )


@staff_required
def document_register_view(request: HttpRequest) -> HttpResponse:
    office = the_office(request)
    if not can_register_in(request.user, office):
        raise PermissionDenied
    form = DocumentRegisterForm(
        request.POST or None, request.FILES or None, office=office, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        today = timezone.localdate()
        try:
            document = document_register(
                journal=data["journal"],
                kind=JOURNAL_KIND_TO_DOCUMENT[data["journal"].kind],
                title=data["title"],
                summary=data["summary"],
                channel=data["channel"],
                correspondent_kind=data["correspondent_kind"],
                correspondent_name=data["correspondent_name"],
                correspondent_office=data["correspondent_office"],
                department=data["department"],
                is_confidential=data["is_confidential"],
                due_date=form.due(today),
                reply_to=data["reply_to"],
                by=staff_user(request),
                on=today,
                files=[data["scan"]] if data["scan"] else [],
            )
        except ValidationError as error:
            # The file was refused: nothing was registered, and the form keeps what was typed.
            form.add_error("scan", error)
        else:
            messages.success(
                request, _("Registered as %(number)s.") % {"number": document.reg_number}
            )
            return redirect("edms:document", pk=document.pk)
    return render(request, "edms/document_register.html", {"form": form, "office": office})


def visible_document(request: HttpRequest, pk: int) -> Document:
    return get_object_or_404(
        documents_visible_to(request.user).select_related(
            "office", "journal", "department", "correspondent_office", "reply_to"
        ),
        pk=pk,
    )


@staff_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = visible_document(request, pk)
    user = staff_user(request)
    if document.is_confidential:
        audit_record(
            actor=user,
            action=Action.VIEW_CONFIDENTIAL,
            obj=document,
            office_code=document.office.code,
        )
    office = user_office(user)
    resolutions = document.resolutions.select_related("author", "controller").prefetch_related(
        "assignments__executor", "assignments__reports", "assignments__children__executor"
    )
    steps = {
        assignment.pk: assignment_steps_for(assignment=assignment, user=user)
        for resolution in resolutions
        for assignment in resolution.assignments.all()
    }
    context = {
        "document": document,
        "steps": steps,
        "staff": document.office.positions.select_related("user"),
        "attachments": document.attachments.prefetch_related("versions"),
        "resolutions": resolutions,
        "dispatches": document.dispatches.select_related("recipient_office", "registered_document"),
        "history": audit_history(document),
        "can_resolve": can_write_resolution(user, document),
        "can_send": office == document.office and has_role(user, Role.REGISTRAR, office),
        "dispatch_form": DispatchForm(),
        "drafts": drafts_visible_to(user).filter(reply_to=document).order_by("-created_at"),
        "can_draft": document.kind != Document.Kind.APPLICATION
        and can_prepare_draft(user, document, document.office),
        "signed_route": _signed_route(document),
    }
    return render(request, "edms/document_detail.html", context)


def _signed_route(document: Document) -> list[ApprovalStep]:
    """The visas and the signature of the draft this document was registered from."""
    draft = Draft.objects.filter(result_document=document).first()
    if draft is None:
        return []
    return [step for step in current_route(draft) if step.status in FINISHED]


@staff_required
def resolution_create(request: HttpRequest, pk: int) -> HttpResponse:
    document = visible_document(request, pk)
    user = staff_user(request)
    if not can_write_resolution(user, document):
        raise PermissionDenied
    form = ResolutionForm(request.POST or None, office=document.office)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignments.resolution_write(
                document=document,
                by=user,
                text=data["text"],
                deadline=data["deadline"],
                lead_executor=data["lead_executor"],
                co_executors=list(data["co_executors"]),
                controller=data["controller"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The resolution is written and the executors notified."))
            return redirect("edms:document", pk=document.pk)
    return render(request, "edms/resolution_form.html", {"form": form, "document": document})


@staff_required
@require_POST
def document_send(request: HttpRequest, pk: int) -> HttpResponse:
    document = visible_document(request, pk)
    form = DispatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("edms:document", pk=pk)
    try:
        dispatch = exchange.document_dispatch(
            document=document, by=staff_user(request), **form.cleaned_data
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        if dispatch.channel == Dispatch.Channel.PAPER:
            messages.success(request, _("The dispatch is recorded: print its cover sheet."))
            return redirect("edms:dispatch_print", pk=dispatch.pk)
        messages.success(request, _("The document is sent."))
    return redirect("edms:document", pk=pk)


@staff_required
def dispatch_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The cover sheet of a paper dispatch, to print and post: the office's letterhead, the
    number and date, the addressee, the files with their fingerprints, and the QR code that
    lets the addressee check it at /verify/."""
    dispatch = get_object_or_404(
        Dispatch.objects.select_related("document__office"),
        pk=pk,
        channel=Dispatch.Channel.PAPER,
    )
    document = visible_document(request, dispatch.document_id)
    if user_office(request.user) not in (None, document.office):
        raise Http404  # only the sending office prints its own dispatches
    verify_url = absolute_url(reverse("verify", kwargs={"code": dispatch.verification_code}))
    return render(
        request,
        "edms/dispatch_print.html",
        {
            "dispatch": dispatch,
            "document": document,
            "files": exchange.dispatched_files(dispatch),
            "verify_url": verify_url,
            "qr": mark_safe(qr_svg(verify_url)),  # noqa: S308 - SVG made by qrcode from our URL
        },
    )


@staff_required
def exchange_incoming(request: HttpRequest) -> HttpResponse:
    office = the_office(request)
    if not can_register_in(request.user, office):
        raise PermissionDenied
    return render(
        request,
        "edms/exchange_incoming.html",
        {"dispatches": exchange.pending_dispatches(office=office), "form": ReasonForm()},
    )


@staff_required
@require_POST
def dispatch_handle(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("register", "return"):
        raise Http404
    office = the_office(request)
    if not can_register_in(request.user, office):
        raise PermissionDenied
    dispatch = get_object_or_404(Dispatch, pk=pk, recipient_office=office)
    user = staff_user(request)
    try:
        if action == "register":
            registered = exchange.dispatch_register(dispatch=dispatch, by=user)
            messages.success(
                request, _("Registered as %(number)s.") % {"number": registered.reg_number}
            )
            return redirect("edms:document", pk=registered.pk)
        reason = read_post(request, text_form("reason", _("Reason")))["reason"]
        exchange.dispatch_return(dispatch=dispatch, by=user, reason=reason)
        messages.success(request, _("The document is returned to the sender."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    return redirect("edms:exchange")


@staff_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    version = get_object_or_404(
        AttachmentVersion.objects.select_related("attachment__document__office"), pk=pk
    )
    document = version.attachment.document
    if not can_view_document(request.user, document):
        raise Http404  # the same answer as for a file that does not exist
    audit_record(
        actor=staff_user(request),
        action=Action.DOWNLOAD,
        obj=version,
        office_code=document.office.code,
        details={"document": document.pk, "sha256": version.sha256},
    )
    return version_file_response(version)


@staff_required
def control(request: HttpRequest) -> HttpResponse:
    office = the_office(request)
    allowed = any(
        has_role(request.user, role, office)
        for role in (Role.CONTROLLER, Role.HEAD, Role.REGISTRAR, Role.OFFICE_ADMIN)
    ) or getattr(request.user, "is_superuser", False)
    if not allowed:
        raise PermissionDenied
    today = timezone.localdate()

    filters = read_query(request, ControlFilter)
    assignments, buckets, counts = control_assignments(
        office=office,
        today=today,
        department_id=filters["department"],
        executor_id=filters["executor"],
        kind=filters["kind"],
    )
    bucket = filters["show"] or "overdue"
    rows = (
        assignments.filter(buckets[bucket])
        .select_related("document", "executor__position", "document__department")
        .order_by("deadline", "pk")
    )
    page = Paginator(rows, 50).get_page(filters["page"])
    return render(
        request,
        "edms/control.html",
        {
            "office": office,
            "counts": counts,
            "bucket": bucket,
            "buckets": CONTROL_BUCKETS,
            "page_obj": page,
            "departments": office.departments.all(),
            "executors": office.positions.select_related("user"),
            "kinds": Document.Kind.choices,
            "filters": filters,
            "today": today,
        },
    )


def _assignment_step(request: HttpRequest, assignment: Assignment, step: Step) -> str:
    """Run one step from the card's form; returns the success message."""
    user, post = staff_user(request), read_post(request, AssignmentStepForm)
    if step == Step.START:
        assignments.assignment_start(assignment=assignment, by=user)
        return _("Work on the assignment has started.")
    if step == Step.DELEGATE:
        executor = get_user_model().objects.filter(pk=post["executor"] or 0).first()
        deadline = post["deadline"]
        if executor is None or deadline is None:
            raise ValidationError(_("Choose the executor and the deadline."))
        assignments.assignment_delegate(
            assignment=assignment,
            by=user,
            executor=executor,
            instructions=post["text"],
            deadline=deadline,
        )
        return _("Part of the assignment is delegated.")
    if step == Step.REQUEST_EXTENSION:
        new_deadline = post["deadline"]
        if new_deadline is None:
            raise ValidationError(_("Give the new deadline."))
        assignments.assignment_request_extension(
            assignment=assignment, by=user, new_deadline=new_deadline, reason=post["text"]
        )
        return _("More time is asked for.")
    if step == Step.DECIDE_EXTENSION:
        pending = assignment.extension_requests.filter(status=ExtensionRequest.Status.PENDING)
        request_row = get_object_or_404(pending)
        accept = post["accept"] == "yes"
        assignments.extension_decide(
            request=request_row, by=user, accept=accept, comment=post["text"]
        )
        return _("The request for more time is decided.")
    if step == Step.REPORT:
        assignments.assignment_report(assignment=assignment, by=user, text=post["text"])
        return _("The report is sent for acceptance.")
    if step in (Step.ACCEPT_REPORT, Step.REFUSE_REPORT):
        report = get_object_or_404(
            assignment.reports.filter(status=AssignmentReport.Status.SUBMITTED)
        )
        assignments.report_decide(
            report=report,
            by=user,
            accept=step == Step.ACCEPT_REPORT,
            comment=post["text"],
        )
        return _("The report is decided.")
    assignments.assignment_cancel(assignment=assignment, by=user, reason=post["text"])
    return _("The assignment is cancelled.")


@staff_required
@require_POST
def assignment_action(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in Step.__members__.values():
        raise Http404
    assignment = get_object_or_404(
        Assignment.objects.filter(document__in=documents_visible_to(request.user)), pk=pk
    )
    try:
        messages.success(request, _assignment_step(request, assignment, Step(step)))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    return redirect("edms:document", pk=assignment.document_id)


@staff_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    document = visible_document(request, pk)
    user = staff_user(request)
    office = user_office(user)
    if office != document.office or not (
        has_role(user, Role.REGISTRAR, office) or document.participants.filter(pk=user.pk).exists()
    ):
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
        return redirect("edms:document", pk=pk)
    try:
        attachment_add(
            document=document,
            by=user,
            upload=upload,
            title=read_post(request, text_form("title", _("Title"), max_length=255))["title"],
            role=Attachment.Role.MAIN
            if not document.attachments.exists()
            else Attachment.Role.ANNEX,
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The file is added."))
    return redirect("edms:document", pk=pk)

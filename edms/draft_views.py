"""The workspace's drafts, approval routes and signatures, and the signer's certificate page.

A passphrase arrives in a POST and goes straight to ``edms.approvals`` (which only opens the
key with it): the views are marked ``sensitive_post_parameters`` so that an error report never
shows it, and it is never put back into a form.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from core.params import read_post, read_query
from edms import approvals
from edms.access import can_view_document, user_office
from edms.approvals import RouteStep, can_prepare_draft, drafts_visible_to, route_from_template
from edms.audit import audit_history
from edms.downloads import file_response
from edms.filters import ReplyToFilter
from edms.forms import (
    CertificateImportForm,
    CertificateIssueForm,
    DraftForm,
    PassphraseForm,
    RouteFormSet,
    SignerForm,
    StepForm,
    text_form,
)
from edms.models import ApprovalStep, Document, Draft, DraftVersion, SigningCertificate
from edms.signing.keys import (
    certificate_import,
    certificate_issue_demo,
    current_certificate,
    demo_issuance_allowed,
)
from edms.views import error_text, staff_required, staff_user

KEY_FILE_MAX_BYTES = 64 * 1024  # a PKCS#12 file with its chain is a few kilobytes


def _initial_route(route: list[RouteStep]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    visas = [
        {"position": step.position, "approver": step.approver.pk, "days": step.days}
        for step in route
        if step.kind == ApprovalStep.Kind.VISA
    ]
    signer = next((step for step in route if step.kind == ApprovalStep.Kind.SIGNATURE), None)
    return visas, ({"signer": signer.approver.pk, "signer_days": signer.days} if signer else {})


@staff_required
def draft_create(request: HttpRequest) -> HttpResponse:
    """Prepare an answer to a document (``?reply_to=<pk>``) or a new outgoing letter."""
    user = staff_user(request)
    reply_to = None
    if reply_to_pk := read_query(request, ReplyToFilter)["reply_to"]:
        reply_to = get_object_or_404(Document, pk=reply_to_pk)
        if not can_view_document(user, reply_to):
            raise Http404
    office = reply_to.office if reply_to else user_office(user)
    if office is None or not can_prepare_draft(user, reply_to, office):
        raise PermissionDenied
    is_answer = reply_to is not None and reply_to.kind == Document.Kind.APPLICATION
    kind = Draft.Kind.ANSWER if is_answer else Draft.Kind.LETTER
    visas, signer = _initial_route(route_from_template(office=office, kind=kind))
    if request.method == "POST":
        form = DraftForm(request.POST, request.FILES, is_answer=is_answer)
        route_forms = RouteFormSet(request.POST, prefix="route", form_kwargs={"office": office})
        signer_form = SignerForm(request.POST, office=office)
        if form.is_valid() and route_forms.is_valid() and signer_form.is_valid():
            route = [
                RouteStep(
                    f.cleaned_data["position"],
                    ApprovalStep.Kind.VISA,
                    f.cleaned_data["approver"],
                    f.cleaned_data["days"],
                )
                for f in route_forms.forms
                if f.cleaned_data
            ]
            last = max((step.position for step in route), default=0)
            route.append(
                RouteStep(
                    last + 1,
                    ApprovalStep.Kind.SIGNATURE,
                    signer_form.cleaned_data["signer"],
                    signer_form.cleaned_data["signer_days"],
                )
            )
            data = form.cleaned_data
            try:
                draft = approvals.draft_create(
                    by=user,
                    office=office,
                    kind=kind,
                    title=data["title"],
                    body=data["body"],
                    reply_to=reply_to,
                    correspondent_name=data["correspondent_name"],
                    correspondent_office=data["correspondent_office"],
                    outcome=data.get("outcome", ""),
                    upload=data["upload"],
                    route=route,
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, _("The draft is on its approval route."))
                return redirect("edms:draft", pk=draft.pk)
    else:
        initial = {}
        if reply_to is not None:
            initial = {
                "title": _("Answer to %(number)s") % {"number": reply_to.reg_number},
                "correspondent_name": reply_to.correspondent_name,
                "correspondent_office": reply_to.correspondent_office,
            }
        form = DraftForm(initial=initial, is_answer=is_answer)
        route_forms = RouteFormSet(initial=visas, prefix="route", form_kwargs={"office": office})
        signer_form = SignerForm(initial=signer, office=office)
    return render(
        request,
        "edms/draft_form.html",
        {
            "form": form,
            "route_forms": route_forms,
            "signer_form": signer_form,
            "reply_to": reply_to,
            "is_answer": is_answer,
        },
    )


def _visible_draft(request: HttpRequest, pk: int) -> Draft:
    draft = drafts_visible_to(staff_user(request)).filter(pk=pk).first()
    if draft is None:
        raise Http404
    return draft


@staff_required
def draft_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    draft = _visible_draft(request, pk)
    version = draft.current_version()
    route = approvals.current_route(draft)
    my_step = next(
        (s for s in route if s.approver_id == user.pk and s.status == ApprovalStep.Status.PENDING),
        None,
    )
    if draft.status != Draft.Status.ON_ROUTE:
        my_step = None
    return render(
        request,
        "edms/draft_detail.html",
        {
            "draft": draft,
            "version": version,
            "versions": draft.versions.order_by("-number"),
            "route": route,
            "earlier_steps": ApprovalStep.objects.filter(draft=draft)
            .exclude(version=version)
            .select_related("approver", "version")
            .order_by("-version__number", "position"),
            "remarks": draft.remarks.select_related("author", "version"),
            "my_step": my_step,
            "passphrase_form": PassphraseForm(),
            "has_certificate": current_certificate(user) is not None,
            "is_author": draft.author_id == user.pk,
            "history": audit_history(draft).order_by("seq"),
        },
    )


@staff_required
@sensitive_post_parameters("passphrase")
@require_POST
def step_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Approve (a visa), reject, or sign one step of a route."""
    user = staff_user(request)
    step = get_object_or_404(ApprovalStep.objects.select_related("draft"), pk=pk)
    draft = _visible_draft(request, step.draft_id)
    try:
        posted = read_post(request, StepForm)
        passphrase, comment = posted["passphrase"], posted["comment"]
        if action == "approve":
            approvals.step_approve(step=step, by=user, passphrase=passphrase, comment=comment)
            done = _("Approved: your visa is signed into the draft.")
        elif action == "sign":
            signed = approvals.step_sign(step=step, by=user, passphrase=passphrase)
            assert signed.result_document is not None
            done = _("Signed and registered as %(number)s.") % {
                "number": signed.result_document.reg_number
            }
        elif action == "reject":
            approvals.step_reject(step=step, by=user, comment=comment)
            done = _("Rejected: the draft is back with its author.")
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return redirect("edms:draft", pk=draft.pk)


@staff_required
@require_POST
def draft_remark(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _visible_draft(request, pk)
    try:
        text = read_post(request, text_form("text", _("Remark")))["text"]
        approvals.draft_remark(draft=draft, by=staff_user(request), text=text)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    return redirect("edms:draft", pk=draft.pk)


@staff_required
@require_POST
def draft_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _visible_draft(request, pk)
    try:
        approvals.draft_withdraw(draft=draft, by=staff_user(request))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The draft is withdrawn."))
    return redirect("edms:draft", pk=draft.pk)


@staff_required
@require_POST
def draft_version(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _visible_draft(request, pk)
    try:
        body = read_post(request, text_form("body", _("Text")))["body"]
        version = approvals.draft_new_version(
            draft=draft,
            by=staff_user(request),
            body=body if body.strip() else None,
            upload=request.FILES.get("upload"),
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("Version %(number)s is on the route again.") % {"number": version.number},
        )
    return redirect("edms:draft", pk=draft.pk)


@staff_required
def draft_file(request: HttpRequest, pk: int, which: str) -> HttpResponseBase:
    """A version's file as prepared (``original``) or with its signatures so far (``signed``)."""
    version = get_object_or_404(DraftVersion.objects.select_related("draft"), pk=pk)
    _visible_draft(request, version.draft_id)
    stored = version.signed_file if which == "signed" else version.file
    if which not in ("original", "signed") or not stored:
        raise Http404
    name = version.original_name
    if which == "signed":
        name = name.rsplit(".", 1)[0] + "-signed.pdf"
    return file_response(stored, filename=name, content_type=version.content_type)


@staff_required
def step_signature(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The detached signature (``.p7s``) of one step, for a file that is not a PDF."""
    step = get_object_or_404(ApprovalStep, pk=pk)
    _visible_draft(request, step.draft_id)
    if not step.detached_signature:
        raise Http404
    return file_response(
        step.detached_signature,
        filename=f"{step.version.original_name}.{step.pk}.p7s",
        content_type="application/pkcs7-signature",
    )


@staff_required
@sensitive_post_parameters("passphrase", "new_passphrase", "new_passphrase_again")
def certificate_page(request: HttpRequest) -> HttpResponse:
    """My signing certificates: importing a PKCS#12 key file, or (where the demo authority is
    the trust store) having it issue one under a passphrase of my own."""
    user = staff_user(request)
    form, issue_form = CertificateImportForm(), CertificateIssueForm()
    if request.method == "POST" and request.POST.get("action") == "issue":
        issue_form = CertificateIssueForm(request.POST)
        if not demo_issuance_allowed():
            raise PermissionDenied
        if issue_form.is_valid():
            try:
                certificate_issue_demo(
                    user=user, passphrase=issue_form.cleaned_data["new_passphrase"]
                )
            except ValidationError as error:
                issue_form.add_error(None, error_text(error))
            else:
                messages.success(request, _("Your certificate is issued; you can sign with it."))
                return redirect("edms:certificate")
    elif request.method == "POST":
        form = CertificateImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["key_file"]
            try:
                if upload.size > KEY_FILE_MAX_BYTES:
                    raise ValidationError(
                        _("A key file is a few kilobytes; this one is too large.")
                    )
                certificate_import(
                    user=user, key_file=upload.read(), passphrase=form.cleaned_data["passphrase"]
                )
            except ValidationError as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(request, _("Your certificate is added; you can sign with it."))
                return redirect("edms:certificate")
    return render(
        request,
        "edms/certificate.html",
        {
            "certificates": SigningCertificate.objects.filter(user=user),
            "current": current_certificate(user),
            "form": form,
            "issue_form": issue_form if demo_issuance_allowed() else None,
        },
    )

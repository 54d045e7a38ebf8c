"""What is indexed, and who may find it: ``Entry`` rows built from documents, applications and
published portal pages, each with the principals of ``search.backends.base``.

The principals follow ``edms.access`` (the same rule as the workspace's lists):

- a document: its office and every office it was dispatched to; a confidential one only the
  people on it (within those offices);
- the applicant's side of an application (name, PINFL, tracking code): those who handle it, as
  ``intake.decisions.can_see_applicant`` says: the office's head and chancellery, the
  department, the people on the document, the operator;
- a page: ``public``, or ``staff`` for staff-only notices and the intranet.

A searcher holds ``principals_for(user)``; a superuser searches without restriction.
"""

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.html import strip_tags
from wagtail.models import Page

from edms.access import staff_position
from edms.codes import format_code
from edms.models import ApprovalStep, Assignment, AttachmentVersion, Dispatch, Document, Draft
from edms.roles import Role
from intake.models import Application
from search.backends.base import Entry

PUBLIC = "public"
STAFF = "staff"
CLOSED_STATUSES = {Document.Status.DONE, Document.Status.CLOSED}
# The roles whose holders see every application of their office.
APPLICANT_ROLES = (Role.HEAD, Role.REGISTRAR)


def office(pk: int) -> str:
    return f"office:{pk}"


def person(pk: int) -> str:
    return f"user:{pk}"


def department(pk: int) -> str:
    return f"dept:{pk}"


def role(name: str, office_pk: int) -> str:
    return f"role:{name}:{office_pk}"


def principals_for(user: User | AnonymousUser) -> tuple[str, ...] | None:
    """What the user holds; None for a superuser (no restriction)."""
    if not user.is_authenticated or not user.is_active:
        return (PUBLIC,)
    if getattr(user, "is_superuser", False):
        return None
    position = staff_position(user)
    if position is None:
        return (PUBLIC,)
    held = [PUBLIC, STAFF, person(user.pk), office(position.office_id)]
    if position.department_id:
        held.append(department(position.department_id))
    held += [role(name, position.office_id) for name in user.groups.values_list("name", flat=True)]
    return tuple(held)


# --- documents -------------------------------------------------------------------------------


def documents_for_index() -> QuerySet[Document]:
    return Document.objects.select_related("correspondent_office", "signed_draft").prefetch_related(
        Prefetch("dispatches", queryset=Dispatch.objects.only("document_id", "recipient_office")),
        Prefetch("participants", queryset=User.objects.select_related("position")),
        Prefetch("assignments", queryset=Assignment.objects.select_related("executor")),
        Prefetch(
            "attachments__versions",
            queryset=AttachmentVersion.objects.only("id", "attachment_id", "text"),
        ),
        Prefetch(
            "signed_draft__steps",
            queryset=ApprovalStep.objects.filter(status=ApprovalStep.Status.SIGNED).select_related(
                "approver"
            ),
            to_attr="signatures",
        ),
    )


def document_entry(document: Document) -> Entry:
    offices = {document.office_id} | {
        d.recipient_office_id for d in document.dispatches.all() if d.recipient_office_id
    }
    if document.is_confidential:
        principals = tuple(
            sorted(
                person(user.pk)
                for user in document.participants.all()
                if (position := staff_position(user)) is not None and position.office_id in offices
            )
        )
    else:
        principals = tuple(sorted(office(pk) for pk in offices))
    texts = [v.text for a in document.attachments.all() for v in a.versions.all()]
    correspondent = [document.correspondent_name]
    if document.correspondent_office is not None:
        correspondent.append(document.correspondent_office.name_uz)
    executors = {a.executor.get_full_name() for a in document.assignments.all()}
    signature = _signature_of(document)
    return Entry(
        key=f"document:{document.pk}",
        kind="document",
        title=document.title,
        url=reverse("edms:document", args=[document.pk]),
        principals=principals,
        number=document.reg_number,
        body="\n".join([document.summary, *[t for t in texts if t], *signature[1:]]),
        people=" ".join(filter(None, [*correspondent, *sorted(executors), signature[0]])),
        doc_kind=document.kind,
        status=document.status,
        office_id=document.office_id,
        department_id=document.department_id,
        date=document.reg_date,
        due_date=document.due_date,
        closed=document.status in CLOSED_STATUSES,
    )


def _signature_of(document: Document) -> tuple[str, ...]:
    """For a letter registered by its digital signature: the signer's name and the verification
    code printed in its stamp (a registrar holding the paper finds the record by either)."""
    try:
        draft = document.signed_draft
    except Draft.DoesNotExist:
        return ("",)
    # The signed steps, prefetched by ``documents_for_index`` (to_attr).
    signatures: list[ApprovalStep] = draft.signatures  # type: ignore[attr-defined]
    signer = next(iter(signatures), None)
    name = signer.approver.get_full_name() if signer else ""
    code = draft.verification_code
    return (name, f"{format_code(code)} {code}") if code else (name,)


# --- applications ----------------------------------------------------------------------------


def application_entry(application: Application) -> Entry:
    document = application.document
    handling = application.handling_office_id
    principals = {role(name, handling) for name in APPLICANT_ROLES}
    if application.department_id:
        principals.add(department(application.department_id))
    if application.operator_id:
        principals.add(person(application.operator_id))
    principals |= {person(pk) for pk in document.participants.values_list("pk", flat=True)}
    return Entry(
        key=f"application:{application.pk}",
        kind="application",
        title=f"{application.service.name_uz}: {application.full_name}",
        url=reverse("edms:document", args=[document.pk]),
        principals=tuple(sorted(principals)),
        number=application.tracking_code,
        body=document.reg_number,
        people=f"{application.full_name} {application.pinfl}",
        doc_kind=application.service.code,
        status=application.status,
        office_id=handling,
        department_id=application.department_id,
        date=document.reg_date,
        due_date=document.due_date,
        closed=bool(application.outcome),
    )


# --- pages -----------------------------------------------------------------------------------


def page_kind(page: Page) -> str:
    return f"page:{page.locale.language_code}"


def page_entry(page: Page) -> Entry:
    from portal.visibility import page_is_staff_only

    specific = page.specific
    restricted = page_is_staff_only(page) or page.get_view_restrictions().exists()
    texts = [str(getattr(specific, "search_description", "") or "")]
    for field in getattr(specific, "search_fields", []):
        name = getattr(field, "field_name", "")
        if name in ("title", "search_description") or not name:
            continue
        texts.append(_plain(getattr(specific, name, "")))
    return Entry(
        key=f"page:{page.pk}",
        kind=page_kind(page),
        title=page.title,
        url=page.url or "",
        principals=(STAFF,) if restricted else (PUBLIC,),
        body="\n".join(text for text in texts if text),
        doc_kind=specific._meta.model_name,
        status="live",
        date=(page.last_published_at or page.first_published_at).date()
        if (page.last_published_at or page.first_published_at)
        else None,
    )


def _plain(value: Any) -> str:
    if value is None:
        return ""
    try:
        return strip_tags(str(value))
    except Exception:
        return ""


# --- everything ------------------------------------------------------------------------------


def all_entries(*, chunk: int = 500) -> Iterator[Entry]:
    """Every entry, read in chunks (bounded memory): for ``manage.py reindex``."""
    for document in documents_for_index().order_by("pk").iterator(chunk_size=chunk):
        yield document_entry(document)
    applications = Application.objects.select_related("document", "service").order_by("pk")
    for application in applications.iterator(chunk_size=chunk):
        yield application_entry(application)
    for page in Page.objects.live().specific().exclude(depth=1).iterator(chunk_size=chunk):
        yield page_entry(page)


def count_all() -> int:
    """How many entries ``all_entries`` yields (for a progress bar)."""
    return (
        Document.objects.count()
        + Application.objects.count()
        + Page.objects.live().exclude(depth=1).count()
    )

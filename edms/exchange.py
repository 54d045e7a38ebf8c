"""Exchange of documents between offices, and dispatch to addressees outside the system.

An outgoing document addressed to an office on the system arrives in that office's registry as
a pending item (``Dispatch`` DELIVERED). Their registrar registers it in their own incoming
journal, with their own number and a link back, or returns it with a reason; the sender sees
which. An addressee outside the system gets the document by e-mail (its main file attached) or
on paper, and the dispatch records that it went: never more work for staff than paper was.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edms.access import can_register_in, can_view_document, has_role
from edms.audit import Action, audit_record
from edms.models import Attachment, AttachmentVersion, Dispatch, Document, Journal, Office
from edms.registration import document_register
from edms.roles import Role


def document_dispatch(
    *,
    document: Document,
    by: User,
    channel: str,
    recipient_office: Office | None = None,
    recipient_name: str = "",
    recipient_email: str = "",
    recipient_address: str = "",
) -> Dispatch:
    """The chancellery of the document's office sends it; each addressee gets one dispatch."""
    if not (has_role(by, Role.REGISTRAR, document.office) and can_view_document(by, document)):
        raise PermissionDenied(_("Only the chancellery of this office can send its documents."))
    if channel == Dispatch.Channel.SYSTEM:
        if recipient_office is None:
            raise ValidationError(_("Choose the office to send the document to."))
        if recipient_office == document.office:
            raise ValidationError(_("A document cannot be sent to its own office."))
        if not recipient_office.is_active:
            raise ValidationError(
                _("%(office)s is not on the system yet: send it by e-mail or on paper.")
                % {"office": recipient_office.name}
            )
        if document.dispatches.filter(
            recipient_office=recipient_office,
            status__in=[Dispatch.Status.DELIVERED, Dispatch.Status.REGISTERED],
        ).exists():
            raise ValidationError(
                _("This document has already been sent to %(office)s.")
                % {"office": recipient_office.name}
            )
    elif channel == Dispatch.Channel.EMAIL and not recipient_email:
        raise ValidationError(_("Enter the addressee's e-mail address."))
    elif channel == Dispatch.Channel.PAPER and not (recipient_name and recipient_address):
        raise ValidationError(_("Enter the addressee's name and postal address."))

    on_system = channel == Dispatch.Channel.SYSTEM
    status = Dispatch.Status.DELIVERED if on_system else Dispatch.Status.SENT
    with transaction.atomic():
        dispatch = Dispatch.objects.create(
            document=document,
            channel=channel,
            recipient_office=recipient_office if on_system else None,
            recipient_name=recipient_name,
            recipient_email=recipient_email,
            recipient_address=recipient_address,
            status=status,
            sent_by=by,
        )
        audit_record(
            actor=by,
            action=Action.DISPATCH,
            obj=document,
            office_code=document.office.code,
            details={
                "dispatch": dispatch.pk,
                "channel": channel,
                "to": recipient_office.code
                if recipient_office
                else recipient_email or recipient_name,
            },
        )
        if channel == Dispatch.Channel.EMAIL:
            transaction.on_commit(lambda: _send_email(dispatch.pk))
    return dispatch


def _send_email(dispatch_id: int) -> None:
    # Runs after commit: a mail server that is down marks the dispatch failed, it never undoes it.
    dispatch = Dispatch.objects.select_related("document", "document__office").get(pk=dispatch_id)
    document = dispatch.document
    message = EmailMessage(
        subject=f"{document.reg_number} {document.title}",
        body=_("%(office)s sends you document %(number)s of %(date)s.")
        % {
            "office": document.office.name,
            "number": document.reg_number,
            "date": document.reg_date.strftime("%d.%m.%Y"),
        },
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[dispatch.recipient_email],
    )
    main = document.attachments.filter(role=Attachment.Role.MAIN).first()
    version = main.current_version() if main else None
    if version is not None:
        with version.file.open("rb") as handle:
            message.attach(version.original_name, handle.read(), version.content_type)
    try:
        message.send()
    except OSError:
        Dispatch.objects.filter(pk=dispatch_id).update(status=Dispatch.Status.FAILED)


def pending_dispatches(*, office: Office) -> "list[Dispatch]":
    """Documents other offices sent to ``office`` that its registrar has not handled yet."""
    return list(
        Dispatch.objects.filter(recipient_office=office, status=Dispatch.Status.DELIVERED)
        .select_related("document", "document__office")
        .order_by("sent_at")
    )


def _lock_pending(dispatch: Dispatch, by: User) -> Dispatch:
    locked = Dispatch.objects.select_for_update().select_related("document").get(pk=dispatch.pk)
    if locked.recipient_office is None or not can_register_in(by, locked.recipient_office):
        raise PermissionDenied(_("Only the recipient office's chancellery can handle it."))
    if locked.status != Dispatch.Status.DELIVERED:
        raise ValidationError(
            _("This document was already handled: %(status)s.")
            % {"status": locked.get_status_display()}
        )
    return locked


def dispatch_register(*, dispatch: Dispatch, by: User) -> Document:
    """The recipient's registrar registers a delivered document in their incoming journal."""
    with transaction.atomic():
        locked = _lock_pending(dispatch, by)
        office = locked.recipient_office
        assert office is not None  # checked by _lock_pending
        journal = Journal.objects.get(office=office, kind=Journal.Kind.INCOMING, is_active=True)
        sent = locked.document
        document = document_register(
            journal=journal,
            kind=Document.Kind.INCOMING,
            title=sent.title,
            summary=sent.summary,
            channel=Document.Channel.EXCHANGE,
            correspondent_kind=Document.CorrespondentKind.OFFICE,
            correspondent_name=f"{sent.office.name}, {sent.reg_number}",
            correspondent_office=sent.office,
            is_confidential=sent.is_confidential,
            by=by,
        )
        document.related.add(sent)
        if sent.is_confidential:
            document.participants.add(by)
        locked.status = Dispatch.Status.REGISTERED
        locked.registered_document = document
        locked.handled_by, locked.handled_at = by, timezone.now()
        locked.save(update_fields=["status", "registered_document", "handled_by", "handled_at"])
        audit_record(
            actor=by,
            action=Action.EXCHANGE_REGISTER,
            obj=document,
            office_code=office.code,
            details={
                "dispatch": locked.pk,
                "from": sent.office.code,
                "their_number": sent.reg_number,
            },
        )
        audit_record(
            actor=by,
            action=Action.EXCHANGE_REGISTER,
            obj=sent,
            office_code=sent.office.code,
            details={
                "dispatch": locked.pk,
                "to": office.code,
                "registered_as": document.reg_number,
            },
        )
    return document


def dispatch_return(*, dispatch: Dispatch, by: User, reason: str) -> Dispatch:
    """The recipient's registrar sends a delivered document back, saying why."""
    if not reason.strip():
        raise ValidationError(_("Say why the document is returned."))
    with transaction.atomic():
        locked = _lock_pending(dispatch, by)
        locked.status = Dispatch.Status.RETURNED
        locked.return_reason = reason.strip()
        locked.handled_by, locked.handled_at = by, timezone.now()
        locked.save(update_fields=["status", "return_reason", "handled_by", "handled_at"])
        audit_record(
            actor=by,
            action=Action.EXCHANGE_RETURN,
            obj=locked.document,
            office_code=locked.document.office.code,
            details={"dispatch": locked.pk, "reason": locked.return_reason},
        )
    return locked


def dispatched_files(dispatch: Dispatch) -> list[AttachmentVersion]:
    """The files that went out with a dispatch: of the document's main file and annexes, the
    version that was current when it was sent (later versions are not what the addressee has)."""
    versions = (
        AttachmentVersion.objects.filter(
            attachment__document_id=dispatch.document_id,
            attachment__role__in=[Attachment.Role.MAIN, Attachment.Role.ANNEX],
            uploaded_at__lte=dispatch.sent_at,
        )
        .select_related("attachment")
        .order_by("attachment__created_at", "attachment_id", "-number")
    )
    latest: dict[int, AttachmentVersion] = {}
    for version in versions:
        latest.setdefault(version.attachment_id, version)
    return sorted(latest.values(), key=lambda v: v.attachment.role != Attachment.Role.MAIN)

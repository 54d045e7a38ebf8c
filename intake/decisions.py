"""The decision on an application: the signed answer, and the result for the citizen.

The head of the handling office, or the executor leading the work on the application, prepares
the answer as a draft with the decision (``edms.approvals``); it goes through its approval
route and is signed. The final signature registers the answer in the outgoing journal as the
reply to the application's document and sends ``draft_signed``: then the application records
the outcome, the tracking page offers the signed file, and the citizen is notified (through the
outbox), all in the signature's transaction.
"""

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from edms.access import can_view_document, has_role, staff_position
from edms.approvals import draft_signed
from edms.assignments import OPEN_STATUSES
from edms.audit import Action, audit_record
from edms.models import Assignment, Attachment, AttachmentVersion, Document, Draft
from edms.roles import Role
from intake.models import Application, ApplicationEvent
from intake.outbox import outbox_add, outbox_send_after_commit


def can_decide(user: User, application: Application) -> bool:
    document = application.document
    if not can_view_document(user, document):
        return False
    if has_role(user, Role.HEAD, application.handling_office):
        return True
    return Assignment.objects.filter(
        document=document,
        executor=user,
        is_lead=True,
        parent__isnull=True,
        status__in=OPEN_STATUSES,
    ).exists()


def can_see_applicant(user: User, application: Application) -> bool:
    """The applicant's personal data are for those who handle the application: its office's
    head and chancellery, its department, the people on its document, and its operator."""
    if getattr(user, "is_superuser", False):
        return True
    if not can_view_document(user, application.document):
        return False
    office = application.handling_office
    if any(has_role(user, role, office) for role in (Role.HEAD, Role.REGISTRAR)):
        return True
    if application.operator_id == user.pk:
        return True
    position = staff_position(user)
    if (
        position is not None
        and application.department_id is not None
        and position.department_id == application.department_id
    ):
        return True
    return application.document.participants.filter(pk=user.pk).exists()


def application_close(
    *, application: Application, by: User, outcome: str, answer: Document
) -> None:
    """Record the outcome with the signed answer as the result, and tell the citizen."""
    if outcome not in Application.Outcome.values:
        raise ValidationError(_("Choose the outcome."), code="outcome")
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.outcome:
            raise ValidationError(_("This application is already decided."), code="already_decided")
        now = timezone.now()
        locked.outcome = outcome
        locked.result_note = answer.summary
        locked.result_document = answer
        locked.result_file = (
            AttachmentVersion.objects.filter(
                attachment__document=answer, attachment__role=Attachment.Role.MAIN
            )
            .order_by("pk")
            .first()
        )
        locked.status = Application.Status.DECIDED
        locked.decided_at = now
        locked.save(
            update_fields=[
                "outcome",
                "result_note",
                "result_document",
                "result_file",
                "status",
                "decided_at",
            ]
        )
        ApplicationEvent.objects.get_or_create(
            application=locked, status=Application.Status.DECIDED, defaults={"at": now}
        )
        document = Document.objects.select_for_update().get(pk=application.document_id)
        document.status = Document.Status.DONE
        document.save(update_fields=["status"])
        audit_record(
            actor=by,
            action=Action.DECISION,
            obj=document,
            office_code=application.handling_office.code,
            details={"outcome": outcome, "answer": answer.reg_number},
        )
        outbox_send_after_commit(
            [
                outbox_add(
                    kind="notify",
                    key=f"application:{locked.pk}:decided",
                    payload={"application": locked.pk, "event": "decided"},
                ),
            ]
        )


@receiver(draft_signed)
def close_on_signature(sender: Any, draft: Draft, by: User, **kwargs: Any) -> None:
    """The head's signature on the answer decides the application it answers."""
    application = (
        Application.objects.filter(document_id=draft.reply_to_id).first()
        if draft.kind == Draft.Kind.ANSWER and draft.reply_to_id
        else None
    )
    if application is None or draft.result_document is None:
        return
    application_close(
        application=application, by=by, outcome=draft.outcome, answer=draft.result_document
    )

"""The decision on an application: the answer document, and the result for the citizen.

The head of the handling office, or the executor leading the work on the application, decides:
an outgoing answer is registered in the office's journal as the reply to the application's
document, with the result file; the application records the outcome, the tracking page offers
the result, and the citizen is notified (through the outbox). Issue 5's approvals and
signatures come before this step once they exist.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edms.access import can_view_document, has_role, staff_position
from edms.assignments import OPEN_STATUSES
from edms.audit import Action, audit_record
from edms.models import Assignment, AttachmentVersion, Document, Journal
from edms.registration import document_register
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


def application_decide(
    *,
    application: Application,
    by: User,
    outcome: str,
    note: str,
    upload: UploadedFile | None,
) -> Application:
    """Register the answer, record the outcome, publish the result and tell the citizen."""
    if not can_decide(by, application):
        raise PermissionDenied(
            _("Only the head of the office or the lead executor decides this application.")
        )
    if outcome not in Application.Outcome.values:
        raise ValidationError(_("Choose the outcome."), code="outcome")
    note = (note or "").strip()
    if outcome == Application.Outcome.REFUSED and not note:
        raise ValidationError(_("Give the reason for the refusal."), code="reason_required")
    journal = Journal.objects.filter(
        office=application.handling_office, kind=Journal.Kind.OUTGOING, is_active=True
    ).first()
    if journal is None:
        raise ValidationError(_("The office has no journal for outgoing documents."))
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.outcome:
            raise ValidationError(_("This application is already decided."), code="already_decided")
        now = timezone.now()
        answer = document_register(
            journal=journal,
            kind=Document.Kind.OUTGOING,
            title=_("Answer to application %(number)s")
            % {"number": application.document.reg_number},
            summary=note,
            channel=Document.Channel.CREATED,
            correspondent_kind=Document.CorrespondentKind.PERSON,
            correspondent_name=application.full_name,
            department=application.department,
            reply_to=application.document,
            by=by,
            files=[upload] if upload else [],
        )
        locked.outcome = outcome
        locked.result_note = note
        locked.result_document = answer
        locked.result_file = (
            AttachmentVersion.objects.filter(attachment__document=answer).order_by("pk").first()
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
                outbox_add(
                    kind="index",
                    key=f"document:{answer.pk}:registered",
                    payload={"document": answer.pk},
                ),
            ]
        )
        return locked

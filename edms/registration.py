"""Registering a document: number, card and audit event in one transaction.

Callers check who may register (``edms.access.can_register_in`` for staff; the intake registers
citizens' applications on the citizen's behalf).
"""

from collections.abc import Sequence
from datetime import date

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from edms.attachments import attachment_add
from edms.audit import Action, audit_record
from edms.models import Attachment, Department, Document, Journal, Office
from edms.numbering import journal_next_number


def document_register(
    *,
    journal: Journal,
    kind: str,
    title: str,
    channel: str,
    by: User | None,
    summary: str = "",
    correspondent_kind: str = "",
    correspondent_name: str = "",
    correspondent_office: Office | None = None,
    department: Department | None = None,
    is_confidential: bool = False,
    due_date: date | None = None,
    reply_to: Document | None = None,
    on: date | None = None,
    files: Sequence[UploadedFile] = (),
) -> Document:
    """A registered document carries the next gapless number of its journal for the year.

    ``files`` are stored with it in the same transaction, the first as the main document (the
    scan of a paper letter) and the rest as annexes: a refused file (type, size, content) raises
    ``ValidationError`` and leaves neither the document nor a used number behind.
    """
    reg_date = on or timezone.localdate()
    with transaction.atomic():
        number = journal_next_number(journal=journal, year=reg_date.year)
        document = Document.objects.create(
            office=journal.office,
            journal=journal,
            kind=kind,
            reg_seq=number.seq,
            reg_year=number.year,
            reg_number=number.text,
            reg_date=reg_date,
            title=title,
            summary=summary,
            correspondent_kind=correspondent_kind,
            correspondent_name=correspondent_name,
            correspondent_office=correspondent_office,
            channel=channel,
            is_confidential=is_confidential,
            department=department,
            due_date=due_date,
            reply_to=reply_to,
            registered_by=by,
        )
        if is_confidential and by is not None:
            document.participants.add(by)
        audit_record(
            actor=by,
            action=Action.REGISTER,
            obj=document,
            office_code=journal.office.code,
            details={"number": document.reg_number, "journal": journal.prefix, "kind": kind},
        )
        for index, upload in enumerate(files):
            attachment_add(
                document=document,
                by=by,
                upload=upload,
                role=Attachment.Role.MAIN if index == 0 else Attachment.Role.ANNEX,
            )
        return document

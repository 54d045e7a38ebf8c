"""A citizen's application becomes, in one transaction, a registered and routed document.

``application_submit`` checks that the office offers the service, routes the application
(``intake.routing``), registers a document in the handling office's applications journal with
the next number, a due date in working days and the files, and records the application with its
tracking code and timeline. The notification to the citizen and the search index update are
written to the outbox in the same transaction and sent by Celery after commit
(``intake.outbox``); if the broker is down they wait for the sweep, and the application stands.

A retried submission with the same idempotency key returns the first application.
"""

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import reconnect_after
from edms.audit import Action, audit_record
from edms.calendar import add_working_days
from edms.models import AttachmentVersion, Document, Journal, Office
from edms.registration import document_register
from intake.models import Application, ApplicationEvent, ApplicationFile, Service
from intake.outbox import outbox_add, outbox_send_after_commit
from intake.routing import application_route
from portal.localized import localized


@dataclass(frozen=True)
class Applicant:
    full_name: str
    pinfl: str
    phone: str
    email: str
    address: str


@dataclass(frozen=True)
class Submission:
    application: Application
    created: bool


def application_submit(
    *,
    service: Service,
    office: Office,
    applicant: Applicant,
    answers: dict[str, Any],
    uploads: dict[str, list[UploadedFile]],
    channel: str,
    operator: User | None = None,
    idempotency_key: str = "",
    language: str = "uz",
) -> Submission:
    """Register the application in the office that handles it; the same key gives the same one."""
    idempotency_key = idempotency_key.strip()[:255]
    if idempotency_key:
        existing = _same_key(idempotency_key, service=service, applicant=applicant)
        if existing is not None:
            return Submission(existing, created=False)
    if not service.is_offered_by(office):
        raise ValidationError(
            _("%(office)s does not offer “%(service)s”. Choose an office that does.")
            % {"office": localized(office, "name"), "service": localized(service, "name")},
            code="not_offered",
        )
    route = application_route(service=service, office=office, answers=answers)
    journal = Journal.objects.filter(
        office=route.office, kind=Journal.Kind.APPLICATIONS, is_active=True
    ).first()
    if journal is None:
        raise ValidationError(
            _("%(office)s has no journal for applications yet; please apply at the counter.")
            % {"office": localized(route.office, "name")},
            code="no_journal",
        )
    files = [(name, upload) for name, items in uploads.items() for upload in items]
    # Without the caller's key the submission gets one of its own, so that a retry after a lost
    # database connection finds the application if its commit went through.
    key = idempotency_key or f"auto:{secrets.token_hex(16)}"

    def register() -> Submission:
        for _name, upload in files:
            upload.seek(0)
        with transaction.atomic():
            return Submission(
                _register(
                    service=service,
                    office=office,
                    route_office=route.office,
                    route_department=route.department,
                    journal=journal,
                    applicant=applicant,
                    answers=answers,
                    files=files,
                    channel=channel,
                    operator=operator,
                    idempotency_key=key,
                    language=language,
                ),
                created=True,
            )

    try:
        try:
            return register()
        except (OperationalError, InterfaceError) as error:
            # The connection died under the transaction (a database restart or failover):
            # the commit may or may not have happened. On a new connection, the key tells.
            if not reconnect_after(error):
                raise
            existing = _same_key(key, service=service, applicant=applicant)
            return Submission(existing, created=False) if existing else register()
    except IntegrityError:
        # Two submissions with one key at once: the database let the first in.
        if idempotency_key:
            existing = _same_key(idempotency_key, service=service, applicant=applicant)
            if existing is not None:
                return Submission(existing, created=False)
        raise


def _same_key(key: str, *, service: Service, applicant: Applicant) -> Application | None:
    """The application first sent with ``key``. A key is only a retry of the same citizen's
    application for the same service: anyone else's reuse of it is refused rather than shown
    someone else's application."""
    existing = Application.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.service_id != service.pk or existing.pinfl != applicant.pinfl:
        raise ValidationError(
            _("This idempotency key was already used for another application."),
            code="idempotency_conflict",
        )
    return existing


def _register(
    *,
    service: Service,
    office: Office,
    route_office: Office,
    route_department: Any,
    journal: Journal,
    applicant: Applicant,
    answers: dict[str, Any],
    files: list[tuple[str, UploadedFile]],
    channel: str,
    operator: User | None,
    idempotency_key: str,
    language: str,
) -> Application:
    now = timezone.now()
    today = timezone.localdate(now)
    due = add_working_days(today, service.deadline_working_days, office=route_office)
    summary = "\n".join(f"{name}: {value}" for name, value in answers.items())
    document = document_register(
        journal=journal,
        kind=Document.Kind.APPLICATION,
        title=f"{service.name_uz}: {applicant.full_name}",
        summary=summary,
        channel=Document.Channel.APPLICATION,
        correspondent_kind=Document.CorrespondentKind.PERSON,
        correspondent_name=applicant.full_name,
        department=route_department,
        due_date=due,
        by=operator,
        on=today,
        files=[upload for _name, upload in files],
    )
    application = Application.objects.create(
        service=service,
        office=office,
        handling_office=route_office,
        department=route_department,
        document=document,
        channel=channel,
        operator=operator,
        full_name=applicant.full_name,
        pinfl=applicant.pinfl,
        phone=applicant.phone,
        email=applicant.email,
        address=applicant.address,
        answers=answers,
        language=language,
        status=Application.Status.REGISTERED,
        due_date=due,
        idempotency_key=idempotency_key,
    )
    audit_record(
        actor=operator,
        action=Action.APPLICATION,
        obj=document,
        office_code=route_office.code,
        # No personal data and no tracking code in the trail: the number says enough.
        details={"application": application.pk, "service": service.code, "channel": channel},
    )
    versions = AttachmentVersion.objects.filter(attachment__document=document).order_by(
        "attachment_id"
    )
    ApplicationFile.objects.bulk_create(
        ApplicationFile(application=application, field_name=name, version=version)
        for (name, _upload), version in zip(files, versions, strict=True)
    )
    ApplicationEvent.objects.bulk_create(
        [
            ApplicationEvent(application=application, status=Application.Status.RECEIVED, at=now),
            ApplicationEvent(application=application, status=Application.Status.REGISTERED, at=now),
        ]
    )
    messages = [
        outbox_add(
            kind="notify",
            key=f"application:{application.pk}:registered",
            payload={"application": application.pk, "event": "registered"},
        ),
    ]
    # The search index hears of the document and the application through their own signals
    # (``search.indexer``), in this same transaction.
    outbox_send_after_commit(messages)
    return application

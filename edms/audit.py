"""Recording and verifying the audit trail.

``audit_record`` appends one event inside the caller's transaction: it locks the chain head row,
hashes the event's content together with the previous hash, and moves the head. A rollback
takes the event back with the work it describes. ``audit_verify`` walks the chain in order and
reports the first event whose hash, link or sequence does not hold.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edms.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


class Action(models.TextChoices):
    """Every kind of event the trail records; one per user-visible action."""

    REGISTER = "register", _("Registered")
    VIEW_CONFIDENTIAL = "view_confidential", _("Confidential document opened")
    RESOLUTION = "resolution", _("Resolution written")
    ASSIGNMENT_CHANGE = "assignment_change", _("Assignment changed")
    DELEGATE = "delegate", _("Delegated")
    EXTENSION_REQUEST = "extension_request", _("More time asked")
    EXTENSION_DECISION = "extension_decision", _("Request for more time decided")
    REPORT = "report", _("Reported")
    REPORT_DECISION = "report_decision", _("Report reviewed")
    APPROVAL = "approval", _("Approved")
    DISPATCH = "dispatch", _("Sent")
    EXCHANGE_REGISTER = "exchange_register", _("Registered by the recipient office")
    EXCHANGE_RETURN = "exchange_return", _("Returned by the recipient office")
    ATTACHMENT_UPLOAD = "attachment_upload", _("File uploaded")
    DOWNLOAD = "download", _("File downloaded")
    APPLICATION = "application", _("Application received")
    DECISION = "decision", _("Application decided")
    CERTIFICATE = "certificate", _("Signing certificate added")
    CERTIFICATE_REVOKE = "certificate_revoke", _("Signing certificate revoked")
    DRAFT = "draft", _("Draft prepared")
    DRAFT_VERSION = "draft_version", _("New version of the draft")
    VISA = "visa", _("Approved with a signature (visa)")
    DRAFT_REJECT = "draft_reject", _("Draft rejected")
    REMARK = "remark", _("Remark made")
    DRAFT_WITHDRAW = "draft_withdraw", _("Draft withdrawn")
    SIGN = "sign", _("Signed")


def action_label(action: str) -> str:
    """The action's name in the active language (the code itself for an unknown action)."""
    try:
        return str(Action(action).label)
    except ValueError:
        return action


def event_hash(
    *,
    seq: int,
    at: str,
    actor_id: int | None,
    actor_name: str,
    action: str,
    office_code: str,
    object_type: str,
    object_id: str,
    details: Any,
    prev_hash: str,
) -> str:
    """SHA-256 over a canonical JSON of the event's content and the previous hash."""
    content = json.dumps(
        [seq, at, actor_id, actor_name, action, office_code, object_type, object_id, details],
        cls=DjangoJSONEncoder,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}|{content}".encode()).hexdigest()


def _hash_of(event: AuditEvent) -> str:
    return event_hash(
        seq=event.seq,
        # In UTC: the time zone the event was written in must not change its hash.
        at=event.at.astimezone(UTC).isoformat(),
        actor_id=event.actor_id_value,
        actor_name=event.actor_name,
        action=event.action,
        office_code=event.office_code,
        object_type=event.object_type,
        object_id=event.object_id,
        details=event.details,
        prev_hash=event.prev_hash,
    )


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    obj: models.Model,
    office_code: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction."""
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        authenticated = actor is not None and actor.is_authenticated
        # Round-trip the details through JSON so that the stored value hashes the same later.
        clean_details = json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder))
        event = AuditEvent(
            seq=head.last_seq + 1,
            # Microseconds dropped: every database stores the time the same way.
            at=timezone.now().astimezone(UTC).replace(microsecond=0),
            actor_id_value=actor.pk if authenticated and actor else None,
            actor_name=actor.get_username() if authenticated and actor else "",
            action=action,
            office_code=office_code,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            details=clean_details,
            prev_hash=head.last_hash,
        )
        event.hash = _hash_of(event)
        event.save()
        head.last_seq, head.last_hash = event.seq, event.hash
        head.save(update_fields=["last_seq", "last_hash"])
        return event


def audit_history(obj: models.Model) -> models.QuerySet[AuditEvent]:
    """The events about one object, oldest first."""
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    event_id: int | None
    message: str


def audit_verify(*, chunk_size: int = 2000) -> Iterator[AuditProblem]:
    """Every place where the chain does not hold: a changed, inserted or deleted event."""
    expected_seq, expected_prev = 1, GENESIS_HASH
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            yield AuditProblem(
                event.seq,
                event.pk,
                f"sequence jumps from {expected_seq - 1} to {event.seq}: events are missing",
            )
        if event.prev_hash != expected_prev:
            yield AuditProblem(
                event.seq, event.pk, "does not link to the event before it (deleted or inserted)"
            )
        if _hash_of(event) != event.hash:
            yield AuditProblem(event.seq, event.pk, "content changed after it was recorded")
        expected_seq, expected_prev = event.seq + 1, event.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq, head.last_hash) != (expected_seq - 1, expected_prev):
        yield AuditProblem(
            head.last_seq, None, "the newest events were deleted (the chain head is ahead)"
        )

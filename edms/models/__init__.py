"""The e-document system's models, one module per concern."""

from edms.models.approvals import (
    ApprovalStep,
    Draft,
    DraftRemark,
    DraftVersion,
    RouteTemplate,
    RouteTemplateStep,
)
from edms.models.attachments import Attachment, AttachmentVersion
from edms.models.audit import AuditChainHead, AuditEvent
from edms.models.calendar import CalendarOverride
from edms.models.documents import Document
from edms.models.exchange import Dispatch
from edms.models.journals import Journal, JournalCounter
from edms.models.organisation import Department, Office, Position
from edms.models.resolutions import Assignment, AssignmentReport, ExtensionRequest, Resolution
from edms.models.signing import SigningCertificate

__all__ = [
    "ApprovalStep",
    "Assignment",
    "AssignmentReport",
    "Attachment",
    "AttachmentVersion",
    "AuditChainHead",
    "AuditEvent",
    "CalendarOverride",
    "Department",
    "Dispatch",
    "Document",
    "Draft",
    "DraftRemark",
    "DraftVersion",
    "ExtensionRequest",
    "Journal",
    "JournalCounter",
    "Office",
    "Position",
    "Resolution",
    "RouteTemplate",
    "RouteTemplateStep",
    "SigningCertificate",
]

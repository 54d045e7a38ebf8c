"""The e-document system's models, one module per concern."""

from edms.models.calendar import CalendarOverride
from edms.models.documents import Document
from edms.models.journals import Journal, JournalCounter
from edms.models.organisation import Department, Office, Position

__all__ = [
    "CalendarOverride",
    "Department",
    "Document",
    "Journal",
    "JournalCounter",
    "Office",
    "Position",
]

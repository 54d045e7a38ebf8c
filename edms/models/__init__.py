"""The e-document system's models, one module per concern."""

from edms.models.organisation import Department, Office, Position

__all__ = ["Department", "Office", "Position"]

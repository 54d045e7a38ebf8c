"""Public services, their pages and forms, routing rules, and citizens' applications."""

from intake.models.applications import (
    Application,
    ApplicationEvent,
    ApplicationFile,
    OutboxMessage,
)
from intake.models.pages import (
    FIELD_TYPES,
    FeedbackFormField,
    FeedbackFormPage,
    ServiceFormField,
    ServicePage,
)
from intake.models.services import RoutingRule, Service

__all__ = [
    "FIELD_TYPES",
    "Application",
    "ApplicationEvent",
    "ApplicationFile",
    "FeedbackFormField",
    "FeedbackFormPage",
    "OutboxMessage",
    "RoutingRule",
    "Service",
    "ServiceFormField",
    "ServicePage",
]

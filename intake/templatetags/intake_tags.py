"""The application panel on a document card (the card itself lives in ``edms``)."""

from typing import Any

from django import template
from django.core.exceptions import ObjectDoesNotExist

from edms.models import Draft
from intake.decisions import can_decide, can_see_applicant

register = template.Library()


@register.inclusion_tag("intake/includes/application_panel.html", takes_context=True)
def application_panel(context: dict[str, Any], document: Any) -> dict[str, Any]:
    try:
        application = document.application
    except ObjectDoesNotExist:
        return {"application": None}
    user = context["request"].user
    return {
        "application": application,
        "show_applicant": can_see_applicant(user, application),
        "can_decide": can_decide(user, application) and not application.outcome,
        "decision_in_progress": document.drafts.exclude(
            status__in=[Draft.Status.SIGNED, Draft.Status.WITHDRAWN]
        ).exists(),
        "files": list(application.files.select_related("version")),
    }

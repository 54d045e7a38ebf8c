"""Where an application goes: which office handles it and which department.

By default the service's department (by its code) in the office that received it. Routing rules
(``RoutingRule``, edited by administrators) change that for one office, for an answer's value,
or send the application to another office; the first rule that matches, by priority, wins.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from edms.models import Department, Office
from intake.models import RoutingRule, Service


@dataclass(frozen=True)
class Route:
    office: Office
    department: Department | None
    rule: RoutingRule | None


def _matches(rule: RoutingRule, office: Office, answers: dict[str, Any]) -> bool:
    if rule.office_id is not None and rule.office_id != office.pk:
        return False
    if rule.field_name:
        answer = answers.get(rule.field_name)
        return (
            answer is not None
            and str(answer).strip().casefold() == rule.field_value.strip().casefold()
        )
    return True


def application_route(*, service: Service, office: Office, answers: dict[str, Any]) -> Route:
    """The office and department that handle an application received by ``office``."""
    rules = RoutingRule.objects.filter(service=service).select_related("target_office")
    rule = next((r for r in rules if _matches(r, office, answers)), None)
    target = office
    code = service.department_code
    if rule is not None:
        target = rule.target_office or office
        code = rule.department_code or code
    if not target.is_active:
        raise ValidationError(
            _("Applications for this service go to %(office)s, which is not on the system yet.")
            % {"office": target.name},
            code="route_inactive",
        )
    department = Department.objects.filter(office=target, code=code).first()
    return Route(office=target, department=department, rule=rule)

"""Demo catalogue: the services of ``services.json``, offered by every office."""

from decimal import Decimal

from django.db import transaction

from edms.demo import read_data
from edms.models import Office
from intake.models import Service
from portal.localized import localized_names


@transaction.atomic
def load_services() -> int:
    """Create the missing services; a new service is offered by every office."""
    created = 0
    offices = list(Office.objects.all())
    for order, row in enumerate(read_data("services.json")["services"]):
        service, was_created = Service.objects.get_or_create(
            code=row["code"],
            defaults={
                "department_code": row["department"],
                "deadline_working_days": row["deadline_working_days"],
                "fee_bhm": Decimal(str(row["fee_bhm"])),
                "required_documents": row.get("required_documents", []),
                "sort_order": order,
                **localized_names(row["name"]),
            },
        )
        if was_created:
            service.offices.set(offices)
            created += 1
    return created

"""Reads for the intake: a service's form fields in a language, an application's timeline."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from wagtail.models import Locale

from edms.models import Office
from intake.models import Application, Service, ServiceFormField, ServicePage


def service_page_for(service: Service, language: str) -> ServicePage | None:
    """The live page of the service in ``language``, else in the default language."""
    pages = ServicePage.objects.live().filter(service=service)
    locale = Locale.objects.filter(language_code=language).first()
    page = pages.filter(locale=locale).first() if locale else None
    return page or pages.order_by("locale_id", "pk").first()


def service_form_fields(service: Service, language: str) -> list[ServiceFormField]:
    page = service_page_for(service, language)
    return list(page.form_fields.all()) if page is not None else []


def offices_offering(service: Service) -> QuerySet[Office]:
    return service.offices.filter(is_active=True).order_by("sort_order", "name_uz")


@dataclass(frozen=True)
class TimelineStep:
    status: str
    label: str
    at: datetime | None


TIMELINE = [
    Application.Status.RECEIVED,
    Application.Status.REGISTERED,
    Application.Status.IN_WORK,
    Application.Status.DECIDED,
    Application.Status.ISSUED,
]


def application_timeline(application: Application) -> list[TimelineStep]:
    """Every step of the timeline, with the time it was reached (None while it is ahead).

    "In work" is when the head's first resolution was written on the document.
    """
    reached = {event.status: event.at for event in application.events.all()}
    if Application.Status.IN_WORK not in reached:
        first = application.document.resolutions.order_by("created_at").first()
        if first is not None:
            reached[Application.Status.IN_WORK] = first.created_at
        elif Application.Status.DECIDED in reached:
            reached[Application.Status.IN_WORK] = reached[Application.Status.DECIDED]
    return [
        TimelineStep(status=status.value, label=str(status.label), at=reached.get(status))
        for status in TIMELINE
    ]


def application_status(application: Application) -> str:
    """The furthest step reached."""
    steps = [step for step in application_timeline(application) if step.at is not None]
    return steps[-1].status if steps else application.status

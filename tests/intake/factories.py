"""Builders for intake tests: valid answers and files for the demo services."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from edms.approvals import draft_create, route_from_template, step_approve, step_sign
from edms.assignments import resolution_write
from edms.calendar import add_working_days
from edms.demo_signing import DEMO_SIGNING_PASSPHRASE
from edms.models import Draft, Office
from intake.models import Application, Service
from intake.submission import Applicant, Submission, application_submit
from tests.edms.factories import blank_pdf, user

# A valid one-page PDF, small enough for every test.
PDF = blank_pdf(200, 200)

APPLICANT = Applicant(
    full_name="Karimova Dilnoza Rustamovna",
    pinfl="31203870250012",
    phone="+998901234567",
    email="dilnoza@example.uz",
    address="Jizzax sh., Sharq mahallasi, 5-uy",
)

APPLICANT_POST = {
    "full_name": APPLICANT.full_name,
    "pinfl": APPLICANT.pinfl,
    "phone": "+998 90 123-45-67",
    "email": APPLICANT.email,
    "address": APPLICANT.address,
}

# Answers to the land-plot service's own fields (services.json).
LAND_POST = {"area_m2": "600", "location": "Zarbdor koʻchasi yonida", "family_members": "5"}


def pdf(name: str = "hujjat.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def submit(
    service: str = "land-plot", office: str = "jizzakh-city", **overrides: Any
) -> Submission:
    arguments: dict[str, Any] = {
        "service": Service.objects.get(code=service),
        "office": Office.objects.get(code=office),
        "applicant": APPLICANT,
        "answers": {"area_m2": 600, "location": "Zarbdor koʻchasi", "family_members": 5},
        "uploads": {"documents": [pdf()]},
        "channel": "online",
    }
    return application_submit(**{**arguments, **overrides})


def decide(application: Application, *, outcome: str = "granted", body: str = "") -> Application:
    """The whole decision path: the head's resolution to the land department's head, their
    draft answer, the lawyer's visa and the head's signature (demo passphrase)."""
    head, land_head = user("jizzakh-city.head"), user("jizzakh-city.land-head")
    resolution_write(
        document=application.document,
        by=head,
        text="Koʻrib chiqilsin",
        deadline=add_working_days(application.document.reg_date, 10),
        lead_executor=land_head,
    )
    office = application.handling_office
    draft = draft_create(
        by=land_head,
        office=office,
        kind=Draft.Kind.ANSWER,
        title="Ariza boʻyicha qaror",
        body=body or "Yer uchastkasi ajratildi.",
        outcome=outcome,
        reply_to=application.document,
        correspondent_name=application.full_name,
        route=route_from_template(office=office, kind=Draft.Kind.ANSWER),
    )
    for step in draft.current_version().steps.order_by("position"):  # type: ignore[union-attr]
        if step.kind == "signature":
            step_sign(step=step, by=step.approver, passphrase=DEMO_SIGNING_PASSPHRASE)
        else:
            step_approve(step=step, by=step.approver, passphrase=DEMO_SIGNING_PASSPHRASE)
    application.refresh_from_db()
    return application

"""Builders for intake tests: valid answers and files for the demo services."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from edms.models import Office
from intake.models import Service
from intake.submission import Applicant, Submission, application_submit
from tests.edms.factories import blank_pdf

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

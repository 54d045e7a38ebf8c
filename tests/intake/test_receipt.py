"""The receipt PDF: what a citizen takes home, readable in every language."""

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse
from pypdf import PdfReader

from intake.receipt import ReceiptData, receipt_pdf
from tests.intake.factories import pdf, submit


def data(**overrides: object) -> ReceiptData:
    values: dict[str, object] = {
        "office_name": "Toʻraqoʻrgʻon tumani hokimligi",
        "office_address": "",
        "service_name": "Yer uchastkasi ajratish",
        "registration_number": "A-17/26",
        "registered_on": date(2026, 11, 26),
        "due_date": date(2027, 1, 11),
        "applicant_name": "Karimova Dilnoza Rustamovna",
        "documents_received": ["pasport.pdf"],
        "tracking_code": "K7QM-3XWD-9HTR-B2NF",
        "tracking_url": "http://testserver/track/K7QM3XWD9HTRB2NF/",
    }
    values.update(overrides)
    return ReceiptData(**values)  # type: ignore[arg-type]


def text_of(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_the_receipt_names_what_the_citizen_needs() -> None:
    text, reader = text_of(receipt_pdf(data(), language="en"))
    assert len(reader.pages) == 1
    for expected in (
        "A-17/26",
        "K7QM-3XWD-9HTR-B2NF",
        "Toʻraqoʻrgʻon tumani hokimligi",
        "Yer uchastkasi ajratish",
        "11.01.2027",
        "Tracking code",
        "pasport.pdf",
    ):
        assert expected in text, expected
    assert len(reader.pages[0].images) == 1  # the QR code
    assert reader.metadata is not None
    assert reader.metadata.title == "Receipt A-17/26"


@pytest.mark.parametrize(
    ("language", "label"),
    [("ru", "Код отслеживания"), ("uz", "Kuzatish kodi"), ("uz-cyrl", "Кузатиш коди")],
)
def test_the_receipt_speaks_the_citizens_language(language: str, label: str) -> None:
    text, _reader = text_of(
        receipt_pdf(data(service_name="Ер участкасини ажратиш"), language=language)
    )
    assert label in text
    assert "Ер участкасини ажратиш" in text


def test_a_long_list_of_documents_goes_on_and_nothing_is_lost() -> None:
    names = [f"hujjat-{number}.pdf" for number in range(1, 61)]
    text, reader = text_of(receipt_pdf(data(documents_received=names), language="en"))
    assert len(reader.pages) == 2
    assert "hujjat-60.pdf" in text
    assert "K7QM-3XWD-9HTR-B2NF" in text


def test_the_same_data_give_the_same_file() -> None:
    assert receipt_pdf(data(), language="en") == receipt_pdf(data(), language="en")


def test_missing_fonts_are_named(tmp_path: Path) -> None:
    with (
        override_settings(PDF_FONT_DIR=str(tmp_path)),
        pytest.raises(ImproperlyConfigured) as error,
    ):
        receipt_pdf(data(), language="en")
    assert str(tmp_path) in str(error.value)


@pytest.mark.django_db
def test_the_receipt_of_an_application_downloads(client: Client) -> None:
    application = submit(
        uploads={"documents": [pdf("pasport.pdf"), pdf("spravka.pdf")]}
    ).application
    client.cookies["language"] = "en"
    response = client.get(reverse("intake:receipt", args=[application.tracking_code]))
    assert response["Content-Type"] == "application/pdf"
    text, _reader = text_of(response.content)
    assert application.document.reg_number in text
    assert application.tracking_code_display in text
    assert "pasport.pdf" in text
    assert "spravka.pdf" in text

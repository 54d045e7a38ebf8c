"""The receipt PDF: what a citizen takes home, readable in every language.

The PDF is read back with pypdf, as a reader of the file would see it. Only the English labels
are checked: the other catalogues may not translate the receipt's messages yet, so for the other
languages the Cyrillic and Uzbek Latin free text is what must come through intact.
"""

import io
import shutil
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse
from PIL import Image, ImageChops
from pypdf import PdfReader

from intake.receipt import ReceiptData, receipt_pdf
from portal.fonts import DEFAULT_FONT_DIR
from portal.qr import qr_png
from tests.intake.factories import pdf, submit

OFFICE = "Toʻraqoʻrgʻon tumani hokimligi"
CYRILLIC_SERVICE = "Ер участкасини ажратиш"
TRACKING_URL = "http://testserver/track/K7QM3XWD9HTRB2NF/"


def data(**overrides: object) -> ReceiptData:
    values: dict[str, object] = {
        "office_name": OFFICE,
        "office_address": "Namangan viloyati, Toʻraqoʻrgʻon sh., Alisher Navoiy koʻchasi, 12-uy",
        "service_name": "Yer uchastkasi ajratish",
        "registration_number": "A-17/26",
        "registered_on": date(2026, 11, 26),
        "due_date": date(2027, 1, 11),
        "applicant_name": "Karimova Dilnoza Rustamovna",
        "documents_received": ["pasport.pdf", "maʼlumotnoma.pdf", "ariza.pdf"],
        "tracking_code": "K7QM-3XWD-9HTR-B2NF",
        "tracking_url": TRACKING_URL,
        "operator_name": "Qodirov Ulugʻbek",
        "fee": "0.5 BHM",
    }
    values.update(overrides)
    return ReceiptData(**values)  # type: ignore[arg-type]


def read(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_the_receipt_names_what_the_citizen_needs() -> None:
    content = receipt_pdf(data(), language="en")
    assert content.startswith(b"%PDF")
    text, reader = read(content)
    assert len(reader.pages) == 1
    for expected in (
        "Receipt A-17/26",
        "A-17/26",
        "K7QM-3XWD-9HTR-B2NF",
        OFFICE,
        "Alisher Navoiy koʻchasi, 12-uy",
        "Yer uchastkasi ajratish",
        "Karimova Dilnoza Rustamovna",
        "26.11.2026",
        "11.01.2027",
        "0.5 BHM",
        "Qodirov Ulugʻbek",
        "maʼlumotnoma.pdf",
        TRACKING_URL,
        "Tracking code",
        "Due date",
        "Documents received",
        "Fee",
        "Accepted by",
        "Keep this receipt",
    ):
        assert expected in text, expected


def test_the_pdf_is_titled_with_the_registration_number() -> None:
    _text, reader = read(receipt_pdf(data(), language="en"))
    assert reader.metadata is not None
    assert reader.metadata.title == "Receipt A-17/26"
    assert reader.metadata.creation_date is not None
    assert reader.metadata.creation_date.date() == date(2026, 11, 26)


def test_an_online_application_has_no_operator_and_a_free_service_no_fee() -> None:
    text, reader = read(receipt_pdf(data(operator_name="", fee=""), language="en"))
    assert len(reader.pages) == 1
    assert "Accepted by" not in text
    assert "Fee" not in text
    assert "K7QM-3XWD-9HTR-B2NF" in text


@pytest.mark.parametrize("language", ["uz", "uz-cyrl", "ru"])
def test_the_receipt_prints_uzbek_and_cyrillic_text_intact(language: str) -> None:
    text, reader = read(receipt_pdf(data(service_name=CYRILLIC_SERVICE), language=language))
    assert len(reader.pages) == 1
    assert CYRILLIC_SERVICE in text
    assert OFFICE in text
    assert "K7QM-3XWD-9HTR-B2NF" in text
    assert "11.01.2027" in text


def test_the_qr_code_is_the_tracking_url() -> None:
    _text, reader = read(receipt_pdf(data(), language="en"))
    images = reader.pages[0].images
    assert len(images) >= 1
    # No QR decoder here: the embedded picture is pixel for pixel the code of the tracking URL.
    expected = Image.open(io.BytesIO(qr_png(TRACKING_URL))).convert("L")
    embedded = images[0].image
    assert embedded is not None
    embedded = embedded.convert("L")
    assert embedded.size == expected.size
    assert ImageChops.difference(embedded, expected).getbbox() is None


def test_a_long_list_of_documents_goes_on_and_nothing_is_lost() -> None:
    names = [f"hujjat-{number}.pdf" for number in range(1, 61)]
    text, reader = read(receipt_pdf(data(documents_received=names), language="en"))
    assert len(reader.pages) == 2
    assert all(f"{number}. {name}" in text for number, name in enumerate(names, start=1))
    assert "K7QM-3XWD-9HTR-B2NF" in reader.pages[1].extract_text()


def test_no_documents_still_gives_a_receipt() -> None:
    text, reader = read(receipt_pdf(data(documents_received=[]), language="en"))
    assert len(reader.pages) == 1
    assert "Documents received" in text
    assert "1. " not in text


def test_the_same_data_give_the_same_file() -> None:
    assert receipt_pdf(data(), language="en") == receipt_pdf(data(), language="en")


def test_missing_fonts_are_named(tmp_path: Path) -> None:
    with (
        override_settings(PDF_FONT_DIR=tmp_path),
        pytest.raises(ImproperlyConfigured, match=r"DejaVuSans\.ttf") as error,
    ):
        receipt_pdf(data(), language="en")
    assert str(tmp_path) in str(error.value)


def test_without_the_monospaced_font_the_code_is_still_printed(tmp_path: Path) -> None:
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        shutil.copy(Path(DEFAULT_FONT_DIR) / name, tmp_path / name)
    with override_settings(PDF_FONT_DIR=tmp_path):
        text, _reader = read(receipt_pdf(data(), language="en"))
    assert "K7QM-3XWD-9HTR-B2NF" in text


@pytest.mark.django_db
def test_the_receipt_of_an_application_downloads(client: Client) -> None:
    application = submit(
        uploads={"documents": [pdf("pasport.pdf"), pdf("spravka.pdf")]}
    ).application
    client.cookies["language"] = "en"
    response = client.get(reverse("intake:receipt", args=[application.tracking_code]))
    assert response["Content-Type"] == "application/pdf"
    text, _reader = read(response.content)
    assert application.document.reg_number in text
    assert application.tracking_code_display in text
    assert "pasport.pdf" in text
    assert "spravka.pdf" in text

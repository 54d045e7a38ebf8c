"""Anyone checks a signed PDF: the public page and ``POST /api/v1/verify/``."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from edms.signing.certificates import Identity, authority_create, certificate_issue
from edms.signing.pades import pdf_sign
from tests.edms.factories import blank_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def authority() -> Identity:
    return authority_create(name="Khokimiyat test CA")


@pytest.fixture
def trusted(authority: Identity, tmp_path: Path, client: Client) -> Iterator[None]:
    pem = tmp_path / "ca.pem"
    pem.write_bytes(authority.certificate.public_bytes(Encoding.PEM))
    client.cookies["language"] = "en"
    with override_settings(SIGNING_TRUST_ROOTS=[str(pem)]), translation.override("en"):
        yield


def signed_by(authority: Identity, *names: str) -> bytes:
    pdf = blank_pdf()
    for name in names:
        pdf = pdf_sign(
            pdf, identity=certificate_issue(authority=authority, common_name=name), reason="Visa"
        )
    return pdf


def check(client: Client, content: bytes, name: str = "qaror.pdf") -> dict:
    response = client.post(reverse("api-verify"), {"file": SimpleUploadedFile(name, content)})
    return {"status": response.status_code, **response.json()}


@pytest.mark.usefixtures("trusted")
def test_the_api_reports_every_signature(client: Client, authority: Identity) -> None:
    answer = check(client, signed_by(authority, "Yusupova Malika", "Rahimov Baxtiyor"))
    assert answer["status"] == 200
    assert answer["verdict"] == "valid"
    assert [s["signer"] for s in answer["signatures"]] == ["Yusupova Malika", "Rahimov Baxtiyor"]
    first = answer["signatures"][0]
    assert set(first) == {
        "signer", "subject", "issuer", "serial", "signed_at",
        "intact", "trusted", "valid_at_signing", "modified_after",
    }  # fmt: skip
    assert (first["intact"], first["trusted"], first["valid_at_signing"]) == (True, True, True)


@pytest.mark.usefixtures("trusted")
def test_the_api_says_not_signed_altered_and_untrusted(client: Client, authority: Identity) -> None:
    assert check(client, blank_pdf()) == {"status": 200, "verdict": "unsigned", "signatures": []}
    altered = check(client, signed_by(authority, "Rahimov Baxtiyor") + b"\n% later\n")
    assert altered["verdict"] == "altered"
    assert altered["signatures"][0]["modified_after"] is True
    stranger = signed_by(authority_create(name="Other CA"), "Begona Shaxs")
    untrusted = check(client, stranger)
    assert untrusted["verdict"] == "untrusted"
    assert untrusted["signatures"][0]["trusted"] is False


@pytest.mark.usefixtures("trusted")
def test_what_is_not_a_pdf_gets_a_clear_400(client: Client) -> None:
    answer = check(client, b"MZ\x90\x00" * 50, name="dastur.exe")
    assert answer == {
        "status": 400,
        "errors": {"file": ["This file is not a PDF, so it cannot carry a PDF signature."]},
    }
    missing = client.post(reverse("api-verify"), {})
    assert missing.status_code == 400
    assert "file" in missing.json()["errors"]


@pytest.mark.usefixtures("trusted")
def test_the_public_page_checks_an_uploaded_pdf(client: Client, authority: Identity) -> None:
    page = client.get(reverse("verify_lookup")).content.decode()
    assert 'name="file"' in page
    response = client.post(
        reverse("verify_lookup"),
        {"file": SimpleUploadedFile("qaror.pdf", signed_by(authority, "Rahimov Baxtiyor"))},
    )
    html = response.content.decode()
    assert 'data-verdict="valid"' in html
    assert "Every signature is intact and trusted." in html
    assert "Rahimov Baxtiyor" in html
    altered = client.post(
        reverse("verify_lookup"),
        {"file": SimpleUploadedFile("q.pdf", signed_by(authority, "Rahimov Baxtiyor") + b"%x")},
    ).content.decode()
    assert "Signed, but the file was altered after signing." in altered

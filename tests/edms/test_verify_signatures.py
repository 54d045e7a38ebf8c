"""Anyone checks a signed PDF, or a ``.p7s`` and the file it signs: the public page and
``POST /api/v1/verify/``."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from edms.signing.certificates import Identity, authority_create, certificate_issue
from edms.signing.detached import detached_sign
from edms.signing.pades import pdf_sign
from tests.edms.factories import blank_pdf
from tests.edms.test_detached_signatures import revocation_list

pytestmark = pytest.mark.django_db

NEITHER = "This file is neither a PDF nor a .p7s signature, so there is no signature to check."


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


def check(
    client: Client, content: bytes, name: str = "qaror.pdf", signed_file: bytes | None = None
) -> dict:
    files = {"file": SimpleUploadedFile(name, content)}
    if signed_file is not None:
        files["signed_file"] = SimpleUploadedFile("qaror.docx", signed_file)
    response = client.post(reverse("api-verify"), files)
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
        "errors": {"file": [NEITHER]},
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


DOCUMENT = b"PK\x03\x04 a Word file, not a PDF" * 100


def p7s_by(authority: Identity, name: str, data: bytes = DOCUMENT) -> bytes:
    return detached_sign(data, identity=certificate_issue(authority=authority, common_name=name))


@pytest.mark.usefixtures("trusted")
def test_the_api_checks_a_p7s_against_its_file(client: Client, authority: Identity) -> None:
    p7s = p7s_by(authority, "Karimova Dilnoza")
    # Told apart by its content: the name says nothing.
    answer = check(client, p7s, name="imzo.bin", signed_file=DOCUMENT)
    assert answer["status"] == 200
    assert answer["verdict"] == "valid"
    (signature,) = answer["signatures"]
    assert signature["signer"] == "Karimova Dilnoza"
    assert (signature["intact"], signature["trusted"], signature["modified_after"]) == (
        True,
        True,
        False,
    )
    other_file = check(client, p7s, name="imzo.p7s", signed_file=DOCUMENT + b" ")
    assert other_file["verdict"] == "altered"
    assert other_file["signatures"][0]["intact"] is False
    stranger = check(client, p7s_by(authority_create(name="Other CA"), "B"), signed_file=DOCUMENT)
    assert stranger["verdict"] == "untrusted"


@pytest.mark.usefixtures("trusted")
def test_a_p7s_without_its_file_and_garbage_get_a_clear_400(
    client: Client, authority: Identity
) -> None:
    assert check(client, p7s_by(authority, "Karimova Dilnoza"), name="imzo.p7s") == {
        "status": 400,
        "errors": {
            "signed_file": ["This is a .p7s signature: attach the file it signs as “signed_file”."]
        },
    }
    garbage = check(
        client, b"\x30\x82\x01\x00 not DER at all", name="imzo.p7s", signed_file=DOCUMENT
    )
    assert garbage["status"] == 400
    assert garbage["errors"]["file"] == [NEITHER]


@pytest.mark.usefixtures("trusted")
def test_both_files_are_held_to_the_size_limit(client: Client, authority: Identity) -> None:
    p7s = p7s_by(authority, "Karimova Dilnoza")
    with override_settings(SIGNED_FILE_MAX_BYTES=len(p7s) + 10):
        assert check(client, p7s, signed_file=DOCUMENT * 10)["errors"] == {
            "signed_file": ["The file is too large to check here."]
        }
        assert check(client, DOCUMENT * 10)["errors"] == {
            "file": ["The file is too large to check here."]
        }
        assert check(client, p7s, signed_file=DOCUMENT[: len(p7s)])["status"] == 200


@pytest.mark.usefixtures("trusted")
def test_a_revocation_list_makes_a_later_signature_invalid(
    client: Client, authority: Identity, tmp_path: Path
) -> None:
    signer = certificate_issue(authority=authority, common_name="Karimova Dilnoza")
    p7s = detached_sign(DOCUMENT, identity=signer)
    crl = revocation_list(authority, (signer.certificate, datetime.now(UTC) - timedelta(minutes=1)))
    path = tmp_path / "ca.crl"
    path.write_bytes(crl.public_bytes(Encoding.DER))
    assert check(client, p7s, signed_file=DOCUMENT)["verdict"] == "valid"
    with override_settings(SIGNING_CRLS=[str(path)]):
        answer = check(client, p7s, signed_file=DOCUMENT)
    assert answer["verdict"] == "invalid"
    assert answer["signatures"][0]["valid_at_signing"] is False


@pytest.mark.usefixtures("trusted")
def test_the_public_page_checks_a_p7s_and_its_file(client: Client, authority: Identity) -> None:
    page = client.get(reverse("verify_lookup")).content.decode()
    assert 'name="signed_file"' in page
    assert "The signed file (only for a .p7s signature)" in page
    p7s = p7s_by(authority, "Karimova Dilnoza")
    response = client.post(
        reverse("verify_lookup"),
        {
            "file": SimpleUploadedFile("imzo.p7s", p7s),
            "signed_file": SimpleUploadedFile("qaror.docx", DOCUMENT),
        },
    )
    html = response.content.decode()
    assert 'data-verdict="valid"' in html
    assert "Karimova Dilnoza" in html
    alone = client.post(reverse("verify_lookup"), {"file": SimpleUploadedFile("imzo.p7s", p7s)})
    assert alone.status_code == 400
    assert "attach the file it signs" in alone.content.decode()

"""Signing with endesive and verifying with pyHanko: two visas and a final signature, and every
way a signed file can be wrong."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from edms.signing.certificates import (
    Identity,
    authority_create,
    certificate_issue,
    pkcs12_export,
    pkcs12_open,
)
from edms.signing.pades import _endesive_cms, pdf_sign
from edms.signing.verification import NotAPdf, pdf_signatures, verdict
from tests.edms.factories import blank_pdf

PASSPHRASE = "demo-passphrase-1"


@pytest.fixture(scope="module")
def authority() -> Identity:
    return authority_create(name="Khokimiyat demo CA")


@pytest.fixture(scope="module")
def people(authority: Identity) -> dict[str, Identity]:
    return {
        name: certificate_issue(authority=authority, common_name=name, organisation="Jizzax")
        for name in ("Yusupova Malika", "Karimova Dilnoza", "Rahimov Baxtiyor")
    }


def routed(people: dict[str, Identity]) -> bytes:
    pdf = blank_pdf()
    pdf = pdf_sign(pdf, identity=people["Yusupova Malika"], reason="Visa")
    pdf = pdf_sign(pdf, identity=people["Karimova Dilnoza"], reason="Visa")
    return pdf_sign(pdf, identity=people["Rahimov Baxtiyor"], reason="Signed")


def test_two_visas_and_a_final_signature_all_verify(
    authority: Identity, people: dict[str, Identity]
) -> None:
    reports = pdf_signatures(routed(people), trust_roots=[authority.certificate])
    assert [r.signer for r in reports] == [
        "Yusupova Malika",
        "Karimova Dilnoza",
        "Rahimov Baxtiyor",
    ]
    for report in reports:
        assert report.intact
        assert report.trusted
        assert report.valid_at_signing
        assert not report.modified_after
        assert report.serial
        assert "Khokimiyat demo CA" in report.issuer


def test_an_unsigned_pdf_has_no_signatures_and_a_non_pdf_is_refused(authority: Identity) -> None:
    assert pdf_signatures(blank_pdf(), trust_roots=[authority.certificate]) == []
    with pytest.raises(NotAPdf):
        pdf_signatures(b"MZ\x90\x00 not a pdf", trust_roots=[authority.certificate])


def test_one_byte_flipped_inside_the_signed_range_is_not_intact(
    authority: Identity, people: dict[str, Identity]
) -> None:
    signed = bytearray(routed(people))
    position = signed.index(b"/MediaBox")  # in the first revision, signed by every signature
    signed[position + 2] ^= 0x01
    reports = pdf_signatures(bytes(signed), trust_roots=[authority.certificate])
    assert reports
    assert not any(report.intact for report in reports)


def test_bytes_appended_after_the_last_signature_are_reported(
    authority: Identity, people: dict[str, Identity]
) -> None:
    reports = pdf_signatures(
        routed(people) + b"\n% added later\n", trust_roots=[authority.certificate]
    )
    assert reports[-1].intact  # what it signed is unchanged ...
    assert reports[-1].modified_after  # ... but the file goes on after it


def page_text_replaced(pdf: bytes, text: bytes) -> bytes:
    """``pdf`` with an incremental update that gives its first page other content."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    content = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 700 Td (" + text + b") Tj ET")
    page["/Contents"] = writer.add_object(content)
    writer.update_container(page)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_content_changed_between_two_signatures_flags_the_earlier_one(
    authority: Identity, people: dict[str, Identity]
) -> None:
    visa = pdf_sign(blank_pdf(), identity=people["Yusupova Malika"], reason="Visa")
    changed = page_text_replaced(visa, b"Amount: 1 000 000 000 UZS")
    signed = pdf_sign(changed, identity=people["Rahimov Baxtiyor"], reason="Signed")
    first, last = pdf_signatures(signed, trust_roots=[authority.certificate])
    assert first.intact  # the bytes of its own revision are unchanged ...
    assert first.modified_after  # ... but the page changed after it
    assert (last.intact, last.modified_after) == (True, False)
    assert verdict([first, last]) == "altered"


def test_a_certificate_from_another_authority_is_not_trusted(
    authority: Identity, people: dict[str, Identity]
) -> None:
    stranger = certificate_issue(
        authority=authority_create(name="Some other CA"), common_name="Begona Shaxs"
    )
    signed = pdf_sign(routed(people), identity=stranger, reason="Signed")
    reports = pdf_signatures(signed, trust_roots=[authority.certificate])
    assert reports[-1].intact
    assert not reports[-1].trusted
    assert all(report.trusted for report in reports[:-1])


def test_an_expired_certificate_cannot_sign_and_is_reported_if_it_did(
    authority: Identity,
) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=800)
    expired = certificate_issue(
        authority=authority, common_name="Eski Sertifikat", valid_days=30, now=long_ago
    )
    with pytest.raises(ValidationError) as refused:
        pdf_sign(blank_pdf(), identity=expired, reason="Signed")
    assert refused.value.code == "expired"
    # Signed anyway, behind this product's back: the report says so.
    cms = _endesive_cms()
    pdf = blank_pdf()
    details = {
        "sigflags": 3,
        "sigpage": 0,
        "sigfield": "Signature1",
        "signingdate": datetime.now(UTC).strftime("D:%Y%m%d%H%M%S+00'00'"),
        "reason": "Signed",
        "aligned": 8192,
    }
    signed = pdf + cms.sign(pdf, details, expired.key, expired.certificate, [], "sha256")
    (report,) = pdf_signatures(signed, trust_roots=[authority.certificate])
    assert report.intact
    assert not report.valid_at_signing


def test_a_wrong_passphrase_signs_nothing_and_says_so(people: dict[str, Identity]) -> None:
    key_file = pkcs12_export(people["Rahimov Baxtiyor"], passphrase=PASSPHRASE)
    opened = pkcs12_open(key_file, passphrase=PASSPHRASE)
    assert opened.certificate == people["Rahimov Baxtiyor"].certificate
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        pkcs12_open(key_file, passphrase="wrong passphrase")
    assert refused.value.code == "wrong_passphrase"
    with translation.override("en"):
        assert "Nothing was signed" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        pkcs12_export(people["Rahimov Baxtiyor"], passphrase="short")


def test_verification_works_where_an_event_loop_is_running(
    authority: Identity, people: dict[str, Identity]
) -> None:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    signed = routed(people)

    async def inside_a_loop() -> list[bool]:
        reports = pdf_signatures(signed, trust_roots=[authority.certificate])
        return [report.intact and report.trusted for report in reports]

    # On a thread of its own, so that a loop the browser tests left running here does not matter.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside_a_loop()).result() == [True, True, True]

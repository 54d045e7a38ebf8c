"""Detached CMS signatures (``.p7s``) of files that are not PDFs, and revocation lists: a
certificate revoked before a signature makes it invalid, one revoked after leaves it valid."""

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms, pem
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.exceptions import ImproperlyConfigured, ValidationError

from edms.signing.certificates import Identity, authority_create, certificate_issue
from edms.signing.detached import detached_sign
from edms.signing.pades import pdf_sign
from edms.signing.trust import revocation_lists
from edms.signing.verification import (
    NotASignature,
    certificate_revoked,
    detached_signatures,
    is_detached_signature,
    pdf_signatures,
    verdict,
)
from tests.edms.factories import blank_pdf

DATA = "Qaror loyihasi: ichimlik suvi taʼminoti.\n".encode() * 200
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def authority() -> Identity:
    return authority_create(name="Khokimiyat detached CA", now=NOW - timedelta(days=30))


@pytest.fixture(scope="module")
def signer(authority: Identity) -> Identity:
    """Issued a month ago, so that it can sign at times before a revocation."""
    return certificate_issue(
        authority=authority, common_name="Rahimov Baxtiyor", now=NOW - timedelta(days=30)
    )


def revocation_list(
    authority: Identity, *revoked: tuple[x509.Certificate, datetime]
) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(authority.certificate.subject)
        .last_update(NOW)
        .next_update(NOW + timedelta(days=7))
    )
    for certificate, at in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(certificate.serial_number)
            .revocation_date(at)
            .build()
        )
    return builder.sign(authority.key, hashes.SHA256())


def test_a_detached_signature_is_intact_trusted_and_valid(
    authority: Identity, signer: Identity
) -> None:
    at = NOW - timedelta(hours=2)
    p7s = detached_sign(DATA, identity=signer, at=at)

    # What the .p7s is: a DER CMS SignedData, content not embedded, signed attributes with the
    # message digest and the signing time, the signer's certificate and its chain.
    info = cms.ContentInfo.load(p7s)
    assert info["content_type"].native == "signed_data"
    signed_data = info["content"]
    assert signed_data["encap_content_info"]["content"].native is None
    (signer_info,) = signed_data["signer_infos"]
    attributes = {a["type"].native: a["values"][0].native for a in signer_info["signed_attrs"]}
    assert attributes["message_digest"] == hashlib.sha256(DATA).digest()
    assert attributes["signing_time"] == at
    assert attributes["content_type"] == "data"
    serials = {c.chosen.serial_number for c in signed_data["certificates"]}
    assert serials == {signer.certificate.serial_number, authority.certificate.serial_number}

    (report,) = detached_signatures(DATA, p7s, trust_roots=[authority.certificate])
    assert report.signer == "Rahimov Baxtiyor"
    assert report.serial == format(signer.certificate.serial_number, "x")
    assert report.signed_at == at
    assert (report.intact, report.trusted, report.valid_at_signing) == (True, True, True)
    assert not report.modified_after
    assert verdict([report]) == "valid"


def test_one_byte_changed_in_the_file_is_not_intact(authority: Identity, signer: Identity) -> None:
    p7s = detached_sign(DATA, identity=signer)
    changed = bytearray(DATA)
    changed[100] ^= 0x01
    (report,) = detached_signatures(bytes(changed), p7s, trust_roots=[authority.certificate])
    assert not report.intact
    assert verdict([report]) == "altered"


def test_a_signature_from_another_authority_is_not_trusted(authority: Identity) -> None:
    stranger = certificate_issue(
        authority=authority_create(name="Some other CA"), common_name="Begona Shaxs"
    )
    (report,) = detached_signatures(
        DATA, detached_sign(DATA, identity=stranger), trust_roots=[authority.certificate]
    )
    assert report.intact
    assert not report.trusted
    assert verdict([report]) == "untrusted"


def test_a_certificate_revoked_before_the_signature_makes_it_invalid_and_after_does_not(
    authority: Identity, signer: Identity
) -> None:
    revoked_at = NOW - timedelta(days=1)
    crls = [revocation_list(authority, (signer.certificate, revoked_at))]
    before = detached_sign(DATA, identity=signer, at=revoked_at - timedelta(days=1))
    after = detached_sign(DATA, identity=signer, at=revoked_at + timedelta(hours=1))
    roots = [authority.certificate]

    (earlier,) = detached_signatures(DATA, before, trust_roots=roots, crls=crls)
    assert earlier.valid_at_signing
    assert verdict([earlier]) == "valid"

    (later,) = detached_signatures(DATA, after, trust_roots=roots, crls=crls)
    assert (later.intact, later.trusted) == (True, True)
    assert not later.valid_at_signing
    assert verdict([later]) == "invalid"
    # The revocation list is what says so.
    (unlisted,) = detached_signatures(DATA, after, trust_roots=roots)
    assert unlisted.valid_at_signing


def test_a_revoked_certificate_invalidates_a_later_pdf_signature_too(
    authority: Identity, signer: Identity
) -> None:
    signed = pdf_sign(blank_pdf(), identity=signer, reason="Signed")
    revoked = [revocation_list(authority, (signer.certificate, NOW - timedelta(hours=1)))]
    (report,) = pdf_signatures(signed, trust_roots=[authority.certificate], crls=revoked)
    assert (report.intact, report.trusted) == (True, True)
    assert not report.valid_at_signing
    (report,) = pdf_signatures(signed, trust_roots=[authority.certificate])
    assert report.valid_at_signing


def test_certificate_revoked_reads_only_the_lists_of_the_certificates_issuer(
    authority: Identity, signer: Identity
) -> None:
    revoked_at = NOW - timedelta(days=2)
    other = authority_create(name="Some other CA")
    own_list = revocation_list(authority, (signer.certificate, revoked_at))
    # Another authority listing the same serial number does not revoke this certificate.
    foreign_list = revocation_list(other, (signer.certificate, revoked_at - timedelta(days=1)))
    assert certificate_revoked(signer.certificate, [own_list, foreign_list]) == revoked_at
    assert certificate_revoked(signer.certificate, [foreign_list]) is None
    assert certificate_revoked(signer.certificate, [revocation_list(authority)]) is None
    assert certificate_revoked(signer.certificate, []) is None


def test_signing_needs_a_certificate_valid_at_the_signing_time(signer: Identity) -> None:
    with pytest.raises(ValidationError) as refused:
        detached_sign(DATA, identity=signer, at=NOW + timedelta(days=3650))
    assert refused.value.code == "expired"
    with pytest.raises(ValidationError) as refused:
        detached_sign(DATA, identity=signer, at=NOW - timedelta(days=60))
    assert refused.value.code == "not_yet_valid"


def test_what_is_not_a_cms_signature_is_refused(authority: Identity, signer: Identity) -> None:
    p7s = detached_sign(DATA, identity=signer)
    assert is_detached_signature(p7s)
    for other in (b"MZ\x90\x00" * 50, blank_pdf(), DATA, b"", p7s[:-10], p7s + b"tail"):
        assert not is_detached_signature(other)
        with pytest.raises(NotASignature):
            detached_signatures(DATA, other, trust_roots=[authority.certificate])
    # A SignedData with no signer (a certificate bundle) carries no signature.
    bundle = cms.ContentInfo.load(p7s)
    bundle["content"]["signer_infos"] = cms.SignerInfos([])
    assert not is_detached_signature(bundle.dump())


def test_a_pem_armoured_p7s_reads_the_same(authority: Identity, signer: Identity) -> None:
    armoured = pem.armor("PKCS7", detached_sign(DATA, identity=signer))
    assert is_detached_signature(armoured)
    (report,) = detached_signatures(DATA, armoured, trust_roots=[authority.certificate])
    assert (report.intact, report.trusted) == (True, True)


def test_each_signer_of_a_p7s_gets_its_report(authority: Identity, signer: Identity) -> None:
    stranger = certificate_issue(authority=authority_create(name="Other CA"), common_name="Begona")
    first = cms.ContentInfo.load(detached_sign(DATA, identity=signer))
    second = cms.ContentInfo.load(detached_sign(DATA, identity=stranger))
    both, other = first["content"], second["content"]
    both["signer_infos"] = cms.SignerInfos([*both["signer_infos"], *other["signer_infos"]])
    both["certificates"] = cms.CertificateSet([*both["certificates"], *other["certificates"]])
    reports = detached_signatures(DATA, first.dump(), trust_roots=[authority.certificate])
    # A SET OF: DER orders the signers by their encoding, not by who came first.
    assert sorted((r.signer, r.intact, r.trusted) for r in reports) == [
        ("Begona", True, False),
        ("Rahimov Baxtiyor", True, True),
    ]


def test_revocation_lists_come_from_the_setting_or_the_demo_authority(
    settings: Any, tmp_path: Path, authority: Identity, signer: Identity
) -> None:
    listed = revocation_list(authority, (signer.certificate, NOW))
    settings.SIGNING_DIR = tmp_path / "signing"
    settings.SIGNING_CRLS = []
    assert revocation_lists() == []  # no demo authority's list yet
    demo = tmp_path / "signing" / "demo-ca.crl"
    demo.parent.mkdir()
    demo.write_bytes(listed.public_bytes(Encoding.PEM))
    assert revocation_lists() == [listed]

    der = tmp_path / "other.crl"
    der.write_bytes(revocation_list(authority).public_bytes(Encoding.DER))
    settings.SIGNING_CRLS = [str(der)]
    (configured,) = revocation_lists()
    assert certificate_revoked(signer.certificate, [configured]) is None  # the setting wins

    broken = tmp_path / "broken.crl"
    broken.write_bytes(b"not a revocation list")
    settings.SIGNING_CRLS = [str(broken)]
    with pytest.raises(ImproperlyConfigured, match="SIGNING_CRLS"):
        revocation_lists()

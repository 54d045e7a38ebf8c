"""Detached CMS signatures (``.p7s``) for files that are not PDFs.

The signature is a DER CMS SignedData that does not embed the file: its signed attributes hold
the content type, the SHA-256 message digest of the file, the signing time and the ESS
signing-certificate-v2 reference, and it carries the signer's certificate and its chain.
``edms.signing.verification.detached_signatures`` checks it against the file.

Made with endesive's ``endesive.signer``, the CMS builder its ``plain`` signer wraps: unlike the
``endesive.plain`` and ``endesive.pdf`` packages, whose ``__init__`` imports the verifier and so
``oscrypto`` (see ``edms.signing.pades``), ``endesive.signer`` imports asn1crypto, cryptography
and requests, never oscrypto, so it is imported as it is. Its default signed attributes leave
the signing time out, so they are passed as a function (``_signed_attributes``).

A time-stamp is not added yet. When it is, it goes where ``edms.signing.pades`` puts one: an
unsigned attribute over the signature value, which ``endesive.signer.sign`` requests from the
authority given as ``tspurl`` (``edms.signing.timestamps``); the signed attributes stay as they
are, and a keyword argument of ``detached_sign`` passes the authority on.
"""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from endesive import signer

from edms.signing.certificates import Identity, certificate_check_usable

DIGEST = "sha256"


def detached_sign(data: bytes, *, identity: Identity, at: datetime | None = None) -> bytes:
    """The ``.p7s`` of ``data``: DER CMS SignedData, the content not embedded; the certificate
    must be valid at ``at`` (now by default)."""
    at = at or datetime.now(UTC)
    certificate_check_usable(identity.certificate, at=at)
    signer_certificate = asn1_x509.Certificate.load(identity.certificate.public_bytes(Encoding.DER))
    signature: bytes = signer.sign(
        data,
        identity.key,
        signer_certificate,
        list(identity.chain),
        DIGEST,
        attrs=_signed_attributes(signer_certificate, at),
    )
    return signature


def _signed_attributes(
    certificate: asn1_x509.Certificate, at: datetime
) -> Callable[[bytes], list[cms.CMSAttribute]]:
    """endesive calls this with the message digest of the data (a plain function: endesive
    checks for ``types.FunctionType``)."""

    def attributes(digest: bytes) -> list[cms.CMSAttribute]:
        essid = tsp.ESSCertIDv2(
            {
                "hash_algorithm": algos.DigestAlgorithm({"algorithm": DIGEST}),
                "cert_hash": hashlib.sha256(certificate.dump()).digest(),
                "issuer_serial": tsp.IssuerSerial(
                    {
                        "issuer": [asn1_x509.GeneralName({"directory_name": certificate.issuer})],
                        "serial_number": certificate.serial_number,
                    }
                ),
            }
        )
        return [
            cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            cms.CMSAttribute({"type": "message_digest", "values": [digest]}),
            cms.CMSAttribute(
                {"type": "signing_time", "values": [cms.Time({"utc_time": core.UTCTime(at)})]}
            ),
            cms.CMSAttribute(
                {
                    "type": "signing_certificate_v2",
                    "values": [tsp.SigningCertificateV2({"certs": [essid]})],
                }
            ),
        ]

    return attributes

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

With a time-stamp authority (``SIGNING_TSA_URL``, or ``timestamp_url``) the token is an
unsigned attribute over the signature value, as in ``edms.signing.pades``, and a signature the
authority did not time-stamp is refused (``edms.signing.timestamps``).
"""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from endesive import signer

from edms.signing.certificates import Identity, certificate_check_usable
from edms.signing.timestamps import no_timestamp, timestamp_required, tsa_timeout, tsa_url

DIGEST = "sha256"


def detached_sign(
    data: bytes,
    *,
    identity: Identity,
    at: datetime | None = None,
    timestamp_url: str | None = None,
) -> bytes:
    """The ``.p7s`` of ``data``: DER CMS SignedData, the content not embedded; the certificate
    must be valid at ``at`` (now by default). ``timestamp_url``: None uses the setting, empty
    signs without a time-stamp."""
    at = at or datetime.now(UTC)
    url = tsa_url() if timestamp_url is None else timestamp_url
    certificate_check_usable(identity.certificate, at=at)
    signer_certificate = asn1_x509.Certificate.load(identity.certificate.public_bytes(Encoding.DER))
    try:
        signature: bytes = signer.sign(
            data,
            identity.key,
            signer_certificate,
            list(identity.chain),
            DIGEST,
            attrs=_signed_attributes(signer_certificate, at),
            tspurl=url or None,
            tspoptions={"timeout": tsa_timeout()} if url else None,
        )
    except ValueError:
        if not url:
            raise
        raise no_timestamp() from None  # endesive could not read the authority's answer
    if url:
        timestamp_required(signature)
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

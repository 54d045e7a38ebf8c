"""What a PDF's signatures say, for anyone holding the file.

Each signature is checked with pyHanko's validator against the configured trust store only
(never a public bundle, never fetched from the network):

- ``intact``: the bytes it signed are unchanged;
- ``trusted``: its certificate chains to a trusted authority;
- ``valid_at_signing``: the certificate was within its validity period at the signing time
  the signature states (revocation lists come with the certificate store);
- ``modified_after``: the file was changed after this signature (later signatures of an
  approval route are expected; anything else is flagged).

pyHanko rather than endesive's verifier: endesive's trusts the ``certifi`` public bundle plus
the authorities passed to it, checks only the last signature by default, reports bytes appended
after it as a side value, and imports ``oscrypto``, which fails on this machine's OpenSSL.
"""

import asyncio
import io
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

T = TypeVar("T")


@dataclass(frozen=True)
class SignatureReport:
    field: str
    signer: str
    subject: str
    issuer: str
    serial: str
    signed_at: datetime | None
    intact: bool
    trusted: bool
    valid_at_signing: bool
    modified_after: bool


class NotAPdf(ValueError):
    """The file is not a PDF this verifier can read."""


def _context(trust_roots: list[x509.Certificate]) -> ValidationContext:
    return ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in trust_roots],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def pdf_signatures(pdf: bytes, *, trust_roots: list[x509.Certificate]) -> list[SignatureReport]:
    """One report per signature, in signing order; an unsigned PDF gives an empty list."""
    if not pdf.startswith(b"%PDF-"):
        raise NotAPdf("not a PDF")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError) as error:
        raise NotAPdf(str(error)) from error
    reports = []
    for index, embedded in enumerate(signatures):
        certificate = embedded.signer_cert
        try:
            status: PdfSignatureStatus | None = _run(
                async_validate_pdf_signature(embedded, _context(trust_roots))
            )
        except (SignatureValidationError, ValueError):
            status = None
        later = index < len(signatures) - 1
        coverage = status.coverage if status is not None else None
        covers_file = coverage is not None and coverage.name == "ENTIRE_FILE"
        reports.append(
            SignatureReport(
                field=embedded.field_name,
                signer=certificate.subject.native.get("common_name", ""),
                subject=certificate.subject.human_friendly,
                issuer=certificate.issuer.human_friendly,
                serial=format(certificate.serial_number, "x"),
                signed_at=embedded.self_reported_timestamp,
                intact=bool(status and status.intact and status.valid),
                trusted=bool(status and status.trusted),
                valid_at_signing=_in_period(certificate, embedded.self_reported_timestamp),
                # The last signature must cover the whole file; an earlier one is followed by
                # the later signatures of the route, which is expected.
                modified_after=not later and not covers_file,
            )
        )
    return reports


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """pyHanko validates asynchronously. Its own sync wrapper calls ``asyncio.run``, which fails
    where an event loop already runs in this thread (an ASGI worker; the browser tests): run it
    on a thread of its own there."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _in_period(certificate: asn1_x509.Certificate, at: datetime | None) -> bool:
    if at is None:
        return False
    validity = certificate["tbs_certificate"]["validity"]
    return bool(validity["not_before"].native <= at <= validity["not_after"].native)


def verdict(reports: list[SignatureReport]) -> str:
    """The one line a person needs: "unsigned", "altered", "untrusted", "invalid" or "valid"."""
    if not reports:
        return "unsigned"
    if any(not r.intact or r.modified_after for r in reports):
        return "altered"
    if any(not r.trusted for r in reports):
        return "untrusted"
    if any(not r.valid_at_signing for r in reports):
        return "invalid"
    return "valid"

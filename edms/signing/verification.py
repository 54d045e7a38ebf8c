"""What signatures say, for anyone holding the signed file: the signatures embedded in a PDF,
and detached CMS signatures (``.p7s``) of any file.

Each signature is checked with pyHanko's validator against the configured trust store only
(never a public bundle, never fetched from the network):

- ``intact``: the bytes it signed are unchanged (for a ``.p7s``: the file's digest is the one
  signed) and the signature value is valid;
- ``trusted``: its certificate chains to a trusted authority;
- ``valid_at_signing``: at the signing time the signature states, the certificate was within
  its validity period and not revoked: no configured revocation list of its issuer
  (``edms.signing.trust.revocation_lists``) lists it with a revocation date up to that time. A
  certificate revoked later leaves earlier signatures valid. The signing time is the one the
  signature itself states;
- ``modified_after``: the file was changed after this signature. The last signature of a PDF
  must cover the whole file. An earlier one is followed by the later signatures of the
  approval route: pyHanko's difference analysis classes each endesive signature update as
  ``FORM_FILLING``, which is expected; anything above that (annotations, changed page content or
  other objects) flags it. A ``.p7s`` has no "after": its file is either intact or not.

The file is anyone's upload: its parsing goes through ``core.filesafety`` (limits, and the
checks for nesting, loops and compression bombs), whose ``FileRefused`` says why a file is not
read; a PDF that pyHanko cannot read is refused as damaged, never as "not a PDF".

pyHanko rather than endesive's verifier: endesive's trusts the ``certifi`` public bundle plus
the authorities passed to it, checks only the last signature by default, reports bytes appended
after it as a side value, and imports ``oscrypto``, which fails on this machine's OpenSSL.
"""

import asyncio
import io
import logging
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from asn1crypto import cms, pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import extract_certificate_info
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import (
    async_validate_detached_cms,
    extract_self_reported_ts,
)
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko.sign.validation.status import (
    PdfSignatureStatus,
    SignatureCoverageLevel,
    SignatureStatus,
)
from pyhanko_certvalidator import ValidationContext
from pypdf.errors import LimitReachedError

from core import filesafety
from core.filesafety import FileRefused

logger = logging.getLogger(__name__)

T = TypeVar("T")
Crls = Sequence[x509.CertificateRevocationList]


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


PDF_DAMAGED = _(
    "“%(name)s” is damaged: it begins as a PDF, but its structure or its signatures cannot be "
    "read, so they cannot be checked."
)
TOO_MANY_SIGNATURES = _(
    "“%(name)s” carries more than %(limit)s signatures, more than can be checked here."
)
# What a parser does when a file is built against it: for ``filesafety.guarded`` to answer.
_ATTACKED = (FileRefused, RecursionError, MemoryError, LimitReachedError)


class NotAPdf(ValueError):
    """The file is not a PDF (it does not begin as one)."""


class NotASignature(ValueError):
    """The file is not a detached CMS signature (``.p7s``) this verifier can read."""


def _context(trust_roots: list[x509.Certificate]) -> ValidationContext:
    """Trust roots only. Revocation lists are not given to pyHanko: its soft-fail mode checks
    only certificates that name a distribution point (the demo authority's name none), and
    it judges revocation at validation time, not at the signing time (see ``_valid_at``)."""
    return ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in trust_roots],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def pdf_signatures(
    pdf: bytes, *, trust_roots: list[x509.Certificate], crls: Crls = ()
) -> list[SignatureReport]:
    """One report per signature, in signing order; an unsigned PDF gives an empty list.

    ``NotAPdf`` when it does not begin as a PDF; ``FileRefused`` when it does but is refused
    by ``core.filesafety`` or cannot be read."""
    if not pdf.startswith(b"%PDF-"):
        raise NotAPdf("not a PDF")
    with filesafety.guarded():
        _pdf_structure_check(pdf)
        try:
            reader = PdfFileReader(io.BytesIO(pdf), strict=False)
            signatures = list(reader.embedded_signatures)
            _signatures_check(len(signatures))
            return [_pdf_report(e, signatures, trust_roots, crls) for e in signatures]
        except _ATTACKED:
            raise
        except Exception as error:  # pyHanko raises many kinds of error on a damaged file
            logger.info("PDF not verifiable: %s: %s", type(error).__name__, error)
            raise FileRefused(PDF_DAMAGED, code="pdf_damaged") from None


def _signatures_check(count: int) -> None:
    """Each signature's check reads every later revision (a file of 40 signatures takes
    seconds, of 1,000 forged ones many minutes): more than ``SIGNED_FILE_MAX_SIGNATURES`` is
    refused."""
    limit: int = settings.SIGNED_FILE_MAX_SIGNATURES
    if count > limit:
        raise FileRefused(TOO_MANY_SIGNATURES, code="signatures", limit=limit)


def _pdf_structure_check(pdf: bytes) -> None:
    """``core.filesafety``'s checks of the PDF (nesting, bombs, loops, sizes). Errors of
    pypdf's own reading are not judged here: pyHanko, which reads it next, decides."""
    try:
        reader = filesafety.pdf_open(pdf)
        if not reader.is_encrypted:
            filesafety.pdf_page_count(reader)
    except _ATTACKED:
        raise
    except Exception as error:
        logger.info("PDF not read by pypdf: %s: %s", type(error).__name__, error)


def _validated(validation: Coroutine[Any, Any, T]) -> T | None:
    """pyHanko's status of one signature, or None when it cannot be validated (a
    ``SignatureValidationError`` or a damaged signature); a file built to attack the parser
    still raises."""
    try:
        return _run(validation)
    except _ATTACKED:
        raise
    except Exception as error:  # SignatureValidationError, or a damaged signature
        if not isinstance(error, SignatureValidationError | ValueError):
            logger.info("Signature not validated: %s: %s", type(error).__name__, error)
        return None


def _pdf_report(
    embedded: Any, signatures: list[Any], trust_roots: list[x509.Certificate], crls: Crls
) -> SignatureReport:
    status: PdfSignatureStatus | None = _validated(
        async_validate_pdf_signature(embedded, _context(trust_roots))
    )
    last = embedded is signatures[-1]
    covers_file = status is not None and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    return _report(
        field=embedded.field_name,
        certificate=embedded.signer_cert,
        signed_at=embedded.self_reported_timestamp,
        status=status,
        crls=crls,
        # The last signature must cover the whole file; an earlier one is followed by the
        # later signatures of the route, and only those are expected after it.
        modified_after=not covers_file and (last or _changed_after(status)),
    )


def detached_signatures(
    data: bytes, signature: bytes, *, trust_roots: list[x509.Certificate], crls: Crls = ()
) -> list[SignatureReport]:
    """One report per signer of the ``.p7s`` ``signature`` (DER, or PEM) over ``data``."""
    with filesafety.guarded():
        return _detached_reports(data, signature, trust_roots=trust_roots, crls=crls)


def _detached_reports(
    data: bytes, signature: bytes, *, trust_roots: list[x509.Certificate], crls: Crls
) -> list[SignatureReport]:
    signed_data = _signed_data(signature)
    reports = []
    for signer_info in signed_data["signer_infos"]:
        one_signer = _one_signer(signed_data, signer_info)
        try:
            certificate = extract_certificate_info(one_signer).signer_cert
        except (ValueError, KeyError, TypeError) as error:
            raise NotASignature(f"no signer certificate: {error}") from error
        status: SignatureStatus | None = _validated(
            async_validate_detached_cms(data, one_signer, _context(trust_roots))
        )
        reports.append(
            _report(
                field="",
                certificate=certificate,
                signed_at=extract_self_reported_ts(signer_info),
                status=status,
                crls=crls,
                modified_after=False,  # nothing comes after: the file matches it or not
            )
        )
    return reports


def is_detached_signature(data: bytes) -> bool:
    """Whether ``data`` reads as a CMS SignedData with a signer (a ``.p7s``), by its content."""
    try:
        with filesafety.guarded():
            _signed_data(data)
    except NotASignature:
        return False
    return True


def certificate_revoked(certificate: x509.Certificate, crls: Crls) -> datetime | None:
    """When a revocation list of the certificate's issuer revoked it (the earliest date given),
    or None. The lists are the configured ones, trusted as the configured authorities are."""
    dates = [
        entry.revocation_date_utc
        for crl in crls
        if crl.issuer == certificate.issuer
        and (entry := crl.get_revoked_certificate_by_serial_number(certificate.serial_number))
    ]
    return min(dates, default=None)


def _report(
    *,
    field: str,
    certificate: asn1_x509.Certificate,
    signed_at: datetime | None,
    status: SignatureStatus | None,
    crls: Crls,
    modified_after: bool,
) -> SignatureReport:
    """A signature's report from its certificate and pyHanko's status (None: validation failed)."""
    return SignatureReport(
        field=field,
        signer=certificate.subject.native.get("common_name", ""),
        subject=certificate.subject.human_friendly,
        issuer=certificate.issuer.human_friendly,
        serial=format(certificate.serial_number, "x"),
        signed_at=signed_at,
        intact=bool(status and status.intact and status.valid),
        trusted=bool(status and status.trusted),
        valid_at_signing=_valid_at(certificate, signed_at, crls),
        modified_after=modified_after,
    )


def _changed_after(status: PdfSignatureStatus | None) -> bool:
    """A later revision changed more than form fields (where later signatures go); unknown
    counts as changed."""
    if status is None or status.docmdp_ok is False:
        return True
    level = status.modification_level
    return level is None or level > ModificationLevel.FORM_FILLING


def _signed_data(signature: bytes) -> cms.SignedData:
    if pem.detect(signature):
        try:
            _, _, signature = pem.unarmor(signature)
        except ValueError as error:
            raise NotASignature(str(error)) from error
    try:
        info = cms.ContentInfo.load(signature, strict=True)
        if info["content_type"].native != "signed_data":
            raise NotASignature("not a CMS SignedData")
        signed_data: cms.SignedData = info["content"]
        signers = len(signed_data["signer_infos"])
    except (ValueError, TypeError, KeyError) as error:
        raise NotASignature(str(error)) from error
    if not signers:
        raise NotASignature("a CMS SignedData without a signer")
    return signed_data


def _one_signer(signed_data: cms.SignedData, signer_info: cms.SignerInfo) -> cms.SignedData:
    """``signed_data`` with ``signer_info`` as its only signer: pyHanko validates one."""
    if len(signed_data["signer_infos"]) == 1:
        return signed_data
    copy = signed_data.copy()
    copy["signer_infos"] = cms.SignerInfos([signer_info])
    return copy


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


def _valid_at(certificate: asn1_x509.Certificate, at: datetime | None, crls: Crls) -> bool:
    """Within its validity period at ``at`` and not revoked by then."""
    if at is None:
        return False
    at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    validity = certificate["tbs_certificate"]["validity"]
    if not validity["not_before"].native <= at <= validity["not_after"].native:
        return False
    revoked = certificate_revoked(x509.load_der_x509_certificate(certificate.dump()), crls)
    return revoked is None or at < revoked


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

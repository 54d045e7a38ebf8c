"""PAdES signatures with endesive: each visa and the final signature is its own incremental
update appended to the PDF, so earlier signatures stay intact.

endesive 3.0.1's ``endesive.pdf`` package imports its verifier on import, and that verifier's
``certvalidator`` imports ``oscrypto`` 1.3.0, which cannot read OpenSSL version strings with a
two-digit patch number such as "3.0.19" (wbond/oscrypto issues 75 and 78; fixed only on its
unreleased main branch) and so fails at import. This product signs with endesive and verifies
with pyHanko (``edms.signing.verification``), so endesive's verifier is never needed:
``_endesive_cms`` loads the signing module without the package's ``__init__``. Nothing in
site-packages is patched, and a fixed oscrypto release changes nothing here.
"""

import importlib
import io
import logging
import re
import sys
import types
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from core import filesafety
from core.filesafety import FileRefused
from edms.signing.certificates import Identity, certificate_check_usable
from edms.signing.stamp import Stamp, stamp_file
from edms.signing.timestamps import no_timestamp, timestamp_required, tsa_timeout, tsa_url

logger = logging.getLogger(__name__)

# endesive pads each signature to this many bytes; 8 KiB holds an RSA-2048 CMS with a short
# chain and keeps signing fast (the default size makes it about twice as slow).
SIGNATURE_SPACE = 8192
# A time-stamp token adds the authority's certificates (often a few KiB) to the signature.
SIGNATURE_SPACE_TIMESTAMPED = 16384


def _endesive_cms() -> Any:
    loaded = sys.modules.get("endesive.pdf.cms")
    if loaded is not None:
        return loaded
    import endesive

    if "endesive.pdf" not in sys.modules:
        package = types.ModuleType("endesive.pdf")
        package.__path__ = [str(Path(endesive.__file__).parent / "pdf")]
        sys.modules["endesive.pdf"] = package
    return importlib.import_module("endesive.pdf.cms")


def pdf_check_signable(pdf: bytes, *, name: str) -> None:
    """A PDF that can take signatures: readable (by pypdf, and by pyHanko, which will verify
    them), not encrypted, with at least one page. One that ``core.filesafety`` refuses gets its
    message."""
    try:
        with filesafety.guarded():
            reader = filesafety.pdf_open(pdf)
            usable = not reader.is_encrypted and filesafety.pdf_page_count(reader) > 0
            if usable:
                list(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)
    except FileRefused as refused:
        raise refused.validation_error(name) from None
    except Exception as error:  # pypdf and pyHanko raise many kinds of error on a damaged file
        logger.info("PDF %r cannot be signed: %s: %s", name, type(error).__name__, error)
        usable = False
    if not usable:
        raise ValidationError(
            _(
                "“%(name)s” cannot be signed: it is damaged, empty or protected with a "
                "password. Save it again as a plain PDF."
            )
            % {"name": name},
            code="unsignable_pdf",
        )


def pdf_sign(
    pdf: bytes,
    *,
    identity: Identity,
    reason: str,
    location: str = "",
    field_name: str = "",
    at: datetime | None = None,
    timestamp_url: str | None = None,
    stamp: Stamp | None = None,
) -> bytes:
    """``pdf`` with one more signature appended; the certificate must be valid now.

    With ``stamp`` the signature is visible: the stamp is drawn in its box on the last page.

    ``timestamp_url`` is the RFC 3161 time-stamp authority (None: ``SIGNING_TSA_URL``; empty:
    none). With one, a signature the authority did not time-stamp is refused
    (``edms.signing.timestamps``) and nothing is returned."""
    at = at or datetime.now(UTC)
    url = tsa_url() if timestamp_url is None else timestamp_url
    certificate_check_usable(identity.certificate, at=at)
    cms = _endesive_cms()
    existing = pdf.count(b"/Type /Sig") + pdf.count(b"/Type/Sig")
    details = {
        "sigflags": 3,
        "sigpage": 0,
        "sigfield": field_name or f"Signature{existing + 1}",
        "signingdate": at.strftime("D:%Y%m%d%H%M%S+00'00'"),
        "reason": reason,
        "location": location,
        "contact": "",
        "aligned": SIGNATURE_SPACE_TIMESTAMPED if url else SIGNATURE_SPACE,
    }
    if stamp is not None:
        details["sigpage"] = len(PdfReader(io.BytesIO(pdf)).pages) - 1
        details["signaturebox"] = stamp.box
        details["signature_img"] = stamp_file(stamp)
    try:
        update: bytes = cms.sign(
            pdf,
            details,
            identity.key,
            identity.certificate,
            list(identity.chain),
            "sha256",
            tspurl=url or None,
            tspoptions={"timeout": tsa_timeout()} if url else None,
        )
    except ValueError:
        if not url:
            raise
        raise no_timestamp() from None  # endesive could not read the authority's answer
    if url:
        timestamp_required(_signature_contents(pdf + update, len(pdf)))
    return pdf + update


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+\d+\s*\]")


def _signature_contents(signed: bytes, start: int) -> bytes:
    """The CMS of the signature in the update that begins at ``start``: the bytes its
    ``/ByteRange`` leaves out are ``<hex>``."""
    match = _BYTE_RANGE.search(signed, start)
    if match is None:
        return b""
    hex_start, hex_end = int(match[1]) + 1, int(match[2]) - 1
    try:
        return bytes.fromhex(signed[hex_start:hex_end].decode("ascii"))
    except ValueError:
        return b""

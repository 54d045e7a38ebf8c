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
import sys
import types
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from edms.signing.certificates import Identity, certificate_check_usable

# endesive pads each signature to this many bytes; 8 KiB holds an RSA-2048 CMS with a short
# chain and keeps signing fast (the default size makes it about twice as slow).
SIGNATURE_SPACE = 8192


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


def pdf_sign(
    pdf: bytes,
    *,
    identity: Identity,
    reason: str,
    location: str = "",
    field_name: str = "",
    at: datetime | None = None,
) -> bytes:
    """``pdf`` with one more signature appended; the certificate must be valid now."""
    at = at or datetime.now(UTC)
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
        "aligned": SIGNATURE_SPACE,
    }
    update: bytes = cms.sign(
        pdf, details, identity.key, identity.certificate, list(identity.chain), "sha256"
    )
    return pdf + update

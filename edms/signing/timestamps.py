"""RFC 3161 time-stamps on signatures.

With ``SIGNING_TSA_URL`` set, endesive asks that time-stamp authority to time-stamp each
signature value and stores the token as the signer's ``signature_time_stamp_token`` unsigned
attribute; the signing time then rests on the authority's clock, not on the signer's.

endesive 3.0.1 treats the authority as optional: when it cannot be reached, times out, answers
with an HTTP error or a wrong content type, or refuses the request, endesive signs without a
time-stamp and says nothing. ``timestamp_required`` is the check that turns that into an error
before any signed bytes leave ``edms.signing.pades.pdf_sign``.
"""

import hashlib
from datetime import datetime

from asn1crypto import cms, core, tsp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def tsa_url() -> str:
    """The configured time-stamp authority; empty when signatures go without time-stamps."""
    return str(getattr(settings, "SIGNING_TSA_URL", "") or "")


def tsa_timeout() -> float:
    """Seconds to wait for the time-stamp authority."""
    return float(getattr(settings, "SIGNING_TSA_TIMEOUT", 10.0))


def no_timestamp() -> ValidationError:
    return ValidationError(
        _("The time-stamp authority did not answer, so nothing was signed. Try again later."),
        code="no_timestamp",
    )


def _token(cms_der: bytes) -> tsp.TSTInfo | None:
    """The time-stamp of the first signer of ``cms_der``, if it carries one that time-stamps
    that signer's signature value."""
    try:
        signer_info = cms.ContentInfo.load(cms_der)["content"]["signer_infos"][0]
        attributes = signer_info["unsigned_attrs"]
        if isinstance(attributes, core.Void):
            return None
        signature = signer_info["signature"].native
        for attribute in attributes:
            if attribute["type"].native != "signature_time_stamp_token":
                continue
            for token in attribute["values"]:
                content = token["content"]["encap_content_info"]
                if content["content_type"].native != "tst_info":
                    continue
                info = content["content"].parsed
                imprint = info["message_imprint"]
                algorithm = imprint["hash_algorithm"]["algorithm"].native
                if hashlib.new(algorithm, signature).digest() == imprint["hashed_message"].native:
                    return info
    except (ValueError, TypeError, KeyError, IndexError):
        return None
    return None


def timestamp_required(cms_der: bytes) -> None:
    """Raise ``ValidationError`` (code ``no_timestamp``) unless the signature in ``cms_der``
    carries a time-stamp token over its signature value."""
    if _token(cms_der) is None:
        raise no_timestamp()


def timestamp_time(cms_der: bytes) -> datetime | None:
    """The time the authority stated in the signature's time-stamp, or None without one."""
    info = _token(cms_der)
    if info is None:
        return None
    at: datetime = info["gen_time"].native
    return at

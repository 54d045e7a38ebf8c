"""Pages for people without an account: checking a document that reached them on paper, or the
signatures of a signed PDF or of a ``.p7s`` and the file it signs.

A paper dispatch carries a QR code to ``/verify/<code>/``. The page confirms which office sent
which document, with what number and date, and the SHA-256 of each file, so that a copy can be
compared; the title and files are named only when the document is not confidential. Unknown
codes get a plain "not found", and lookups are rate-limited per address.

A signed letter or decision carries, in its signature stamp, a QR code to ``/verify/<code>/``
too: the page checks the signed file the office keeps, says whether every signature on it is
intact and trusted, and gives its SHA-256, so that the copy in hand can be compared (or
uploaded below to check its own signatures).
"""

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_ratelimit.decorators import ratelimit

from core.filesafety import FileRefused
from core.params import CodeQuery, read_query
from edms.codes import normalize_code
from edms.exchange import dispatched_files
from edms.models import Dispatch, Draft
from edms.signing.api import check_upload
from edms.signing.trust import revocation_lists, trust_roots
from edms.signing.verification import NotAPdf, pdf_signatures, verdict
from portal.throttling import rate_from_setting

logger = logging.getLogger(__name__)


@ratelimit(key="ip", rate=rate_from_setting("VERIFY_RATE_LIMIT"), block=True)
def verify(request: HttpRequest, code: str = "") -> HttpResponse:
    if request.method == "POST":
        # A signed PDF, or a .p7s and the file it signs, uploaded to check the signatures.
        reports, problems = check_upload(request)
        messages = [message for field in problems.values() for message in field]
        context = {"reports": reports, "problems": messages, "typed": ""}
        if reports is not None:
            context["verdict"] = verdict(reports)
        return render(
            request, "edms/verify.html", context, status=200 if reports is not None else 400
        )
    typed = code or read_query(request, CodeQuery)["code"]
    normalized = normalize_code(typed)
    if code == "" and normalized:
        return redirect("verify", code=normalized)
    dispatch = None
    if normalized:
        dispatch = (
            Dispatch.objects.select_related("document__office", "document__journal")
            .filter(verification_code=normalized)
            .first()
        )
    if dispatch is None and normalized:
        signed = _signed_draft(normalized)
        if signed is not None:
            return render(request, "edms/verify.html", signed)
    if dispatch is None:
        status = 404 if typed else 200
        return render(request, "edms/verify.html", {"typed": typed}, status=status)
    document = dispatch.document
    versions = [] if document.is_confidential else dispatched_files(dispatch)
    return render(
        request,
        "edms/verify.html",
        {"dispatch": dispatch, "document": document, "versions": versions, "typed": typed},
    )


def _signed_draft(code: str) -> dict[str, Any] | None:
    """What the page shows for the signed file of a letter or decision with this code."""
    draft = (
        Draft.objects.select_related("result_document__office")
        .filter(verification_code=code, status=Draft.Status.SIGNED)
        .first()
    )
    version = draft.current_version() if draft else None
    if draft is None or version is None or draft.result_document is None:
        return None
    reports = []
    if version.signed_file:
        with version.signed_file.open("rb") as handle:
            content = handle.read()
        try:
            reports = pdf_signatures(content, trust_roots=trust_roots(), crls=revocation_lists())
        except (NotAPdf, FileRefused) as error:
            # The office's own file no longer reads (damaged in storage, or limits lowered
            # since): the page says it does not verify.
            logger.warning("Signed file of draft %s does not verify: %s", draft.pk, error)
    return {
        "signed_draft": draft,
        "document": draft.result_document,
        "reports": reports,
        "verdict": verdict(reports) if reports else "",
        "sha256": version.signed_sha256 or version.sha256,
    }

"""Pages for people without an account: checking a document that reached them on paper, or the
signatures of a signed PDF.

A paper dispatch carries a QR code to ``/verify/<code>/``. The page confirms which office sent
which document, with what number and date, and the SHA-256 of each file, so that a copy can be
compared; the title and files are named only when the document is not confidential. Unknown
codes get a plain "not found", and lookups are rate-limited per address.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_ratelimit.decorators import ratelimit

from edms.codes import normalize_code
from edms.exchange import dispatched_files
from edms.models import Dispatch
from edms.signing.api import check_upload
from edms.signing.verification import verdict
from portal.throttling import rate_from_setting


@ratelimit(key="ip", rate=rate_from_setting("VERIFY_RATE_LIMIT"), block=True)
def verify(request: HttpRequest, code: str = "") -> HttpResponse:
    if request.method == "POST":
        # A PDF uploaded to check its signatures.
        reports, problem = check_upload(request)
        context = {"reports": reports, "problem": problem, "typed": ""}
        if reports is not None:
            context["verdict"] = verdict(reports)
        return render(
            request, "edms/verify.html", context, status=200 if reports is not None else 400
        )
    typed = code or request.GET.get("code", "")
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

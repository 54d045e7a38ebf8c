"""``POST /api/v1/verify/``: what a signed PDF says about each of its signatures.

Multipart ``file`` (a PDF). Answers ``{"verdict": ..., "signatures": [...]}``, with an empty
list when the file is not signed; a file that is not a PDF gets a 400 with a clear message.
Detached ``.p7s`` signatures come with their signing support (issue 5).
"""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from edms.signing.trust import trust_roots
from edms.signing.verification import NotAPdf, SignatureReport, pdf_signatures, verdict
from portal.throttling import api_limit_reached


def report_json(report: SignatureReport) -> dict[str, Any]:
    return {
        "signer": report.signer,
        "subject": report.subject,
        "issuer": report.issuer,
        "serial": report.serial,
        "signed_at": report.signed_at.isoformat() if report.signed_at else None,
        "intact": report.intact,
        "trusted": report.trusted,
        "valid_at_signing": report.valid_at_signing,
        "modified_after": report.modified_after,
    }


def check_upload(request: Any) -> tuple[list[SignatureReport] | None, str]:
    """The reports of the uploaded ``file``, or None and the message saying why not."""
    upload = request.FILES.get("file")
    if upload is None:
        return None, _("Attach the signed PDF as “file”.")
    if upload.size is not None and upload.size > settings.SIGNED_FILE_MAX_BYTES:
        return None, _("The file is too large to check here.")
    try:
        return pdf_signatures(upload.read(), trust_roots=trust_roots()), ""
    except NotAPdf:
        return None, _("This file is not a PDF, so it cannot carry a PDF signature.")


class VerifyView(APIView):
    @extend_schema(
        request={"multipart/form-data": OpenApiTypes.OBJECT},
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 429: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        limited = api_limit_reached(
            request,
            group="signature-verify",
            rate_setting="VERIFY_RATE_LIMIT",
            message=_("Too many lookups. Try again in a minute."),
        )
        if limited is not None:
            return limited
        reports, problem = check_upload(request)
        if reports is None:
            return Response({"errors": {"file": [problem]}}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {"verdict": verdict(reports), "signatures": [report_json(r) for r in reports]}
        )

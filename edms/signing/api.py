"""``POST /api/v1/verify/``: what a signed file says about each of its signatures.

Multipart ``file``: a PDF with embedded signatures, or a detached CMS signature (``.p7s``, told
apart by its content, not its name) with the file it signs as ``signed_file``. Answers
``{"verdict": ..., "signatures": [...]}``, with an empty list when a PDF is not signed. A file
that is neither, a ``.p7s`` without its ``signed_file``, or a file larger than
``SIGNED_FILE_MAX_BYTES`` gets a 400 with a clear message under the field's name.
"""

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core import api as common
from core.filesafety import FileRefused
from edms.attachments import clean_file_name
from edms.signing.trust import revocation_lists, trust_roots
from edms.signing.verification import (
    NotAPdf,
    NotASignature,
    SignatureReport,
    detached_signatures,
    is_detached_signature,
    pdf_signatures,
    verdict,
)
from portal.throttling import api_limit_reached

Problems = dict[str, list[str]]


VERDICTS = ["unsigned", "altered", "untrusted", "invalid", "valid"]


class VerifyUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="The signed PDF, or the detached signature (.p7s).")
    signed_file = serializers.FileField(required=False, help_text="For a .p7s: the file it signs.")


class SignatureSerializer(serializers.Serializer[Any]):
    signer = serializers.CharField(help_text="The signer's name, from the certificate.")
    subject = serializers.CharField(help_text="The certificate's subject.")
    issuer = serializers.CharField(help_text="The authority that issued the certificate.")
    serial = serializers.CharField(help_text="The certificate's serial number.")
    signed_at = serializers.DateTimeField(
        allow_null=True, help_text="When it was signed (time-stamped or claimed), if known."
    )
    intact = serializers.BooleanField(help_text="The signed bytes are unchanged.")
    trusted = serializers.BooleanField(help_text="The certificate chains to a trusted authority.")
    valid_at_signing = serializers.BooleanField(
        help_text="The certificate was valid and not revoked when it signed."
    )
    modified_after = serializers.BooleanField(help_text="The PDF was changed after this signature.")


class VerifyResultSerializer(serializers.Serializer[Any]):
    verdict = serializers.ChoiceField(choices=VERDICTS)
    signatures = SignatureSerializer(many=True, help_text="Empty when the PDF is not signed.")


def check_upload(request: Any) -> tuple[list[SignatureReport] | None, Problems]:
    """The reports of the uploaded ``file`` (with ``signed_file`` for a ``.p7s``), or None and
    the messages saying why not, by field."""
    try:
        return _check_upload(request)
    except FileRefused as refused:
        # Damaged, or built against the parsers (nesting, loops, bombs): said so, by name.
        return None, {"file": [refused.text(clean_file_name(request.FILES["file"].name or ""))]}


def _check_upload(request: Any) -> tuple[list[SignatureReport] | None, Problems]:
    upload = request.FILES.get("file")
    if upload is None:
        return None, {"file": [_("Attach the signed PDF or the .p7s signature as “file”.")]}
    if _too_large(upload):
        return None, {"file": [_("The file is too large to check here.")]}
    content = upload.read()
    not_signed = _(
        "This file is neither a PDF nor a .p7s signature, so there is no signature to check."
    )
    if not content.startswith(b"%PDF-") and is_detached_signature(content):
        signed = request.FILES.get("signed_file")
        if signed is None:
            message = _("This is a .p7s signature: attach the file it signs as “signed_file”.")
            return None, {"signed_file": [message]}
        if _too_large(signed):
            return None, {"signed_file": [_("The file is too large to check here.")]}
        try:
            return detached_signatures(
                signed.read(), content, trust_roots=trust_roots(), crls=revocation_lists()
            ), {}
        except NotASignature:
            message = _("This .p7s signature does not carry its signer's certificate.")
            return None, {"file": [message]}
    try:
        return pdf_signatures(content, trust_roots=trust_roots(), crls=revocation_lists()), {}
    except NotAPdf:
        return None, {"file": [not_signed]}


def _too_large(upload: UploadedFile) -> bool:
    return upload.size is not None and upload.size > settings.SIGNED_FILE_MAX_BYTES


class VerifyView(common.PublicAPIView):
    @extend_schema(
        operation_id="verifySignatures",
        summary="Check the signatures of a signed PDF or of a .p7s and its file",
        description=(
            "`file`: a PDF (its embedded signatures are checked) or a detached CMS signature "
            "(`.p7s`, recognised by its content); for a `.p7s`, `signed_file` is the file it "
            "signs. Each signature is checked against this portal's trusted authorities and "
            "their revocation lists. `verdict` is `unsigned`, `altered`, `untrusted`, "
            "`invalid` or `valid`."
        ),
        request={"multipart/form-data": VerifyUploadSerializer},
        parameters=[common.LANGUAGE_HEADER],
        responses={
            200: OpenApiResponse(
                VerifyResultSerializer, description="What the file's signatures say."
            ),
            400: common.errors(
                "`file` is missing, too large, or neither a PDF nor a .p7s signature; or a "
                ".p7s came without its `signed_file`."
            ),
            413: common.TOO_LARGE,
            415: common.UNSUPPORTED,
            429: common.detail("Too many checks from this client; try again in a minute."),
            503: common.UNAVAILABLE,
        },
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
        reports, problems = check_upload(request)
        if reports is None:
            return common.errors_response(problems, status.HTTP_400_BAD_REQUEST)
        return Response(
            VerifyResultSerializer({"verdict": verdict(reports), "signatures": reports}).data
        )

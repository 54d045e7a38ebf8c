"""The public API, version 1: the contract other government systems build on.

- ``GET  /api/v1/services/?office=<code>``: the services (of one office), with their form fields.
  An ``office`` that is no active office's code is a 400 naming ``office``.
- ``POST /api/v1/applications/``: multipart; ``service``, ``office``, the applicant fields and
  the service's fields (files under their field names); ``Idempotency-Key`` (at most
  ``IDEMPOTENCY_KEY_MAX_LENGTH`` printable ASCII characters) makes a retry return the first
  application. 201 with the application; 400 ``{"errors": {field: [messages]}}`` naming every bad
  field; 409 when the key was used for another application; 413 when the request or a file is
  too large; 415 for a body that is not a form; 429 when one client sends too many.
- ``GET  /api/v1/applications/<tracking_code>/``: status, due date, history and the result; 404
  for any text that is not the tracking code of an application.

Validation is the same form as the service page and the counter (``intake.forms``); messages
follow ``Accept-Language``. Bodies are the serializers of ``intake.serializers``, errors those of
``core.api``. The schema is at ``/api/schema/``, the browsable docs at ``/api/docs/``.
"""

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from core import api as common
from core.db import retry_on_lost_connection
from edms.codes import normalize_code
from edms.models import Office
from intake.fields import parse_choices
from intake.forms import APPLICANT_FIELDS, ApplicationForm
from intake.models import Application, Service, ServiceFormField
from intake.notices import tracking_url
from intake.selectors import (
    application_status,
    application_timeline,
    service_form_fields,
)
from intake.serializers import (
    CODE_PATTERN,
    ApplicationCreatedSerializer,
    ApplicationSerializer,
    ApplicationUploadSerializer,
    ServiceQuerySerializer,
    ServiceSerializer,
)
from portal.localized import localized
from portal.throttling import api_limit_reached

IDEMPOTENCY_KEY_MAX_LENGTH = 200
# Printable ASCII: what a client's UUID, request id or reference is written in.
_KEY = re.compile(r"[\x20-\x7e]+")


def only_public_api(endpoints: list[tuple[str, Any, Any, Any]]) -> list[Any]:
    """The schema documents our API, not the Wagtail admin's internal one."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _is_code(text: str) -> bool:
    """Whether ``text`` can be a service's or an office's code at all (a slug), so that
    anything else (NUL bytes, 10,000 characters) is refused without asking the database."""
    return re.fullmatch(CODE_PATTERN, text) is not None


def _field_json(field: ServiceFormField) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": field.clean_name,
        "type": field.field_type,
        "required": field.required,
        "label": field.label,
    }
    if field.field_type == "choice":
        data["choices"] = [
            {"value": value, "label": label} for value, label in parse_choices(field.choices)
        ]
    if field.field_type == "number":
        if field.min_value is not None:
            data["min"] = float(field.min_value)
        if field.max_value is not None:
            data["max"] = float(field.max_value)
    if field.field_type == "file":
        data["max_files"] = field.max_files
        data["content_types"] = list(settings.INTAKE_UPLOAD_TYPES)
    return data


def _applicant_fields_json() -> list[dict[str, Any]]:
    form = ApplicationForm(service=None, form_fields=[])
    types = {"pinfl": "pinfl", "phone": "phone", "email": "email"}
    return [
        {
            "name": name,
            "type": types.get(name, "text"),
            "required": form.fields[name].required,
            "label": str(form.fields[name].label),
        }
        for name in APPLICANT_FIELDS
    ]


def _errors(form: ApplicationForm) -> dict[str, list[str]]:
    return {
        ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
        for name, messages in form.errors.items()
    }


def _has_code(form: ApplicationForm, code: str) -> bool:
    return any(error.code == code for errors in form.errors.as_data().values() for error in errors)


def _idempotency_key(request: Request) -> tuple[str, list[str]]:
    """The client's ``Idempotency-Key`` ("" without one), or the messages saying why it cannot
    be one: only printable ASCII, and not so long that two keys could be cut to the same."""
    key = request.headers.get("Idempotency-Key", "").strip()
    header = "Idempotency-Key"
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        message = _("The %(header)s header is %(length)d characters long; at most %(limit)d.")
        limit = IDEMPOTENCY_KEY_MAX_LENGTH
        return "", [message % {"header": header, "length": len(key), "limit": limit}]
    if key and not _KEY.fullmatch(key):
        message = _(
            "The %(header)s header may have only printable ASCII characters "
            "(Latin letters, digits, punctuation)."
        )
        return "", [message % {"header": header}]
    return key, []


class ServiceListView(common.PublicAPIView):
    @extend_schema(
        operation_id="listServices",
        summary="The services, with the fields of their application forms",
        parameters=[ServiceQuerySerializer, common.LANGUAGE_HEADER],
        responses={
            200: OpenApiResponse(
                ServiceSerializer(many=True),
                description="The active services (of the office), in the catalogue's order.",
            ),
            400: common.errors("`office` is not the code of an active office."),
            503: common.UNAVAILABLE,
        },
    )
    def get(self, request: Request) -> Response:
        services = Service.objects.filter(is_active=True).order_by("sort_order", "code")
        office_code = request.query_params.get("office", "")
        if office_code:
            office = (
                Office.objects.filter(code=office_code, is_active=True).first()
                if _is_code(office_code)
                else None
            )
            if office is None:
                return common.errors_response(
                    {"office": [_("There is no office with this code.")]},
                    status.HTTP_400_BAD_REQUEST,
                )
            services = services.filter(offices=office)
        language = _language()
        applicant = _applicant_fields_json()
        rows = [
            {
                "code": service.code,
                "name": localized(service, "name", language),
                "department": service.department_code,
                "deadline_working_days": service.deadline_working_days,
                "fee": service.fee_bhm,
                "fields": [
                    *applicant,
                    *(_field_json(f) for f in service_form_fields(service, language)),
                ],
            }
            for service in services
        ]
        return Response(ServiceSerializer(rows, many=True).data)


class ApplicationCreateView(common.PublicAPIView):
    @extend_schema(
        operation_id="createApplication",
        summary="Apply for a service",
        description=(
            "The fixed fields below, and each of the service's own fields (`fields` of the "
            "service in `GET /api/v1/services/`) under its `name`, files as file parts. The "
            "body is checked as a whole: a 400 names every bad field at once."
        ),
        request={
            "multipart/form-data": ApplicationUploadSerializer,
            "application/x-www-form-urlencoded": ApplicationUploadSerializer,
        },
        examples=[
            OpenApiExample(
                "Citizen appeal",
                summary="A citizen's appeal to an office (no files)",
                value={
                    "service": "citizen-appeal",
                    "office": "jizzakh-city",
                    "full_name": "Karimova Dilnoza Rustamovna",
                    "pinfl": "31203870250012",
                    "phone": "+998 90 123 45 67",
                    "email": "dilnoza@example.uz",
                    "address": "Jizzax sh., Sharq mahallasi, 5-uy",
                    "subject": "Koʻcha chiroqlari",
                    "text": "Mahallamizda koʻcha chiroqlari ishlamayapti.",
                },
                request_only=True,
                media_type="multipart/form-data",
            )
        ],
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description=(
                    "A retry with the same key returns the first application (with "
                    "`Idempotent-Replayed: true`). At most "
                    f"{IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters."
                ),
            ),
            common.LANGUAGE_HEADER,
        ],
        responses={
            201: OpenApiResponse(
                ApplicationCreatedSerializer, description="Registered (or replayed by its key)."
            ),
            400: common.errors("The bad fields (or Idempotency-Key), each with its messages."),
            409: common.errors("The Idempotency-Key was used for another application."),
            413: common.TOO_LARGE,
            415: common.UNSUPPORTED,
            429: common.detail("Too many applications from this client; try again in a minute."),
            503: common.UNAVAILABLE,
        },
    )
    def post(self, request: Request) -> Response:
        django_request: HttpRequest = request._request
        limited = api_limit_reached(
            request,
            group="intake-submit",
            rate_setting="INTAKE_SUBMIT_RATE_LIMIT",
            message=_("Too many applications from this client. Try again in a minute."),
        )
        if limited is not None:
            return limited
        length = int(django_request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.INTAKE_REQUEST_MAX_BYTES:
            return common.errors_response(
                {"non_field_errors": [_("The request is too large.")]},
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        data, files = request.POST, request.FILES
        code = data.get("service", "")
        key, key_errors = _idempotency_key(request)
        language = _language()

        def check() -> tuple[Service | None, ApplicationForm, dict[str, list[str]]]:
            service = (
                Service.objects.filter(code=code, is_active=True).first()
                if _is_code(code)
                else None
            )
            fields = service_form_fields(service, language) if service else []
            # Every active office is a valid choice: one that does not offer the service is
            # named by the form's own check, with that reason, rather than as an unknown code.
            form = ApplicationForm(data, files, service=service, form_fields=fields)
            errors = _errors(form) if not form.is_valid() else {}
            if service is None:
                errors["service"] = [
                    _("There is no service with this code.")
                    if code
                    else _("This field is required.")
                ]
            if key_errors:
                errors["Idempotency-Key"] = key_errors
            return service, form, errors

        # Only reads so far: a connection lost now costs a second try, not the citizen's answer.
        service, form, errors = retry_on_lost_connection(check)
        if errors:
            too_large = _has_code(form, "too_large")
            return common.errors_response(
                errors,
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
                if too_large
                else status.HTTP_400_BAD_REQUEST,
            )
        assert service is not None
        try:
            submission = form.submit(channel=Application.Channel.API, key=key, language=language)
        except ValidationError as error:
            # The office cannot take it (no applications journal yet, or it stopped offering
            # the service since the check): a 400 naming the office, not a 500.
            code = getattr(error, "code", None)
            if code == "idempotency_conflict":
                return common.errors_response(
                    {"Idempotency-Key": error.messages}, status.HTTP_409_CONFLICT
                )
            field = "office" if code in ("not_offered", "no_journal") else "non_field_errors"
            return common.errors_response({field: error.messages}, status.HTTP_400_BAD_REQUEST)
        application = submission.application

        def answer() -> dict[str, Any]:
            return ApplicationCreatedSerializer(
                {
                    "tracking_code": application.tracking_code_display,
                    "registration_number": application.document.reg_number,
                    "status": application_status(application),
                    "due_date": application.due_date,
                    "department": application.department.code if application.department else None,
                }
            ).data

        # Committed: the citizen gets the tracking code even if the connection drops now.
        response = Response(retry_on_lost_connection(answer), status=status.HTTP_201_CREATED)
        if not submission.created:
            response["Idempotent-Replayed"] = "true"
        return response


class ApplicationDetailView(common.PublicAPIView):
    @extend_schema(
        operation_id="getApplication",
        summary="An application's status, due date, history and result",
        parameters=[
            OpenApiParameter(
                "tracking_code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description=(
                    "The tracking code the citizen was given, with or without its dashes, in "
                    "any case: e.g. K7QM-3XWD-9HTR-B2NF."
                ),
            ),
            common.LANGUAGE_HEADER,
        ],
        responses={
            200: OpenApiResponse(ApplicationSerializer, description="The application."),
            404: common.detail(
                "No application has this tracking code (or the text is not a tracking code)."
            ),
            429: common.detail("Too many lookups from this client; try again in a minute."),
            503: common.UNAVAILABLE,
        },
    )
    def get(self, request: Request, tracking_code: str) -> Response:
        limited = api_limit_reached(
            request,
            group="intake-track",
            rate_setting="VERIFY_RATE_LIMIT",
            message=_("Too many lookups. Try again in a minute."),
        )
        if limited is not None:
            return limited
        code = normalize_code(tracking_code)
        application = (
            Application.objects.select_related("service", "office", "document", "result_file")
            .filter(tracking_code=code)
            .first()
            if code
            else None
        )
        if application is None:
            raise NotFound
        timeline = application_timeline(application)
        result_url = None
        if application.result_file_id:
            result_url = tracking_url(application).rstrip("/") + "/result/"
        return Response(
            ApplicationSerializer(
                {
                    "tracking_code": application.tracking_code_display,
                    "service": application.service.code,
                    "office": application.office.code,
                    "registration_number": application.document.reg_number,
                    "status": application_status(application),
                    "due_date": application.due_date,
                    "history": [
                        {"status": step.status, "at": step.at}
                        for step in timeline
                        if step.at is not None
                    ],
                    "result_url": result_url,
                }
            ).data
        )

"""The public API, version 1: the contract other government systems build on.

- ``GET  /api/v1/services/?office=<code>``: the services (of one office), with their form fields.
- ``POST /api/v1/applications/``: multipart; ``service``, ``office``, the applicant fields and
  the service's fields (files under their field names); ``Idempotency-Key`` makes a retry return
  the first application. 201 with the application; 400 ``{"errors": {field: [messages]}}``
  naming every bad field; 413 when the request or a file is too large; 429 when one client
  sends too many.
- ``GET  /api/v1/applications/<tracking_code>/``: status, due date, history and the result.

Validation is the same form as the service page and the counter (``intake.forms``); messages
follow ``Accept-Language``. The schema is at ``/api/schema/``, the browsable docs at
``/api/docs/``.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

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
from portal.localized import localized
from portal.throttling import api_limit_reached


def only_public_api(endpoints: list[tuple[str, Any, Any, Any]]) -> list[Any]:
    """The schema documents our API, not the Wagtail admin's internal one."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's answers, with 404s in the request's language."""
    response = drf_exception_handler(error, context)
    if response is not None and response.status_code == status.HTTP_404_NOT_FOUND:
        response.data = {"detail": _("Not found.")}
    return response


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


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


class ServiceListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("office", OpenApiTypes.STR, description="Office code, e.g. zomin")
        ],
        responses=inline_serializer(
            "Service",
            {
                "code": serializers.CharField(),
                "name": serializers.CharField(),
                "department": serializers.CharField(),
                "deadline_working_days": serializers.IntegerField(),
                "fee": serializers.DecimalField(max_digits=8, decimal_places=2),
                "fields": serializers.ListField(child=serializers.DictField()),
            },
            many=True,
        ),
    )
    def get(self, request: Request) -> Response:
        services = Service.objects.filter(is_active=True).order_by("sort_order", "code")
        office_code = request.query_params.get("office", "")
        if office_code:
            office = Office.objects.filter(code=office_code, is_active=True).first()
            if office is None:
                return Response(
                    {"errors": {"office": [_("There is no office with this code.")]}},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            services = services.filter(offices=office)
        language = _language()
        applicant = _applicant_fields_json()
        return Response(
            [
                {
                    "code": service.code,
                    "name": localized(service, "name", language),
                    "department": service.department_code,
                    "deadline_working_days": service.deadline_working_days,
                    "fee": str(service.fee_bhm),
                    "fields": [
                        *applicant,
                        *(_field_json(f) for f in service_form_fields(service, language)),
                    ],
                }
                for service in services
            ]
        )


class ApplicationCreateView(APIView):
    @extend_schema(
        request={"multipart/form-data": OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="A retry with the same key returns the first application.",
            )
        ],
        responses={
            201: OpenApiTypes.OBJECT,
            400: OpenApiTypes.OBJECT,
            409: OpenApiTypes.OBJECT,
            413: OpenApiTypes.OBJECT,
            429: OpenApiTypes.OBJECT,
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
            return Response(
                {"errors": {"non_field_errors": [_("The request is too large.")]}},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        data, files = request.POST, request.FILES
        code = data.get("service", "")
        language = _language()

        def check() -> tuple[Service | None, ApplicationForm, dict[str, list[str]]]:
            service = Service.objects.filter(code=code, is_active=True).first() if code else None
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
            return service, form, errors

        # Only reads so far: a connection lost now costs a second try, not the citizen's answer.
        service, form, errors = retry_on_lost_connection(check)
        if errors:
            too_large = _has_code(form, "too_large")
            return Response(
                {"errors": errors},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
                if too_large
                else status.HTTP_400_BAD_REQUEST,
            )
        assert service is not None
        key = request.headers.get("Idempotency-Key", "").strip()
        try:
            submission = form.submit(channel=Application.Channel.API, key=key, language=language)
        except ValidationError as error:
            # The office cannot take it (no applications journal yet, or it stopped offering
            # the service since the check): a 400 naming the office, not a 500.
            code = getattr(error, "code", None)
            if code == "idempotency_conflict":
                return Response(
                    {"errors": {"Idempotency-Key": error.messages}},
                    status=status.HTTP_409_CONFLICT,
                )
            field = "office" if code in ("not_offered", "no_journal") else "non_field_errors"
            return Response({"errors": {field: error.messages}}, status=status.HTTP_400_BAD_REQUEST)
        application = submission.application

        def answer() -> dict[str, Any]:
            return {
                "tracking_code": application.tracking_code_display,
                "registration_number": application.document.reg_number,
                "status": application_status(application),
                "due_date": application.due_date.isoformat(),
                "department": application.department.code if application.department else None,
            }

        # Committed: the citizen gets the tracking code even if the connection drops now.
        response = Response(retry_on_lost_connection(answer), status=status.HTTP_201_CREATED)
        if not submission.created:
            response["Idempotent-Replayed"] = "true"
        return response


class ApplicationDetailView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: None})
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
            {
                "tracking_code": application.tracking_code_display,
                "service": application.service.code,
                "office": application.office.code,
                "registration_number": application.document.reg_number,
                "status": application_status(application),
                "due_date": application.due_date.isoformat(),
                "history": [
                    {"status": step.status, "at": step.at.isoformat()}
                    for step in timeline
                    if step.at is not None
                ],
                "result_url": result_url,
            }
        )

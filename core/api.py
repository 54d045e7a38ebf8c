"""What every view of the public API (``/api/v1/``) shares: it answers JSON and only JSON, in
one of two documented shapes, whatever the request.

- ``{"errors": {field: [messages]}}`` (``ErrorsSerializer``) when the request itself is wrong:
  400, 409, 413 and 503. ``non_field_errors`` names what belongs to no one field.
- ``{"detail": message}`` (``DetailSerializer``) when the address or the way of asking is wrong:
  404, 405, 415 and 429.

Messages are in the language of ``Accept-Language`` (uz, uz-cyrl, ru, en). Django's own refusals
(a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, too many fields or files, malformed multipart) and
DRF's get the same shapes, and an address under ``/api/`` that names nothing answers a JSON 404
(``NotFoundView``) instead of the portal's redirect to a language-prefixed page.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"


class ErrorsSerializer(serializers.Serializer[Any]):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=(
            "Each bad field (``non_field_errors`` for the request as a whole) with its messages, "
            "in the language of Accept-Language."
        ),
    )


class DetailSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="What went wrong, in the language of Accept-Language.")


# Plain dicts, not the serializers' ReturnDict: the schema view renders its refusals as YAML.
def errors_response(errors: dict[str, list[str]], status_code: int) -> Response:
    return Response(dict(ErrorsSerializer({"errors": errors}).data), status=status_code)


def detail_response(message: str, status_code: int) -> Response:
    return Response(dict(DetailSerializer({"detail": message}).data), status=status_code)


def errors_json(errors: dict[str, list[str]], status_code: int) -> JsonResponse:
    """The same body as ``errors_response``, for answers given outside DRF's views."""
    return JsonResponse({"errors": errors}, status=status_code)


# --- The schema's shared parts ---------------------------------------------------------------

LANGUAGE_HEADER = OpenApiParameter(
    "Accept-Language",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    enum=["uz", "uz-cyrl", "ru", "en"],
    description="The language of names, labels and messages; Uzbek (Latin) when absent.",
)


def errors(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorsSerializer, description=description)


def detail(description: str) -> OpenApiResponse:
    return OpenApiResponse(DetailSerializer, description=description)


UNAVAILABLE = errors(
    "The database connection was lost; nothing was stored. Try again (with the same "
    "Idempotency-Key) after Retry-After seconds."
)
UNSUPPORTED = detail("The body is not multipart/form-data or application/x-www-form-urlencoded.")
TOO_LARGE = errors("The request, one of its fields or one of its files is too large.")


# --- The views' common base ------------------------------------------------------------------


class OwnRenderer(DefaultContentNegotiation):
    """A view's answer in its own (first) renderer, whatever ``Accept`` or ``?format=`` ask for:
    for the API, JSON (no 406, no browsable HTML page); for the docs, their page (not a 404
    rendered through the portal's page template)."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        return renderers[0], renderers[0].media_type


class PublicAPIView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = OwnRenderer


class NotFoundView(PublicAPIView):
    """Any address under ``/api/`` that names no operation, with any method: a JSON 404."""

    schema = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound


# --- Refusals --------------------------------------------------------------------------------


def _not_found_message(request: Request | HttpRequest) -> str:
    path = request.path
    if not path.endswith("/"):
        try:
            match = resolve(path + "/")
        except Resolver404:
            match = None
        if match is not None and getattr(match.func, "view_class", None) is not NotFoundView:
            return _("Not found. Did you mean %(path)s?") % {"path": path + "/"}
    return _("Not found.")


def _refusal(error: Exception, request: Request | None) -> Response | None:
    """Our own answer to the errors whose body DRF or Django would otherwise choose."""
    if isinstance(error, RequestDataTooBig):
        return errors_response(
            {"non_field_errors": [_("The request is too large.")]},
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(error, TooManyFieldsSent):
        message = _("The request has more than %(count)d fields.") % {
            "count": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
        return errors_response({"non_field_errors": [message]}, status.HTTP_400_BAD_REQUEST)
    if isinstance(error, TooManyFilesSent):
        message = _("The request has more than %(count)d files.") % {
            "count": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }
        return errors_response({"non_field_errors": [message]}, status.HTTP_400_BAD_REQUEST)
    if isinstance(error, exceptions.ParseError):
        message = _("The request body could not be read as %(type)s.") % {
            "type": "multipart/form-data"
        }
        return errors_response({"non_field_errors": [message]}, status.HTTP_400_BAD_REQUEST)
    if isinstance(error, exceptions.UnsupportedMediaType):
        message = _("Send the body as %(multipart)s or %(urlencoded)s.") % {
            "multipart": "multipart/form-data",
            "urlencoded": "application/x-www-form-urlencoded",
        }
        return detail_response(message, status.HTTP_415_UNSUPPORTED_MEDIA_TYPE)
    if isinstance(error, exceptions.MethodNotAllowed):
        method = request.method if request else ""
        return detail_response(
            _("This address does not accept %(method)s requests.") % {"method": method},
            status.HTTP_405_METHOD_NOT_ALLOWED,
        )
    if isinstance(error, exceptions.NotFound | Http404):
        message = _not_found_message(request) if request else _("Not found.")
        return detail_response(message, status.HTTP_404_NOT_FOUND)
    return None


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler for the API: every refusal in one of the two shapes, in the
    request's language. Anything else unexpected is left to Django (``server_error``)."""
    request = context.get("request")
    return _refusal(error, request) or drf_exception_handler(error, context)


# --- Django's own error views, for what happens before or outside the API's views -------------


def _in_clients_language(request: HttpRequest) -> Any:
    """The client's language, even when the request failed before the locale middleware."""
    return translation.override(translation.get_language_from_request(request))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 (a disallowed Host, an unreadable body): JSON under ``/api/``."""
    if not request.path.startswith(API_PREFIX):
        return defaults.bad_request(request, exception)
    with _in_clients_language(request):
        if isinstance(exception, RequestDataTooBig):
            return errors_json({"non_field_errors": [_("The request is too large.")]}, 413)
        message = _("The request could not be understood.")
        return errors_json({"non_field_errors": [message]}, 400)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500: JSON under ``/api/`` (a bug; the traceback is in the log)."""
    if not request.path.startswith(API_PREFIX):
        return defaults.server_error(request)
    with _in_clients_language(request):
        message = _("Something went wrong on our side. Please try again later.")
        return errors_json({"non_field_errors": [message]}, 500)

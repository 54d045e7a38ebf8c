"""Per-address limits for the public API: one answer, 429 with a message, wherever a limit hits."""

from django.conf import settings
from django_ratelimit.core import is_ratelimited
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response


def api_limit_reached(
    request: Request, *, group: str, rate_setting: str, message: str
) -> Response | None:
    """A 429 answer once this address has used up ``settings.<rate_setting>`` in ``group``."""
    if is_ratelimited(
        request._request,
        group=group,
        key="ip",
        rate=lambda _group, _request: str(getattr(settings, rate_setting)),
        increment=True,
    ):
        return Response({"detail": message}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    return None

"""Per-address limits: rates read from settings when a request comes (so tests and operators
can change them), and for the public API one answer, 429 with a message, wherever a limit hits."""

import unicodedata
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django_ratelimit.core import is_ratelimited
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response


def rate_from_setting(name: str) -> Callable[[str, Any], str]:
    """A django-ratelimit ``rate`` that reads ``settings.<name>`` at each request."""

    def rate(group: str, request: Any) -> str:
        return str(getattr(settings, name))

    return rate


def username_key(group: str, request: Any) -> str:
    """The account a sign-in is for, as authentication reads it (Unicode NFKC, no surrounding
    spaces: ``UsernameField``), and in one case: every spelling of one name shares a counter."""
    typed = request.POST.get("username", "")
    return unicodedata.normalize("NFKC", typed).strip().casefold()


def api_limit_reached(
    request: Request, *, group: str, rate_setting: str, message: str
) -> Response | None:
    """A 429 answer once this address has used up ``settings.<rate_setting>`` in ``group``."""
    if is_ratelimited(
        request._request,
        group=group,
        key="ip",
        rate=rate_from_setting(rate_setting),
        increment=True,
    ):
        return Response({"detail": message}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    return None

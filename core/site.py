"""The address the product is reached at, for links that leave it: receipts, QR codes, SMS
and e-mail.

``SITE_URL`` names it where it is set (production always sets it: workers have no request to
ask). Where it is not set, as under ``make run``, the links follow the request being served,
so that a server started on any host and port prints links that lead back to it; outside a
request they fall back to ``WAGTAILADMIN_BASE_URL``.
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_served_at: ContextVar[str] = ContextVar("served_at", default="")


def site_url() -> str:
    """The product's base URL, without a trailing slash."""
    configured: str = settings.SITE_URL or _served_at.get() or settings.WAGTAILADMIN_BASE_URL
    return configured.rstrip("/")


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse``) as an absolute URL on the product's address."""
    return f"{site_url()}{path}"


class SiteURLMiddleware:
    """Remembers, for the work a request does, the scheme, host and port it was served on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SITE_URL:
            return self.get_response(request)
        # The host has been checked against ALLOWED_HOSTS by get_host().
        token = _served_at.set(request.build_absolute_uri("/"))
        try:
            return self.get_response(request)
        finally:
            _served_at.reset(token)

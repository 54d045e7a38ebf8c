"""Response headers that protect every page: the Content-Security-Policy, the Permissions-Policy,
and ``Cache-Control: private, no-store`` on what a signed-in person sees.

Content-Security-Policy (django-csp; the policy is ``CONTENT_SECURITY_POLICY`` in the settings):
scripts, styles, fonts, frames and requests come from the product's own address only, images
also from ``data:`` URLs (Bootstrap draws its icons with them), no plugins, and no page may be
framed. The templates carry no inline ``<script>`` (JSON data blocks from ``json_script`` are not
run, so they need nothing) and no ``style=`` or ``on...=`` attributes: their behaviour lives in
``static/js/portal.js`` and their look in ``static/css/``. Swagger UI at ``/api/docs/`` loads its
start-up script and its styles as files too (``intake/api_urls.py``, the
``drf_spectacular/swagger_ui.html`` template), and the browsable API (``/api/`` in a browser)
goes without Django REST framework's inline ``<style>`` (``rest_framework/api.html``).

One area gets a looser policy, by address (``AREA_POLICIES``), for the third-party code that
draws it:

- ``/admin/``, Wagtail's admin (checked in Chromium under the strict policy): its widgets start
  from inline ``<script>`` elements (the date and time pickers of the editor and of the listings'
  filters, the snippet choosers, the ``InlinePanel`` of a service page's form fields), its rich
  text editor writes ``<style>`` elements and its templates ``style=`` attributes, and its page
  preview frames the previewed page. Only editors reach it, and Wagtail escapes what they
  type. The previewed page itself keeps the portal's policy, except that the admin may frame
  it (``PREVIEW_POLICY``).

Django's own admin (``/django-admin/``) needs nothing looser.

Permissions-Policy: no page may use the camera, microphone, location, payments, USB and the
like; nothing in the product asks for them, so a script that somehow got in cannot either.

Cache-Control: a page served to a signed-in person is ``private, no-store`` (with
``Vary: Cookie`` from the session middleware, since the answer depends on the session), so that
neither a shared cache nor the browser's history keeps a workspace page or a confidential
document. Files are marked where they are handed out (``edms.downloads.file_response``, and the
citizen's receipt and tracking page in ``intake.views``), whoever asks. Public portal pages for
visitors stay cacheable.
"""

from collections.abc import Callable
from typing import Any

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers

# (address prefix, directives that replace the site-wide ones there); the first match applies.
AREA_POLICIES: list[tuple[str, dict[str, Any]]] = [
    (
        "/admin/",
        {
            "script-src": [SELF, UNSAFE_INLINE],
            "style-src": [SELF, UNSAFE_INLINE],
            # The page preview is the admin framing a page of its own.
            "frame-ancestors": [SELF],
        },
    ),
]

# Features no page of the product uses. Only names Chromium knows: an unknown one is an error
# in the browser's console.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


# Wagtail's preview serves a portal page through the whole middleware chain again, for a
# made-up request to the page's own address, and shows it in a frame of the admin.
PREVIEW_POLICY: dict[str, Any] = {"frame-ancestors": [SELF]}


def area_policy(request: HttpRequest) -> dict[str, Any] | None:
    """The directives that replace the site-wide ones for ``request``: those of the area its
    address is in, or the preview's; None where the site-wide policy holds."""
    if getattr(request, "is_dummy", False):
        return PREVIEW_POLICY
    for prefix, directives in AREA_POLICIES:
        if request.path_info.startswith(prefix):
            return directives
    return None


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the looser policy of ``AREA_POLICIES`` in their areas
    (a view's own ``@csp_replace`` still wins)."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.replace is None:
            parts.replace = area_policy(request)
        return parts


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` on every response (a view may set its own)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def signed_in(request: HttpRequest) -> bool:
    """Whether ``request`` comes from a signed-in person. The session is only opened when the
    request carries a session cookie or the view opened it already (signing in does), so that
    answers nobody signed in to (the API, a visitor's first page) gain no ``Vary: Cookie``."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None:
        return False
    if not session.accessed and settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return bool(user.is_authenticated)


class PrivateCacheMiddleware:
    """``Cache-Control: private, no-store`` (and an expiry in the past) on every response to a
    signed-in person. Sits inside the session middleware, which then adds ``Vary: Cookie``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if signed_in(request):
            add_never_cache_headers(response)
        return response

"""Django's LocaleMiddleware, without its redirect of 404s from views outside the language prefix.

Django answers a 404 by redirecting to the language-prefixed path when that path exists; with
Wagtail serving every path under ``/<language>/``, that turned a workspace document the user may
not see (``/workspace/documents/7/``) into a redirect instead of a plain 404. A path that
resolved to a view keeps that view's answer; an unknown path is still redirected.
"""

from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware


class LocaleMiddleware(DjangoLocaleMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.status_code == 404 and getattr(request, "resolver_match", None) is not None:
            language = getattr(request, "LANGUAGE_CODE", None)
            if language:
                response.headers.setdefault("Content-Language", language)
            return response
        return super().process_response(request, response)

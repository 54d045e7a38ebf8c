"""The admins' query strings, checked at the door.

Our own views read their parameters through forms (``core.params``). Wagtail's and Django's
admins read theirs by hand, and some of them fail on what no browser of theirs sends: a NUL
byte, a word or a 20-digit number where an id belongs, a ``next`` that is no path. Their
parameters are checked here before the admin sees them; a request that does not hold gets a
400 page naming the parameter, in the user's language, instead of a server error.
"""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.params import MAX_ID

ADMIN_PREFIXES = ("/admin/", "/django-admin/")
# The admins' parameters that hold a number (ids, offsets, page numbers).
NUMBERS = {
    "id",
    "ids",
    "offset",
    "limit",
    "p",
    "page",
    "parent_page_id",
    "page_id",
    "target_pages[]",
    "collection_id",
}
MAX_VALUE = 2000  # a search typed into the admin, a filter's value: longer is never typed


def query_problems(request: HttpRequest) -> list[str]:
    """What does not hold in the query string, one sentence per parameter."""
    problems = []
    for name, values in request.GET.lists():
        for value in values:
            if "\x00" in name or "\x00" in value:
                problems.append(_("“%(name)s” holds a NUL character.") % {"name": name[:40]})
            elif len(value) > MAX_VALUE:
                problems.append(
                    _("“%(name)s” is longer than %(limit)s characters.")
                    % {"name": name[:40], "limit": MAX_VALUE}
                )
            elif name in NUMBERS and value and not _whole_number(value):
                problems.append(_("“%(name)s” must be a whole number.") % {"name": name})
            elif name == "next" and value and (not value.startswith("/") or value[:2] == "//"):
                problems.append(_("“next” must be an address on this site."))
            else:
                continue
            break
    return problems


def _whole_number(value: str) -> bool:
    # ASCII digits only: int() would also take "٣" and " 3".
    return value.isascii() and value.isdigit() and int(value) <= MAX_ID


class AdminQueryGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(ADMIN_PREFIXES):
            problems = query_problems(request)
            if problems:
                return render(request, "400.html", {"problems": problems}, status=400)
        return self.get_response(request)


def not_found(request: HttpRequest) -> HttpResponse:
    """Wagtail's ``failwhale/`` raises on purpose, to try the 500 page: not in production."""
    raise Http404

"""The admins' requests, checked at the door.

Our own views read their parameters through forms (``core.params``). Wagtail's and Django's
admins read theirs by hand, and some of them fail on what no browser of theirs sends: a NUL
byte, a word or a 20-digit number where an id belongs, a ``next`` that is no path, a form
posted without its fields. Their parameters are checked here before the admin sees them; a
request that does not hold gets a 400 page naming the parameter, in the user's language,
instead of a server error. A posted admin form the admin itself then fails on is answered the
same way, and logged with its traceback as the upstream bug it is.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from core.params import MAX_ID

ADMIN_PREFIXES = ("/admin/", "/django-admin/")
API_PREFIX = "/api/"
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
# A number longer than this is no id of ours and no count (SQLite takes 64-bit integers).
MAX_DIGITS = 18

logger = logging.getLogger(__name__)


def _id_name(name: str) -> bool:
    return name in ("pk", "id", "object_id") or name.endswith("_id")


def path_problems(request: HttpRequest) -> list[str]:
    """Ids in the admin's own path: every model of ours has whole-number ids."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return []
    return [
        _("“%(name)s” must be a whole number.") % {"name": name}
        for name, value in match.kwargs.items()
        if _id_name(name) and not _whole_number(str(value))
    ]


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
            elif value.isdigit() and len(value) > MAX_DIGITS:
                problems.append(_("“%(name)s” is too large a number.") % {"name": name[:40]})
            elif name in NUMBERS and value and not _whole_number(value):
                problems.append(_("“%(name)s” must be a whole number.") % {"name": name})
            elif name == "next" and value and (not value.startswith("/") or value[:2] == "//"):
                problems.append(_("“next” must be an address on this site."))
            else:
                continue
            break
    return problems


def post_problems(request: HttpRequest) -> list[str]:
    """A posted admin form's numbers: the admins look ids up before their forms check them,
    and SQLite takes no integer past 64 bits. (Text, however long, is the forms' to check.)"""
    if request.method != "POST":
        return []
    return [
        _("“%(name)s” is too large a number.") % {"name": name[:40]}
        for name, values in request.POST.lists()
        if any(value.isdigit() and len(value) > MAX_DIGITS for value in values)
    ]


def _whole_number(value: str) -> bool:
    # ASCII digits only: int() would also take "٣" and " 3".
    return value.isascii() and value.isdigit() and int(value) <= MAX_ID


class AdminQueryGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path and not request.path.startswith(API_PREFIX):
            # No address of ours holds one; a database would refuse it deep inside a view. (The
            # API answers for its own addresses, in JSON: core.api.)
            problems = [_("The address holds a NUL character.")]
            return render(request, "400.html", {"problems": problems}, status=400)
        if request.path.startswith(ADMIN_PREFIXES):
            problems = path_problems(request) or query_problems(request) or post_problems(request)
            if problems:
                return render(request, "400.html", {"problems": problems}, status=400)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """An admin form posted without what its own page sends (a link chooser without its
        URL, a redirect import without its file): the admin's code fails on the missing value.
        The person gets a 400; the log keeps the traceback."""
        if (
            request.path.startswith(ADMIN_PREFIXES)
            and request.method == "POST"
            and isinstance(exception, MALFORMED_POST)
        ):
            logger.warning("admin form failed on its input: %s", request.path, exc_info=exception)
            problems = [_("The form was sent incomplete or damaged. Open it again and resend it.")]
            return render(request, "400.html", {"problems": problems}, status=400)
        return None


MALFORMED_POST = (AttributeError, KeyError, ValueError, TypeError, OverflowError)


def robust_chooser_instance(get_instance: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """Wagtail's chooser widgets look up the posted id to show it again with the form's errors,
    and fail on one that is no id ("abc"): shown as nothing chosen instead."""

    def lookup(widget: Any, value: Any) -> Any:
        try:
            return get_instance(widget, value)
        except (ValueError, TypeError, OverflowError):
            return None

    return lookup


def not_found(request: HttpRequest) -> HttpResponse:
    """Wagtail's ``failwhale/`` raises on purpose, to try the 500 page: not in production."""
    raise Http404

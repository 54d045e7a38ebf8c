"""Every URL of the project, walked with hostile values: none may answer with a server error.

Each URL pattern is requested as an anonymous visitor, as staff of another office, as staff of the
office that owns the object, and as the administrator. The walk records which query and form
parameters each view reads (a recording ``QueryDict``), then sends every one of them, alone and all
together, each hostile value in turn (NUL bytes, huge and negative integers, words where numbers
belong, 10,000 characters, impossible dates, path traversal, markup), by GET and by POST. Path
parameters get the hostile values too.

The project's own URLs are listed in ``ROUTES`` with the objects that make them reach their real
work; a pattern that is not listed fails ``test_every_url_is_walked``, so a new URL cannot escape
the walk. The Wagtail and Django admins are walked whole, pattern by pattern, as they come.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection
from django.http import QueryDict
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.datastructures import MultiValueDict

from tests.edms.factories import blank_pdf
from tests.intake.factories import submit

HOSTILE = [
    "ab\x00cd",
    "-99999999999999999999",
    "abc",
    "x" * 10_000,
    "2026-02-30",
    "../../../../etc/passwd<b>'\"",
]
HOSTILE_EACH = ["\x00", "99999999999999999999", "x" * 10_000]
HOSTILE_LIGHT = ["ab\x00cd", "-99999999999999999999", "x" * 3000, "abc'\"<b>../../etc/passwd"]
HOSTILE_EACH_LIGHT = ["abc", "99999999999999999999"]
# Hostile values that fit each path converter (the others never reach a view).
HOSTILE_PATH = {
    "int": ["0", "99999999999999999999"],
    "slug": ["x" * 10_000, "-"],
    "str": ["\x00", "x" * 10_000, "..", "<b>"],
}
# Read by views that only look at them when something else is valid: always sent.
ALWAYS_SENT = {"page", "q", "office", "p", "ordering"}
ADMIN_PREFIXES = ("admin/", "django-admin/")
WHO = ("anonymous", "namangan-city.executor", "owner", "admin")
# In the admins, an office's editor-in-chief and an office administrator reach their own parts.
ADMIN_WHO = (
    "anonymous",
    "namangan-city.executor",
    "namangan-city.chief-editor",
    "namangan-city.office-admin",
    "admin",
)
# Who, in the office that owns the objects, uses each URL (by name prefix); else its executor.
OWNERS = {
    "intake_counter:": "jizzakh-city.operator",
    "edms:register": "jizzakh-city.registrar",
    "edms:dispatch": "@dispatch_owner",
    "edms:dispatch_print": "jizzakh-city.registrar",
    "edms:send": "jizzakh-city.registrar",
    "edms:exchange": "jizzakh-city.registrar",
    "edms:resolution": "jizzakh-city.head",
    "edms:control": "jizzakh-city.controller",
    "edms:draft": "jizzakh-city.registrar",
    "edms:step": "@step_owner",
    "edms:certificate": "jizzakh-city.head",
}


# --- Which parameters a view reads -----------------------------------------------------------

_read: set[str] = set()


class RecordingQueryDict(QueryDict):
    """A ``QueryDict`` that notes every key a view asks for."""

    def __getitem__(self, key: str) -> Any:
        _read.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        _read.add(key)
        return super().get(key, default)

    def getlist(self, key: str, default: Any = None) -> list[Any]:
        _read.add(key)
        return super().getlist(key, default)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            _read.add(key)
        return super().__contains__(key)


def _recording(data: MultiValueDict[str, Any] | QueryDict) -> RecordingQueryDict:
    recording = RecordingQueryDict(mutable=True)
    for key, values in data.lists():
        recording.setlist(key, values)
    recording._mutable = False
    return recording


@pytest.fixture
def recording_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    plain_get = WSGIRequest.__dict__["GET"]
    plain_post = WSGIRequest.__dict__["POST"]

    def get(request: WSGIRequest) -> QueryDict:
        if "_walk_get" not in request.__dict__:
            request.__dict__["_walk_get"] = _recording(plain_get.func(request))
        found: QueryDict = request.__dict__["_walk_get"]
        return found

    def set_get(request: WSGIRequest, value: QueryDict) -> None:
        request.__dict__["_walk_get"] = value

    def post(request: WSGIRequest) -> QueryDict:
        data = plain_post.fget(request)
        if type(data) is QueryDict:
            data = _recording(data)
            plain_post.fset(request, data)
        return data

    monkeypatch.setattr(WSGIRequest, "GET", property(get, set_get))
    monkeypatch.setattr(WSGIRequest, "POST", property(post, plain_post.fset))


# --- The project's URLs ---------------------------------------------------------------------


@dataclass
class Pattern:
    route: str
    name: str
    converters: dict[str, str] = field(default_factory=dict)


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[Pattern]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            converters = {
                name: type(converter).__name__.removesuffix("Converter").lower()
                for name, converter in getattr(entry.pattern, "converters", {}).items()
            }
            yield Pattern(prefix + str(entry.pattern), namespace + (entry.name or ""), converters)


ALL_PATTERNS = list(_patterns(get_resolver()))


@dataclass
class Objects:
    """Real objects of one office (Jizzakh city) that the project's URLs lead to."""

    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


Kwargs = Callable[[Objects], list[dict[str, Any]]]


def none(objects: Objects) -> list[dict[str, Any]]:
    return [{}]


def pk(key: str, **extra: list[str]) -> Kwargs:
    """The object's primary key, with each value of every extra path parameter."""

    def kwargs(objects: Objects) -> list[dict[str, Any]]:
        found = [{"pk": objects[key]}]
        for name, values in extra.items():
            found = [{**entry, name: value} for entry in found for value in values]
        return found

    return kwargs


def code(key: str, name: str = "code") -> Kwargs:
    return lambda objects: [{name: objects[key]}]


ROUTES: dict[str, Kwargs] = {
    "root": none,
    "login": none,
    "logout": none,
    "set_language": none,
    "intake_counter:counter": none,
    "intake_counter:counter_apply": code("service"),
    "intake_counter:counter_done": code("tracking_code"),
    "workspace_search": none,
    "edms:inbox": none,
    "edms:documents": none,
    "edms:register": none,
    "edms:document": pk("document"),
    "edms:resolution": pk("document"),
    "edms:send": pk("document"),
    "edms:exchange": none,
    "edms:dispatch_print": pk("dispatch"),
    "edms:dispatch": pk("incoming_dispatch", action=["register", "return"]),
    "edms:upload": pk("document"),
    "edms:assignment": pk(
        "assignment",
        step=[
            "start",
            "delegate",
            "request_extension",
            "decide_extension",
            "report",
            "accept_report",
            "refuse_report",
            "cancel",
        ],
    ),
    "edms:download": pk("attachment_version"),
    "edms:control": none,
    "edms:draft_new": none,
    "edms:draft": pk("draft"),
    "edms:draft_remark": pk("draft"),
    "edms:draft_version": pk("draft"),
    "edms:draft_withdraw": pk("draft"),
    "edms:draft_file": pk("draft_version", which=["original", "signed"]),
    "edms:step_signature": pk("step"),
    "edms:step": pk("step", action=["approve", "sign", "reject"]),
    "edms:certificate": none,
    "intake:track_lookup": none,
    "intake:track": code("tracking_code"),
    "intake:receipt": code("tracking_code"),
    "intake:result": code("tracking_code"),
    "api-services": none,
    "api-applications": none,
    "api-application": code("tracking_code", "tracking_code"),
    "api-verify": none,
    "api-schema": none,
    "api-docs": none,
    "api-not-found": none,
    "verify_lookup": none,
    "verify": code("verification_code"),
    "wagtaildocs_serve": none,  # positional: walked through its hostile path values below
    "wagtaildocs_authenticate_with_password": lambda objects: [{"restriction_id": 1}],
    "portal_search": none,
    "wagtailcore_authenticate_with_password": lambda objects: [
        {"page_view_restriction_id": 1, "page_id": objects["home_page"]}
    ],
    "wagtailcore_login": none,
    "wagtail_serve": none,  # the pages themselves: PAGE_URLS
}


def _admin(pattern: Pattern) -> bool:
    return pattern.route.startswith(ADMIN_PREFIXES)


def test_every_url_is_walked() -> None:
    """A new URL must say (in ``ROUTES``) which objects make it reach its real work."""
    project = {pattern.name for pattern in ALL_PATTERNS if not _admin(pattern)}
    assert project - set(ROUTES) == set(), "add these URL names to ROUTES in this test"
    assert set(ROUTES) - project == set(), "these URL names no longer exist"


@pytest.fixture
def walk_objects(db: None) -> Objects:
    from edms.approvals import draft_create, route_from_template
    from edms.attachments import attachment_add
    from edms.models import (
        ApprovalStep,
        Assignment,
        Dispatch,
        Draft,
        DraftVersion,
        Office,
    )
    from intake.models import Service
    from portal.models import HomePage

    office = "jizzakh-city"
    assignment = Assignment.objects.filter(executor__username=f"{office}.executor").first()
    assert assignment, "the demo data has changed: pick other objects"
    where = Office.objects.get(code=office)
    draft = draft_create(
        by=get_user_model().objects.get(username=f"{office}.registrar"),
        office=where,
        kind=Draft.Kind.LETTER,
        title="Obodonlashtirish ishlari toʻgʻrisida",
        body="Hurmatli hamkasblar!",
        correspondent_name="Viloyat yoʻl xoʻjaligi boshqarmasi",
        route=route_from_template(office=where, kind=Draft.Kind.LETTER),
    )
    step = ApprovalStep.objects.filter(draft=draft).select_related("approver").first()
    assert step is not None
    incoming = Dispatch.objects.filter(recipient_office__isnull=False).select_related(
        "recipient_office"
    )[0]
    signed = Draft.objects.exclude(verification_code="").first()
    return Objects(
        {
            "document": assignment.resolution.document.pk,
            "assignment": assignment.pk,
            "dispatch": Dispatch.objects.filter(document__office__code=office).first().pk,  # type: ignore[union-attr]
            "incoming_dispatch": incoming.pk,
            "dispatch_owner": f"{incoming.recipient_office.code}.registrar",  # type: ignore[union-attr]
            "attachment_version": attachment_add(
                document=assignment.resolution.document,
                by=None,
                upload=SimpleUploadedFile("scan.pdf", blank_pdf(), content_type="application/pdf"),
            ).pk,
            "draft": draft.pk,
            "draft_version": DraftVersion.objects.filter(draft=draft).first().pk,  # type: ignore[union-attr]
            "step": step.pk,
            "step_owner": step.approver.username,
            "service": Service.objects.first().code,  # type: ignore[union-attr]
            "tracking_code": submit().application.tracking_code,
            "verification_code": signed.verification_code if signed else "ABCD1234",
            "home_page": HomePage.objects.first().pk,
        }
    )


def _page_urls() -> list[str]:
    """One live page of each kind (in Uzbek, the default language: the others serve the same
    code), and the home page in every language."""
    from wagtail.models import Page

    seen: dict[int, str] = {}
    for page in Page.objects.live().filter(locale__language_code="uz").exclude(depth=1).specific():
        if page.content_type_id not in seen and (url := page.get_url()):
            seen[page.content_type_id] = url
    return sorted({*seen.values(), "/uz-cyrl/", "/ru/", "/en/"})


# --- The walk -------------------------------------------------------------------------------


@dataclass
class Walk:
    client: Client
    failures: list[str] = field(default_factory=list)
    requests: int = 0

    def send(
        self, method: str, url: str, data: dict[str, str] | None = None
    ) -> tuple[set[str], bool]:
        """One request: the parameters the view read, and whether the view did its work (it
        neither refused the method nor sent the visitor to sign in). A 5xx or an exception is a
        failure."""
        _read.clear()
        self.requests += 1
        try:
            if method == "GET":
                response = self.client.get(url, data or {})
            else:
                response = self.client.post(url, data or {})
        except Exception as error:  # every escape is what the walk looks for
            self.failures.append(f"{method} {url} {_short(data)} raised {error!r:.300}")
            return set(_read), True
        if response.status_code >= 500:
            self.failures.append(f"{method} {url} {_short(data)} answered {response.status_code}")
        refused = response.status_code == 405 or (
            response.status_code == 302 and "login" in response.get("Location", "")
        )
        return set(_read) - {"csrfmiddlewaretoken"}, not refused

    def url(self, url: str, *, post: bool = True, light: bool = False) -> None:
        """Every hostile value in every parameter at once, then the sharpest ones in each
        parameter the view read on its own (so that no check can hide behind another).
        ``light``: fewer values, for the admins' hundreds of pages."""
        for method in ("GET", "POST") if post else ("GET",):
            together, each = (HOSTILE, HOSTILE_EACH)
            if light:  # posted forms: all fields at once only
                together, each = (HOSTILE_LIGHT, HOSTILE_EACH_LIGHT if method == "GET" else [])
            read, served = self.send(method, url)
            if not served:
                continue
            for value in together:
                self.send(method, url, dict.fromkeys(read | ALWAYS_SENT, value))
            for key in sorted(read):
                for value in each:
                    self.send(method, url, {key: value})


def _short(data: dict[str, str] | None) -> str:
    return repr({key: value[:20] for key, value in (data or {}).items()})[:200]


def _client(who: str, pattern: Pattern, objects: Objects | None) -> Client:
    """A client signed in as ``who``; "owner" is whoever uses the pattern in the office."""
    client = Client(raise_request_exception=True)
    if who == "anonymous":
        return client
    username = who
    if who == "owner":
        username = next(
            (user for prefix, user in OWNERS.items() if pattern.name.startswith(prefix)),
            "jizzakh-city.executor",
        )
        username = OWNERS.get(pattern.name, username)
        if username.startswith("@") and objects is not None:
            username = objects[username[1:]]
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _reverse(pattern: Pattern, kwargs: dict[str, Any]) -> str:
    route = pattern.route
    for name, value in kwargs.items():
        route = re.sub(rf"<(?:\w+:)?{name}>", str(value).replace("\\", "\\\\"), route)
    return "/" + route


def _hostile_paths(pattern: Pattern, valid: dict[str, Any]) -> list[str]:
    urls = []
    for name, converter in pattern.converters.items():
        for value in HOSTILE_PATH.get(converter, HOSTILE_PATH["str"]):
            urls.append(_reverse(pattern, {**valid, name: value}))
    return urls


PROJECT = [pattern for pattern in ALL_PATTERNS if not _admin(pattern) and pattern.name in ROUTES]
ADMIN = [pattern for pattern in ALL_PATTERNS if _admin(pattern)]


def _project_urls(pattern: Pattern, objects: Objects) -> tuple[list[str], list[str]]:
    """The pattern's URLs to its real objects, and with hostile values in its path."""
    if pattern.name == "wagtail_serve":
        return _page_urls(), ["/uz/" + "x" * 5000 + "/", "/uz/%00/", "/ru/../../etc/passwd/"]
    if pattern.name == "wagtaildocs_serve":
        return [], ["/documents/99999999999999999999/x.pdf", "/documents/1/%00"]
    kwargs = ROUTES[pattern.name](objects)
    return (
        [_reverse(pattern, each) for each in kwargs],
        [url for each in kwargs for url in _hostile_paths(pattern, each)],
    )


def _regex_urls(route: str) -> list[str]:
    """A regular expression's URL with each group filled with a hostile value."""
    route = route.replace("^", "").replace("$", "")
    group = re.compile(r"\((?:\?P<\w+>)?(?:[^()]|\([^()]*\))*\)")
    return ["/" + group.sub(value, route) for value in ("99999999999999999999", "x" * 5000)]


def _report(failures: list[str], requests: int) -> str:
    return f"{len(failures)} of {requests} requests failed:\n" + "\n".join(failures[:60])


# Limits would answer 429 before a view reads anything: the walk is about the views.
walk_settings = override_settings(RATELIMIT_ENABLE=False)


@pytest.mark.parametrize("who", WHO)
@pytest.mark.usefixtures("recording_requests")
@walk_settings
def test_project_urls_survive_hostile_values(who: str, walk_objects: Objects) -> None:
    failures, requests = [], 0
    for pattern in PROJECT:
        # The public pages are walked whole by the anonymous visitor; signed in, they serve
        # the same code, so one request each shows what the signed-in person changes.
        whole = who == "anonymous" or pattern.route.startswith("workspace/")
        if who == "owner" and not whole:
            continue
        valid_urls, hostile_urls = _project_urls(pattern, walk_objects)
        walk = Walk(_client(who, pattern, walk_objects))
        for url in valid_urls:
            if whole:
                walk.url(url)
            else:
                walk.send("GET", url)
                walk.send("POST", url)
        for url in hostile_urls if whole else []:
            walk.send("GET", url)
            walk.send("POST", url)
        failures += walk.failures
        requests += walk.requests
    print(f"walked as {who}: {requests} requests, {len(failures)} failed")  # the count, with -s
    assert not failures, _report(failures, requests)


@pytest.mark.parametrize("who", ADMIN_WHO)
@pytest.mark.usefixtures("recording_requests")
@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the admins are third-party code and run the same on both databases: walked once, "
    "on SQLite (what PostgreSQL alone refuses, a NUL byte, the door refuses for both)",
)
@walk_settings
def test_admin_urls_survive_hostile_values(who: str, db: None) -> None:
    """The admins, walked pattern by pattern as they come (a new admin URL is walked too):
    hostile values in every path parameter, and in every parameter of the pages without one
    (their listings and forms)."""
    failures, requests = [], 0
    for pattern in ADMIN:
        walk = Walk(_client(who, pattern, None))
        if pattern.converters:
            for url in _hostile_paths(pattern, {}):
                walk.send("GET", url)
                if who == "admin":
                    walk.send("POST", url)
        elif "(" in pattern.route:
            for url in _regex_urls(pattern.route):
                walk.send("GET", url)
        elif who != "anonymous":
            walk.url(
                "/" + pattern.route.replace("^", "").replace("$", ""),
                post=who == "admin",
                light=True,
            )
        else:
            walk.send("GET", "/" + pattern.route.replace("^", "").replace("$", ""))
        failures += walk.failures
        requests += walk.requests
    print(f"walked as {who}: {requests} requests, {len(failures)} failed")  # the count, with -s
    assert not failures, _report(failures, requests)

"""Headers on every answer (core.headers): the Content-Security-Policy with no inline script,
the Permissions-Policy, ``Cache-Control: private, no-store`` for signed-in people and for every
file handed out, and uploaded files never served from /media/ without the access check, not even
with DEBUG on.
"""

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client, RequestFactory
from django.urls import reverse

from core.headers import (
    PERMISSIONS_POLICY,
    ContentSecurityPolicyMiddleware,
    PrivateCacheMiddleware,
    area_policy,
    signed_in,
)
from edms.approvals import draft_create, route_from_template
from edms.attachments import attachment_add
from edms.models import ApprovalStep, Draft, DraftVersion, Office
from intake.models import ServicePage
from tests.edms.factories import registered, user
from tests.edms.test_verification import paper_dispatch
from tests.intake.factories import APPLICANT_POST, LAND_POST, decide, submit

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f5a4d70000000049454e44ae426082"
)


def policy(response: HttpResponseBase) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy", "")
    assert header, "no Content-Security-Policy"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice"
        directives[name] = sources
    return directives


def cache_control(response: HttpResponseBase) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def vary(response: HttpResponseBase) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


def assert_private(response: HttpResponseBase) -> None:
    assert {"private", "no-store"} <= cache_control(response), response.get("Cache-Control")


class InlineCode(HTMLParser):
    """What a page would run or style inline: scripts without ``src`` (other than JSON data
    blocks), ``<style>`` elements, ``style=`` and ``on...=`` attributes, ``javascript:`` links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if not named.get("src") and named.get("type") != "application/json":
                self.found.append(f"<script {named}>")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")


def inline_code(response: HttpResponseBase) -> InlineCode:
    assert response.status_code in (200, 404), response.status_code
    parser = InlineCode()
    parser.feed(response.content.decode())  # type: ignore[attr-defined]
    return parser


def land_page(language: str = "en") -> ServicePage:
    return ServicePage.objects.get(service__code="land-plot", locale__language_code=language)


# --- Content-Security-Policy ---------------------------------------------------------------


def assert_strict(response: HttpResponseBase) -> None:
    """The site-wide policy: our own files only, nothing inline, no plugins, no framing."""
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in source for sources in directives.values() for source in sources)


def test_portal_workspace_and_api_answers_carry_the_strict_policy(client: Client) -> None:
    assert_strict(client.get("/uz/"))
    assert_strict(client.get(land_page().url))
    assert_strict(client.get(reverse("api-services")))
    assert_strict(client.get(reverse("api-docs")))
    assert_strict(client.get("/uz/no-such-page/"))
    client.force_login(user("jizzakh-city.executor"))
    assert_strict(client.get(reverse("edms:inbox")))
    client.force_login(user("admin"))
    assert_strict(client.get("/django-admin/"))


def test_only_wagtails_admin_allows_inline_scripts_and_styles(client: Client) -> None:
    client.force_login(user("admin"))
    directives = policy(client.get("/admin/"))
    assert directives["script-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["frame-ancestors"] == ["'self'"]  # its page preview
    assert directives["object-src"] == ["'none'"]
    # Addresses that only look like the admin's get the strict policy.
    for path in ("/adminx/", "/uz/admin/", "/ADMIN/", "/django-admin/", "/admin"):
        response = client.get(path)
        assert response.status_code < 500, path
        assert_strict(response)


def test_a_wagtail_preview_keeps_the_portals_policy_but_may_be_framed_by_the_admin() -> None:
    preview = RequestFactory().get("/en/services/land-plot/")
    preview.is_dummy = True  # type: ignore[attr-defined]  # as Wagtail's make_preview_request
    assert area_policy(preview) == {"frame-ancestors": ["'self'"]}
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse())
    middleware.process_request(preview)
    directives = policy(middleware.process_response(preview, HttpResponse()))
    assert directives["frame-ancestors"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert area_policy(RequestFactory().get("/en/services/land-plot/")) is None


def test_the_swagger_ui_loads_its_script_and_styles_as_files(client: Client) -> None:
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    assert inline_code(page).found == []
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "css/swagger.css" in html
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


@pytest.fixture
def pages(client: Client) -> dict[str, HttpResponseBase]:
    """A handful of rendered pages of every kind, by name."""
    client.cookies["language"] = "en"
    rendered: dict[str, HttpResponseBase] = {}
    rendered["home"] = client.get("/en/")
    page = land_page()
    rendered["service page"] = client.get(page.url)
    rendered["service page with errors"] = client.post(
        page.url, {**APPLICANT_POST, **LAND_POST, "office": "jizzakh-city", "pinfl": "1"}
    )
    application = submit().application
    rendered["tracking lookup"] = client.get(reverse("intake:track_lookup"))
    rendered["tracking page"] = client.get(
        reverse("intake:track", args=[application.tracking_code]) + "?new=1"
    )
    rendered["login"] = client.get(reverse("login"))
    rendered["verify"] = client.get(reverse("verify_lookup"))
    rendered["search"] = client.get("/en/search/", {"q": "yer"})
    rendered["not found"] = client.get("/en/no-such-page/")

    client.force_login(user("jizzakh-city.operator"))
    rendered["counter apply"] = client.get(
        reverse("intake_counter:counter_apply", args=["land-plot"])
    )
    document = registered("jizzakh-city")
    client.force_login(user("jizzakh-city.registrar"))
    rendered["workspace inbox"] = client.get(reverse("edms:inbox"))
    rendered["document card"] = client.get(reverse("edms:document", args=[document.pk]))
    rendered["draft form"] = client.get(reverse("edms:draft_new"))
    dispatch, _ = paper_dispatch(client)
    rendered["dispatch cover sheet"] = client.get(
        reverse("edms:dispatch_print", args=[dispatch.pk])
    )
    client.force_login(user("admin"))
    rendered["home with the editors' bar"] = client.get("/en/")
    return rendered


def test_no_rendered_page_runs_or_styles_anything_inline(
    pages: dict[str, HttpResponseBase],
) -> None:
    for name, response in pages.items():
        assert response.status_code == (404 if name == "not found" else 200), name
        found = inline_code(response)
        assert found.found == [], name
        assert found.scripts >= 1, name  # the page's behaviour still comes from a file
        assert_strict(response)
    # The moved behaviour is wired up by data- attributes.
    assert "data-once" in pages["service page"].content.decode()  # type: ignore[attr-defined]
    assert "data-focus-first" in pages["counter apply"].content.decode()  # type: ignore[attr-defined]
    assert "data-print" in pages["dispatch cover sheet"].content.decode()  # type: ignore[attr-defined]


def test_the_scripts_and_styles_the_pages_name_are_served(client: Client) -> None:
    for path in ("js/portal.js", "css/portal.css", "css/dispatch_print.css", "css/swagger.css"):
        assert (ROOT / "static" / path).is_file(), path
    script = (ROOT / "static/js/portal.js").read_text()
    for hook in ("form[data-once]", "form[data-focus-first]", "button[data-print]"):
        assert hook in script


# --- Permissions-Policy --------------------------------------------------------------------


def test_every_answer_forbids_camera_microphone_location_and_payments(client: Client) -> None:
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in PERMISSIONS_POLICY
    answers = [
        client.get("/uz/"),
        client.get("/uz/no-such-page/"),
        client.get(reverse("api-services")),
        client.get(reverse("intake:track_lookup"), {"code": "<script>"}),
    ]
    client.force_login(user("jizzakh-city.executor"))
    answers.append(client.get(reverse("edms:inbox")))
    for response in answers:
        assert response["Permissions-Policy"] == PERMISSIONS_POLICY


# --- Cache-Control -------------------------------------------------------------------------


def test_signed_in_pages_are_private_and_never_stored(client: Client) -> None:
    client.force_login(user("jizzakh-city.executor"))
    for path in (reverse("edms:inbox"), "/uz/", reverse("intake:track_lookup")):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_private(response)
        assert "cookie" in vary(response), path
    client.force_login(user("admin"))
    for path in ("/admin/", "/django-admin/"):
        assert_private(client.get(path))


def test_visitors_public_pages_stay_cacheable_but_vary_on_the_cookie(client: Client) -> None:
    for path in ("/uz/", land_page().url):
        response = client.get(path)
        assert response.status_code == 200
        assert not {"private", "no-store"} & cache_control(response), path
        # A shared cache keeps the visitor's copy apart from a signed-in person's.
        assert "cookie" in vary(response), path


def test_signing_in_is_private_from_the_first_answer(client: Client) -> None:
    response = client.post(
        reverse("login"), {"username": "jizzakh-city.executor", "password": "demo12345"}
    )
    assert response.status_code == 302
    assert_private(response)


def test_a_forged_session_cookie_is_a_visitor(client: Client) -> None:
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "not-a-session' OR 1=1 --"
    response = client.get("/uz/")
    assert response.status_code == 200
    assert "no-store" not in cache_control(response)
    assert f'href="{reverse("login")}"' in response.content.decode()  # the visitor's header


def test_answers_that_never_open_the_session_do_not_vary_on_it() -> None:
    factory = RequestFactory()

    def middleware_answer(request: HttpRequest) -> HttpResponseBase:
        return PrivateCacheMiddleware(lambda r: HttpResponse("{}"))(request)

    request = factory.get("/api/v1/services/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    assert not signed_in(request)
    assert not request.session.accessed  # the API's answer gains no Vary: Cookie
    assert "Cache-Control" not in middleware_answer(request)

    # No session at all (static files answered before the session middleware).
    bare = factory.get("/static/css/portal.css")
    assert not signed_in(bare)

    known = factory.get("/uz/")
    known.session = SessionStore()
    known.user = user("jizzakh-city.executor")
    known.COOKIES[django_settings.SESSION_COOKIE_NAME] = "anything"
    assert signed_in(known)
    assert_private(middleware_answer(known))


@pytest.fixture
def media_on_disk(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """MEDIA_ROOT on disk for this test (as tests/edms/test_file_responses.py does)."""
    settings.MEDIA_ROOT = str(tmp_path)
    assert default_storage.__class__
    monkeypatch.setattr(default_storage, "_wrapped", FileSystemStorage(location=str(tmp_path)))
    return tmp_path


def test_every_download_is_private_and_never_stored_whoever_asks(client: Client) -> None:
    application = decide(submit().application)
    code = application.tracking_code
    # The citizen, not signed in: the tracking page, the receipt, the result.
    for url in (
        reverse("intake:track", args=[code]),
        reverse("intake:receipt", args=[code]),
        reverse("intake:result", args=[code]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_private(response)
    assert client.get(reverse("intake:receipt", args=[code]))["Content-Type"] == "application/pdf"
    # A wrong code: a plain "not found", never stored either.
    missing = client.get(reverse("intake:receipt", args=["2222-2222-2222-2222"]))
    assert missing.status_code == 404

    # Staff: an attachment, a draft as prepared, a detached signature.
    registrar = user("jizzakh-city.registrar")
    version = attachment_add(
        document=registered("jizzakh-city"),
        by=registrar,
        upload=SimpleUploadedFile("skan.png", PNG_1x1, content_type="image/png"),
    )
    office = Office.objects.get(code="jizzakh-city")
    draft = draft_create(
        by=registrar,
        office=office,
        kind=Draft.Kind.LETTER,
        title="Obodonlashtirish toʻgʻrisida",
        body="Matn",
        route=route_from_template(office=office, kind=Draft.Kind.LETTER),
    )
    draft_version = draft.current_version()
    assert isinstance(draft_version, DraftVersion)
    step = draft_version.steps.first()
    assert isinstance(step, ApprovalStep)
    step.detached_signature.save(f"{step.pk}.p7s", ContentFile(b"0\x82\x01\x00"), save=True)
    client.force_login(registrar)
    for url in (
        reverse("edms:download", args=[version.pk]),
        reverse("edms:draft_file", args=[draft_version.pk, "original"]),
        reverse("edms:step_signature", args=[step.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Disposition"].startswith("attachment;"), url
        assert_private(response)


def test_a_download_handed_to_nginx_is_private_too(
    client: Client, media_on_disk: Path, settings: Any
) -> None:
    settings.FILES_ACCEL_REDIRECT_PREFIX = "/protected-media"
    application = decide(submit().application)
    response = client.get(reverse("intake:result", args=[application.tracking_code]))
    assert response["X-Accel-Redirect"].startswith("/protected-media/")
    assert_private(response)


# --- Uploaded files under /media/ ----------------------------------------------------------


@pytest.fixture
def make_run_urls(settings: Any, media_on_disk: Path) -> Iterator[Path]:
    """The URLs as ``make run`` builds them (config.settings.dev: SERVE_PUBLIC_MEDIA on), with
    DEBUG on: config/urls.py loaded afresh under another module name, so that the suite's own
    URLs are left as they are."""
    settings.DEBUG = True
    settings.SERVE_PUBLIC_MEDIA = True
    spec = importlib.util.spec_from_file_location("make_run_urls", ROOT / "config" / "urls.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules["make_run_urls"] = module
    settings.ROOT_URLCONF = "make_run_urls"
    yield media_on_disk
    del sys.modules["make_run_urls"]


def test_no_uploaded_file_is_served_from_media_even_with_debug_on(
    client: Client, make_run_urls: Path
) -> None:
    media = make_run_urls
    registrar = user("jizzakh-city.registrar")
    document = registered("jizzakh-city", confidential=True)
    document.participants.add(registrar)
    scan = attachment_add(
        document=document,
        by=registrar,
        upload=SimpleUploadedFile("maxfiy-skan.png", PNG_1x1, content_type="image/png"),
    )
    assert (media / scan.file.name).read_bytes() == PNG_1x1  # it is there, on disk
    (media / "original_images").mkdir()
    (media / "original_images" / "gerb.png").write_bytes(PNG_1x1)

    # Wagtail's public images are served (the route is live under these settings).
    image = client.get("/media/original_images/gerb.png")
    assert image.status_code == 200
    assert b"".join(image.streaming_content) == PNG_1x1  # type: ignore[attr-defined]

    # The confidential scan is not, by its path or by any way round to it.
    name = scan.file.name
    for path in (
        f"/media/{name}",
        f"/media/images/../{name}",
        f"/media/original_images/..%2F{name.replace('/', '%2F')}",
        f"/media/original_images/%2e%2e/{name}",
        f"/media/images/{name.replace('/', '%5C')}",
        "/media/edms/",
        "/media/",
        "/media/original_images/",
        "/media/original_images/..",
    ):
        # (The portal sends an address without a language to the same one under /uz/.)
        response = client.get(path, follow=True)
        assert response.status_code == 404, path
        body = (
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
            if response.streaming
            else response.content
        )
        assert PNG_1x1 not in body, path

    # Through the workspace, with the access check, the person on the document gets it.
    client.force_login(registrar)
    assert client.get(reverse("edms:download", args=[scan.pk])).status_code == 200
    client.force_login(user("jizzakh-city.executor"))  # not on it
    assert client.get(reverse("edms:download", args=[scan.pk])).status_code == 404


def test_make_run_settings_serve_only_wagtails_images_from_media() -> None:
    """config.settings.dev itself, with DEBUG=1, as ``make run`` starts it."""
    script = (
        "import django\n"
        "from django.conf import settings\n"
        "from django.urls import Resolver404, resolve\n"
        "django.setup()\n"
        "assert settings.DEBUG and settings.SERVE_PUBLIC_MEDIA\n"
        "assert resolve('/media/original_images/gerb.png').func.__name__ == 'serve'\n"
        "for path in ('/media/edms/ab/cd/abcd', '/media/drafts/ab/abcd',"
        " '/media/drafts/signed/ab/abcd', '/media/images/../edms/ab/cd/abcd'):\n"
        "    try:\n"
        "        resolve(path)\n"
        "    except Resolver404:\n"
        "        continue\n"
        "    raise SystemExit('served: ' + path)\n"
        "print('ok')\n"
    )
    variables = ("DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "SERVE_PUBLIC_MEDIA")
    env = {k: v for k, v in os.environ.items() if k not in variables}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", DEBUG="1")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"

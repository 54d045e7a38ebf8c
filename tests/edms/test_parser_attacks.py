"""Files built to attack parsers, posted to every upload point: refused with a message that
names the file, in the user's language, nothing stored, memory bounded, never a 500.

The hostile files are made here: a PDF of 100,000 arrays inside each other (in its catalogue,
or in a page's content), PDFs whose page tree or form fields contain themselves, a PDF whose
page stream unpacks to 32 MB, a truncated PDF, a DOCX whose part unpacks to 32 MB, one with
more parts than allowed, one with a part named ``../../evil.xml``, one with two parts of one
name, and a PNG that declares 100,000 × 100,000 pixels. The unpacking limits are lowered to
1 MiB (``_low_limits``) so that the bombs stay small and the tests fast.
"""

import hashlib
import html
import io
import struct
import tracemalloc
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from edms.approvals import draft_create, route_from_template
from edms.models import (
    Attachment,
    AttachmentVersion,
    Document,
    Draft,
    DraftVersion,
    Journal,
    Office,
)
from edms.signing.certificates import authority_create, certificate_issue
from edms.signing.pades import pdf_sign
from intake.models import Application, ServicePage
from tests.edms.factories import pdf_of, registered, user
from tests.intake.factories import APPLICANT_POST, LAND_POST

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MIB = 1024 * 1024
LIMIT = 1 * MIB
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def _low_limits(settings: Any) -> None:
    settings.FILES_MAX_INFLATED_BYTES = LIMIT
    settings.FILES_PDF_STREAM_MAX_BYTES = LIMIT
    settings.FILES_ZIP_MAX_ENTRIES = 50


# --- Hostile files, built here ----------------------------------------------------------------
def stream(content: bytes, entries: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(content), entries, content)


TEXT = b"BT /F1 24 Tf 72 720 Td (Salom Jizzax) Tj ET"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def page_pdf(
    *, catalog: bytes = b"", content: bytes = TEXT, entries: bytes = b"", pages: int = 1
) -> bytes:
    """``pages`` pages showing ``content``; ``catalog`` is added to the catalogue."""
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(pages))
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>"
    )
    return pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog,
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
            stream(content, entries),
            FONT,
            *[page] * pages,
        ]
    )


def nested_pdf(depth: int = 100_000) -> bytes:
    return page_pdf(catalog=b"/Deep " + b"[" * depth + b"]" * depth + b" ")


def nested_content_pdf(depth: int = 100_000) -> bytes:
    """The nesting inside a page's content, where only the text extraction goes."""
    return page_pdf(content=b"BT /F1 24 Tf " + b"[" * depth + b"]" * depth + b" TJ ET")


def kids_loop_pdf() -> bytes:
    """The page tree's second node lists the first as its kid."""
    return pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
        ]
    )


def pages_self_pdf() -> bytes:
    """The catalogue's /Pages is the catalogue itself."""
    return pdf_of([b"<< /Type /Catalog /Pages 1 0 R >>"])


def form_loop_pdf() -> bytes:
    """A form field whose /Kids holds itself (where signatures are looked for)."""
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>"
    )
    return pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>",
            b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
            stream(TEXT),
            FONT,
            page,
            b"<< /T (imzo) /Kids [6 0 R] >>",
        ]
    )


def zeros_deflated(size: int, *, wbits: int = zlib.MAX_WBITS) -> bytes:
    """``size`` spaces, deflated a megabyte at a time (never all of them in memory)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = b" " * MIB
    parts = [compressor.compress(block) for _ in range(size // MIB)]
    return b"".join([*parts, compressor.flush()])


BOMB_BYTES = 32 * MIB


@cache
def flate_bomb_pdf() -> bytes:
    """A page whose content stream is 32 MB of spaces, deflated to about 32 KB."""
    packed = zeros_deflated(BOMB_BYTES)
    return page_pdf(content=packed, entries=b"/Filter /FlateDecode ")


def truncated_pdf() -> bytes:
    whole = page_pdf()
    return whole[: len(whole) // 2]


def content_types() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
        b'/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/word/document.xml" ContentType="' + DOCX.encode() + b'.main+xml"/>'
        b"</Types>"
    )


def docx_of(parts: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", content_types())
        package.writestr("word/document.xml", b"<w:document/>")
        for name, data in parts:
            package.writestr(name, data)
    return out.getvalue()


@cache
def zip_bomb_docx() -> bytes:
    """A Word document with a 32 MB part of zeros, written a megabyte at a time."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", content_types())
        package.writestr("word/document.xml", b"<w:document/>")
        with package.open("word/media/image1.bin", "w") as part:
            for _ in range(BOMB_BYTES // MIB):
                part.write(bytes(MIB))
    return out.getvalue()


def many_parts_docx() -> bytes:
    return docx_of([(f"word/media/image{n}.png", b"x") for n in range(60)])


def traversal_docx() -> bytes:
    return docx_of([("../../evil.xml", b"<evil/>")])


def duplicate_parts_docx() -> bytes:
    """Two parts named word/document.xml: one reader may take one, another the other."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile's "Duplicate name" warning: the point here
        package.writestr("[Content_Types].xml", content_types())
        package.writestr("word/document.xml", b"<w:document/>")
        package.writestr("word/document.xml", b"<w:document>other</w:document>")
    return out.getvalue()


def png_of(width: int, height: int) -> bytes:
    """A PNG declaring ``width`` × ``height`` grey pixels, with one row of data only."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    row = zlib.compress(b"\x00" * (min(width, 1000) + 1))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", row) + chunk(b"IEND", b"")


# --- What each is refused with (English; the Russian one is checked below) ------------------
NESTED = "is refused: its structure is nested more than 100 levels deep."
TOO_COMPLEX = "is refused: it is damaged or too complex to open safely."
LOOP = "is refused: parts of it refer back to themselves in a loop."
BOMB = "is refused: its compressed content unpacks to more than 1.0\xa0MB."
PARTS = "is refused: it holds more than 50 parts, more than any office document."
TRAVERSAL = "is refused: it holds a part named “../../evil.xml”, which points outside"
ZIP_DAMAGED = "is damaged: its parts cannot be unpacked."
PIXELS = "is refused: the image has more than 80,000,000 pixels."
UNREADABLE = "cannot be read: it is damaged or password-protected."
VERIFY_DAMAGED = "is damaged: it begins as a PDF, but its structure or its signatures cannot be"


@dataclass(frozen=True)
class Hostile:
    name: str
    build: Callable[[], bytes]
    message: str
    # What the signature check says, for the PDFs (None: it does not apply).
    on_verify: str | None = None

    def __str__(self) -> str:
        return self.name


PDF_ATTACKS = [
    Hostile("deep.pdf", nested_pdf, NESTED, NESTED),
    Hostile("kids.pdf", kids_loop_pdf, LOOP, LOOP),
    Hostile("pages.pdf", pages_self_pdf, LOOP, LOOP),
    Hostile("form.pdf", form_loop_pdf, LOOP, LOOP),
    Hostile("bomb.pdf", flate_bomb_pdf, BOMB, BOMB),
    Hostile("half.pdf", truncated_pdf, UNREADABLE, VERIFY_DAMAGED),
]
OTHER_ATTACKS = [
    Hostile("deep-content.pdf", nested_content_pdf, TOO_COMPLEX),
    Hostile("bomb.docx", zip_bomb_docx, BOMB),
    Hostile("parts.docx", many_parts_docx, PARTS),
    Hostile("evil.docx", traversal_docx, TRAVERSAL),
    Hostile("twice.docx", duplicate_parts_docx, ZIP_DAMAGED),
    Hostile("huge.png", lambda: png_of(100_000, 100_000), PIXELS),
]
ATTACKS = PDF_ATTACKS + OTHER_ATTACKS


def named(hostile: Hostile) -> str:
    """The message naming the file, as the uploader sees it."""
    if hostile.message == UNREADABLE:
        return f"The PDF “{hostile.name}” {UNREADABLE}"
    return f"“{hostile.name}” {hostile.message}"


def stored(content: bytes) -> bool:
    digest = hashlib.sha256(content).hexdigest()
    return default_storage.exists(f"edms/{digest[:2]}/{digest[2:4]}/{digest}")


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


@contextmanager
def memory_peak() -> Iterator[list[int]]:
    """The most memory Python held at once in the block (one figure, filled in at its end)."""
    peak: list[int] = []
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


# --- The upload points ------------------------------------------------------------------------
def post_verify_page(client: Client, hostile: Hostile, content: bytes) -> str:
    response = client.post(
        reverse("verify_lookup"), {"file": SimpleUploadedFile(hostile.name, content)}
    )
    assert response.status_code == 400
    return text_of(response)


def post_verify_api(client: Client, hostile: Hostile, content: bytes) -> str:
    response = client.post(
        reverse("api-verify"), {"file": SimpleUploadedFile(hostile.name, content)}
    )
    assert response.status_code == 400
    (message,) = response.json()["errors"]["file"]
    return str(message)


@pytest.mark.parametrize("hostile", PDF_ATTACKS, ids=str)
@pytest.mark.parametrize("post", [post_verify_page, post_verify_api], ids=["page", "api"])
def test_the_signature_check_refuses_a_hostile_pdf_and_says_why(
    client: Client, hostile: Hostile, post: Callable[[Client, Hostile, bytes], str]
) -> None:
    said = post(client, hostile, hostile.build())
    assert f"“{hostile.name}” {hostile.on_verify}" in said
    assert "neither a PDF" not in said


def test_a_parser_that_still_recurses_too_deep_is_stopped_with_a_message(
    client: Client, settings: Any
) -> None:
    # Past the nesting check (set out of reach), pyHanko follows the arrays until Python's
    # stack ends: that RecursionError is a 400 with a message, not a 500.
    settings.FILES_MAX_NESTING = 10**9
    hostile = Hostile("deep.pdf", nested_pdf, TOO_COMPLEX)
    assert post_verify_api(client, hostile, nested_pdf()) == f"“deep.pdf” {TOO_COMPLEX}"
    assert f"“deep.pdf” {TOO_COMPLEX}" in post_verify_page(client, hostile, nested_pdf())


def test_the_signature_check_answers_in_the_users_language(client: Client) -> None:
    client.cookies["language"] = "ru"
    response = client.post(
        reverse("api-verify"),
        {"file": SimpleUploadedFile("deep.pdf", nested_pdf())},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 400
    (message,) = response.json()["errors"]["file"]
    assert message.startswith("«deep.pdf» отклонен: его структура вложена глубже 100 уровней.")


def test_a_pdf_bomb_is_refused_without_unpacking_it(client: Client) -> None:
    content = flate_bomb_pdf()
    assert len(content) < BOMB_BYTES // 100
    with memory_peak() as peak:
        said = post_verify_api(client, PDF_ATTACKS[4], content)
    assert said == (
        f"“bomb.pdf” {BOMB} Only damaged files, and files made to exhaust the memory of the "
        "programs that open them (“compression bombs”), do this."
    )
    # Unpacked, the stream alone would take 32 MB.
    assert peak[0] < BOMB_BYTES // 4


def test_a_pdf_of_too_many_words_is_refused_before_a_parser_reads_it(
    client: Client, settings: Any
) -> None:
    # pyHanko reads a PDF's words one at a time: a 10 MB catalogue of numbers kept it busy for
    # two minutes and 1.3 GB. The words are counted first (the limit lowered here).
    settings.FILES_PDF_MAX_WORDS = 10_000
    numbers = page_pdf(catalog=b"/Numbers [" + b"1 " * 200_000 + b"] ")
    hostile = Hostile("numbers.pdf", lambda: numbers, TOO_COMPLEX)
    with memory_peak() as peak:
        assert post_verify_api(client, hostile, numbers) == f"“numbers.pdf” {TOO_COMPLEX}"
    # Parsed, its 200,000 numbers would take about 50 MB.
    assert peak[0] < 8 * MIB
    assert f"“numbers.pdf” {TOO_COMPLEX}" in post_attachment(client, hostile, numbers)
    # An ordinary PDF is far below it.
    assert post_verify_api_ok(client, page_pdf(pages=20))


def test_a_pdf_of_too_many_signatures_is_not_checked(client: Client, settings: Any) -> None:
    # Each signature's check reads every later revision: forged by the hundred, they would
    # keep the public page busy for minutes (the limit lowered here).
    settings.SIGNED_FILE_MAX_SIGNATURES = 2
    identity = certificate_issue(authority=authority_create(name="Soxta CA"), common_name="X")
    signed = page_pdf()
    for _ in range(3):
        signed = pdf_sign(signed, identity=identity, reason="Visa")
    hostile = Hostile("imzolar.pdf", lambda: signed, "")
    assert post_verify_api(client, hostile, signed) == (
        "“imzolar.pdf” carries more than 2 signatures, more than can be checked here."
    )


def post_verify_api_ok(client: Client, content: bytes) -> bool:
    response = client.post(reverse("api-verify"), {"file": SimpleUploadedFile("a.pdf", content)})
    return bool(response.status_code == 200 and response.json()["verdict"] == "unsigned")


# The points where files are stored: each is given the file, refuses it, stores nothing.
@pytest.fixture
def registrar_client(client: Client) -> Client:
    client.force_login(user("jizzakh-city.registrar"))
    return client


def counts() -> tuple[int, ...]:
    return (
        Attachment.objects.count(),
        AttachmentVersion.objects.count(),
        DraftVersion.objects.count(),
        Application.objects.count(),
        Document.objects.count(),
    )


def post_attachment(client: Client, hostile: Hostile, content: bytes) -> str:
    client.force_login(user("jizzakh-city.registrar"))
    document = registered()
    before = counts()
    response = client.post(
        reverse("edms:upload", args=[document.pk]),
        {"file": SimpleUploadedFile(hostile.name, content)},
        follow=True,
    )
    assert response.status_code == 200
    assert counts() == before
    return text_of(response)


def post_draft_version(client: Client, hostile: Hostile, content: bytes) -> str:
    author = user("jizzakh-city.registrar")
    client.force_login(author)
    office = Office.objects.get(code="jizzakh-city")
    draft = draft_create(
        by=author,
        office=office,
        kind=Draft.Kind.LETTER,
        title="Obodonlashtirish toʻgʻrisida",
        body="Reja ilova qilinadi.",
        correspondent_name="Viloyat yoʻl xoʻjaligi boshqarmasi",
        route=route_from_template(office=office, kind=Draft.Kind.LETTER),
    )
    before = counts()
    response = client.post(
        reverse("edms:draft_version", args=[draft.pk]),
        {"upload": SimpleUploadedFile(hostile.name, content)},
        follow=True,
    )
    assert response.status_code == 200
    assert counts() == before
    assert draft.versions.count() == 1
    return text_of(response)


def post_registration(client: Client, hostile: Hostile, content: bytes) -> str:
    client.force_login(user("jizzakh-city.registrar"))
    journal = Journal.objects.get(office__code="jizzakh-city", kind=Journal.Kind.INCOMING)
    before = counts()
    response = client.post(
        reverse("edms:register"),
        {
            "journal": journal.pk,
            "title": "Ichimlik suvi taʼminoti haqida",
            "channel": Document.Channel.PAPER,
            "scan": SimpleUploadedFile(hostile.name, content),
        },
    )
    assert response.status_code == 200
    assert counts() == before
    return text_of(response)


def application_post(content: bytes, name: str) -> dict[str, Any]:
    return {
        **APPLICANT_POST,
        **LAND_POST,
        "office": "jizzakh-city",
        "documents": [SimpleUploadedFile(name, content)],
    }


def post_service_page(client: Client, hostile: Hostile, content: bytes) -> str:
    page = ServicePage.objects.get(service__code="land-plot", locale__language_code="en")
    before = counts()
    response = client.post(page.url, application_post(content, hostile.name))
    assert response.status_code == 200
    assert counts() == before
    return text_of(response)


def post_applications_api(client: Client, hostile: Hostile, content: bytes) -> str:
    before = counts()
    response = client.post(
        reverse("api-applications"),
        {"service": "land-plot", **application_post(content, hostile.name)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert counts() == before
    return " ".join(response.json()["errors"]["documents"])


@pytest.mark.parametrize("hostile", ATTACKS, ids=str)
@pytest.mark.parametrize(
    "post",
    [
        post_attachment,
        post_registration,
        post_draft_version,
        post_service_page,
        post_applications_api,
    ],
    ids=["attachment", "registration", "draft-version", "service-page", "applications-api"],
)
def test_every_upload_point_refuses_a_hostile_file_and_stores_nothing(
    client: Client, hostile: Hostile, post: Callable[[Client, Hostile, bytes], str]
) -> None:
    content = hostile.build()
    said = post(client, hostile, content)
    assert named(hostile) in said
    assert not stored(content)


def test_a_docx_bomb_is_refused_without_unpacking_it(client: Client) -> None:
    content = zip_bomb_docx()
    assert len(content) < BOMB_BYTES // 100
    with memory_peak() as peak:
        said = post_attachment(client, OTHER_ATTACKS[1], content)
    assert named(OTHER_ATTACKS[1]) in said
    assert peak[0] < BOMB_BYTES // 4


# --- The limits themselves --------------------------------------------------------------------
def attach(client: Client, name: str, content: bytes) -> str:
    return post_attachment(client, Hostile(name, lambda: content, ""), content)


def test_limits_come_from_the_settings(client: Client, settings: Any) -> None:
    settings.FILES_PDF_MAX_PAGES = 2
    assert "“three.pdf” has more than 2 pages; split it" in attach(
        client, "three.pdf", page_pdf(pages=3)
    )
    settings.FILES_PDF_MAX_OBJECTS = 3
    assert "“objects.pdf” is refused: it is made of more than 3 objects" in attach(
        client, "objects.pdf", page_pdf()
    )
    settings.FILES_IMAGE_MAX_PIXELS = 100
    assert "“rasm.png” is refused: the image has more than 100 pixels" in attach(
        client, "rasm.png", png_of(20, 20)
    )


def test_a_pdf_whose_text_takes_too_long_is_kept_without_it(
    registrar_client: Client, settings: Any
) -> None:
    # Out of time before the first page: the file is stored, searchable by its name only.
    settings.FILES_PDF_TEXT_SECONDS = 0
    document = registered()
    content = page_pdf(content=b"BT /F1 24 Tf 72 720 Td (Vaqt yetmadi) Tj ET")
    response = registrar_client.post(
        reverse("edms:upload", args=[document.pk]),
        {"file": SimpleUploadedFile("sekin.pdf", content)},
        follow=True,
    )
    assert "The file is added." in text_of(response)
    version = AttachmentVersion.objects.get(attachment__document=document)
    assert version.text == ""
    assert stored(content)


def test_ordinary_files_still_pass(registrar_client: Client) -> None:
    document = registered()
    for name, content in [
        ("xat.pdf", page_pdf(pages=3)),
        ("rasm.png", png_of(200, 100)),
        ("hisobot.docx", docx_of([("word/media/image1.png", bytes(200_000))])),
    ]:
        response = registrar_client.post(
            reverse("edms:upload", args=[document.pk]),
            {"file": SimpleUploadedFile(name, content)},
            follow=True,
        )
        assert "The file is added." in text_of(response), name
    texts = AttachmentVersion.objects.filter(attachment__document=document).values_list(
        "text", flat=True
    )
    assert any("Salom Jizzax" in text for text in texts)

"""Attachments: only real files of allowed types, stored by hash, versioned, audited, atomic."""

import hashlib
import io
import os
import struct
import zipfile
import zlib
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import translation
from pypdf import PdfReader, PdfWriter

from edms import attachments
from edms.attachments import (
    attachment_add,
    attachment_add_version,
    clean_file_name,
    sniff_content_type,
)
from edms.audit import Action, audit_history
from edms.models import Attachment, AttachmentVersion, Document, Journal
from edms.registration import document_register
from tests.edms.factories import pdf_of

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"


# --- Real small files, built here -------------------------------------------------------------
def make_pdf(text: str = "Hello Jizzax") -> bytes:
    """A one-page PDF with ``text`` in Helvetica, with a correct cross-reference table."""
    content = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_of(objects)


def make_encrypted_pdf(*, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_png(trailer: bytes = b"") -> bytes:
    """A valid 1x1 PNG; ``trailer`` after IEND makes its bytes (and hash) unique."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
        + trailer
    )


def make_zip(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in entries:
            # ODF asks for "mimetype" first and uncompressed; the rest may be deflated.
            compress = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            package.writestr(name, data, compress_type=compress)
    return out.getvalue()


def content_types(main: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/>'
        "</Types>"
    ).encode()


def make_docx(*, main: str = f"{DOCX}.main+xml", padding: bytes = b"") -> bytes:
    entries = [("[Content_Types].xml", content_types(main))]
    if padding:
        # Pushes the package's index far past the first 8 KiB.
        entries.insert(0, ("docProps/thumbnail.bin", padding))
    entries += [("_rels/.rels", b"<Relationships/>"), ("word/document.xml", b"<w:document/>")]
    return make_zip(entries)


def make_odf(mimetype: str) -> bytes:
    return make_zip([("mimetype", mimetype.encode()), ("content.xml", b"<office:document/>")])


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_name(content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    return f"edms/{digest[:2]}/{digest[2:4]}/{digest}"


def unique() -> bytes:
    return os.urandom(16)


# --- Fixtures ---------------------------------------------------------------------------------
@pytest.fixture
def registrar() -> User:
    return get_user_model().objects.get(username="jizzakh-city.registrar")


@pytest.fixture
def document(registrar: User) -> Document:
    return document_register(
        journal=Journal.objects.get(office__code="jizzakh-city", kind=Journal.Kind.INCOMING),
        kind=Document.Kind.INCOMING,
        title="Suv taʼminoti haqida",
        channel=Document.Channel.PAPER,
        by=registrar,
        on=date(2026, 3, 2),
    )


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def refused(document: Document, by: User, name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        attachment_add(document=document, by=by, upload=upload(name, content))
    # Nothing half-written: no row, no file.
    assert not Attachment.objects.filter(document=document).exists()
    assert not default_storage.exists(stored_name(content))
    return error.value


# --- Sniffing ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (make_pdf(), "application/pdf"),
        (make_png(), "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", "image/jpeg"),
        (b"II*\x00\x08\x00\x00\x00" + b"\x00" * 32, "image/tiff"),
        (make_docx(), DOCX),
        (make_docx(main=f"{XLSX}.main+xml"), XLSX),
        (make_odf(ODT), ODT),
        (make_odf(ODS), ODS),
        (make_zip([("readme.txt", b"hi")]), "application/zip"),
        (
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
            "application/x-msdownload",
        ),
        (b"just some text", None),
    ],
)
def test_the_type_comes_from_the_content_not_the_name(content: bytes, expected: str | None) -> None:
    assert sniff_content_type(content[:8192], "scan.pdf") == expected


def test_office_packages_are_told_apart_by_looking_inside_the_whole_zip() -> None:
    big = make_docx(padding=os.urandom(40_000))
    # The head alone shows only a ZIP; the archive shows a Word document.
    assert sniff_content_type(big[:8192], "letter.docx") == "application/zip"
    assert sniff_content_type(big[:8192], "letter.docx", archive=io.BytesIO(big)) == DOCX


def test_macro_enabled_and_broken_office_files_are_not_office_documents() -> None:
    docm = make_docx(main="application/vnd.ms-word.document.macroEnabled.main+xml")
    assert sniff_content_type(docm, "letter.docx") not in {DOCX, XLSX}
    with_vba = make_zip(
        [
            ("[Content_Types].xml", content_types(f"{DOCX}.main+xml")),
            ("word/document.xml", b"<w:document/>"),
            ("word/vbaProject.bin", b"\x00" * 10),
        ]
    )
    assert sniff_content_type(with_vba, "letter.docx") != DOCX
    truncated = make_docx()[:-30]
    assert sniff_content_type(truncated, "letter.docx") == "application/zip"


# --- Adding files -----------------------------------------------------------------------------
def test_a_pdf_is_stored_by_hash_with_its_text(document: Document, registrar: User) -> None:
    content = make_pdf(f"Hello Jizzax {unique().hex()}")
    version = attachment_add(
        document=document, by=registrar, upload=upload("xat.pdf", content), title="Asosiy xat"
    )
    assert version.number == 1
    assert version.content_type == "application/pdf"
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.size == len(content)
    assert version.original_name == "xat.pdf"
    assert version.uploaded_by == registrar
    assert "Hello Jizzax" in version.text
    assert version.file.name == stored_name(content)
    with default_storage.open(version.file.name) as stored:
        assert stored.read() == content
    attachment = version.attachment
    assert (attachment.document, attachment.title, attachment.role) == (
        document,
        "Asosiy xat",
        Attachment.Role.ANNEX,
    )


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("rasm.png", make_png, "image/png"),
        ("hisobot.docx", make_docx, DOCX),
        ("jadval.ods", lambda: make_odf(ODS), ODS),
    ],
)
def test_images_and_office_documents_are_accepted(
    document: Document, registrar: User, name: str, make: Any, expected: str
) -> None:
    version = attachment_add(document=document, by=registrar, upload=upload(name, make()))
    assert version.content_type == expected
    assert version.text == ""
    assert version.attachment.title == name


def test_a_large_office_document_uploaded_to_disk_is_recognised(
    document: Document, registrar: User
) -> None:
    content = make_docx(padding=os.urandom(300_000))
    with TemporaryUploadedFile("big.docx", "application/zip", len(content), None) as temporary:
        temporary.write(content)
        temporary.seek(0)
        version = attachment_add(document=document, by=registrar, upload=temporary)
    assert version.content_type == DOCX
    assert version.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, id="an .exe"),
        pytest.param(b"%!PS-Adobe-3.0\n%%Title: not a pdf\n", id="PostScript"),
        pytest.param(make_zip([("evil.exe", b"MZ")]), id="a ZIP"),
        pytest.param(
            make_docx(main="application/vnd.ms-word.document.macroEnabled.main+xml"),
            id="a macro-enabled Word file",
        ),
    ],
)
def test_content_that_is_not_an_allowed_type_is_refused_whatever_its_name(
    document: Document, registrar: User, content: bytes
) -> None:
    error = refused(document, registrar, "buyruq.pdf", content + unique())
    assert error.code == "type"
    assert error.messages == [
        "The file “buyruq.pdf” is not an allowed type "
        "(PDF, JPEG, PNG, TIFF, Word, Excel, OpenDocument)."
    ]


def test_a_name_that_claims_another_type_is_refused(document: Document, registrar: User) -> None:
    error = refused(document, registrar, "buyruq.pdf", make_png(unique()))
    assert error.code == "name_mismatch"
    assert error.messages == [
        "The name “buyruq.pdf” does not fit the file's content, which is a PNG image. "
        "Check that this is the file you meant, or correct its name."
    ]
    assert refused(document, registrar, "rasm.jpg", make_png(unique())).code == "name_mismatch"


@pytest.mark.parametrize(
    ("given", "kept"),
    [("skan", "skan.png"), ("Buyruq 12.03", "Buyruq 12.03.png"), ("RASM.PNG", "RASM.PNG")],
)
def test_a_name_without_the_types_extension_gets_it(
    document: Document, registrar: User, given: str, kept: str
) -> None:
    version = attachment_add(
        document=document, by=registrar, upload=upload(given, make_png(unique()))
    )
    assert version.original_name == kept


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit(
    document: Document, registrar: User, settings: Any
) -> None:
    settings.EDMS_ATTACHMENT_MAX_BYTES = 1024
    content = make_pdf("x" * 2000)
    error = refused(document, registrar, "katta.pdf", content)
    assert error.code == "too_large"
    message = error.messages[0].replace("\xa0", " ")
    assert message == f"The file “katta.pdf” is {len(content) / 1024:.1f} KB; the limit is 1.0 KB."


def test_a_declared_size_that_lies_does_not_get_past_the_limit(
    document: Document, registrar: User, settings: Any
) -> None:
    settings.EDMS_ATTACHMENT_MAX_BYTES = 1024
    lying = upload("kichik.png", make_png(b"\x00" * 5000 + unique()))
    lying.size = 10
    with pytest.raises(ValidationError, match="the limit is"):
        attachment_add(document=document, by=registrar, upload=lying)
    assert not Attachment.objects.filter(document=document).exists()


def test_an_empty_file_is_refused(document: Document, registrar: User) -> None:
    error = refused(document, registrar, "bosh.pdf", b"")
    assert error.messages == ["The file “bosh.pdf” is empty."]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"%PDF-1.4 garbage", id="garbage after the header"),
        pytest.param(make_pdf()[:200], id="truncated"),
        pytest.param(make_encrypted_pdf(user_password="maxfiy"), id="needs a password"),
    ],
)
def test_a_pdf_that_cannot_be_opened_is_refused_with_a_clear_message(
    document: Document, registrar: User, content: bytes
) -> None:
    error = refused(document, registrar, "skan.pdf", content)
    assert error.code == "pdf_unreadable"
    assert error.messages == [
        "The PDF “skan.pdf” cannot be read: it is damaged or password-protected."
    ]


def test_a_pdf_protected_only_against_editing_is_accepted_with_its_text(
    document: Document, registrar: User
) -> None:
    content = make_encrypted_pdf(user_password="")
    version = attachment_add(document=document, by=registrar, upload=upload("q.pdf", content))
    assert "Hello Jizzax" in version.text


def test_extracted_text_is_bounded(document: Document, registrar: User, settings: Any) -> None:
    settings.EDMS_ATTACHMENT_TEXT_MAX_CHARS = 5
    content = make_pdf(f"Hello Jizzax {unique().hex()}")
    version = attachment_add(document=document, by=registrar, upload=upload("a.pdf", content))
    assert version.text == "Hello"


def test_sizes_in_messages_speak_the_users_language(
    document: Document, registrar: User, settings: Any
) -> None:
    settings.EDMS_ATTACHMENT_MAX_BYTES = 1024
    with translation.override("ru"), pytest.raises(ValidationError) as error:
        attachment_add(
            document=document, by=registrar, upload=upload("a.pdf", make_pdf("x" * 2000))
        )
    assert "КБ" in error.value.messages[0]


# --- Names ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\Dilnoza\\Desktop\\ariza.pdf", "ariza.pdf"),
        ("xat\x00\r\n.pdf", "xat.pdf"),
        ("hisobot\u202efdp.exe", "hisobotfdp.exe"),
        ("  Oʻzbekiston   2026 .pdf  ", "Oʻzbekiston 2026 .pdf"),
        ("..", "file"),
        ("", "file"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_file_names_are_cleaned(given: str, kept: str) -> None:
    assert clean_file_name(given) == kept


def test_the_uploaded_name_is_kept_only_as_its_clean_base_name(
    document: Document, registrar: User
) -> None:
    content = make_pdf(f"Hello {unique().hex()}")
    version = attachment_add(
        document=document, by=registrar, upload=upload("../../etc/passwd.pdf", content)
    )
    assert version.original_name == "passwd.pdf"
    assert "passwd" not in version.file.name


# --- Versions ---------------------------------------------------------------------------------
def test_versions_are_numbered_and_the_old_ones_kept(document: Document, registrar: User) -> None:
    contents = [make_pdf(f"Tahrir {n} {unique().hex()}") for n in (1, 2, 3)]
    first = attachment_add(
        document=document, by=registrar, upload=upload("loyiha.pdf", contents[0])
    )
    attachment = first.attachment
    later = [
        attachment_add_version(attachment=attachment, by=registrar, upload=upload("loyiha.pdf", c))
        for c in contents[1:]
    ]
    versions = list(attachment.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions == [first, *later]
    assert len({v.sha256 for v in versions}) == 3
    for version, content in zip(versions, contents, strict=True):
        assert version.sha256 == hashlib.sha256(content).hexdigest()
        with default_storage.open(version.file.name) as stored:
            assert stored.read() == content
        assert f"Tahrir {version.number}" in version.text
    assert attachment.current_version() == versions[-1]


def test_a_refused_version_changes_nothing(document: Document, registrar: User) -> None:
    first = attachment_add(
        document=document, by=registrar, upload=upload("rasm.png", make_png(unique()))
    )
    with pytest.raises(ValidationError):
        attachment_add_version(
            attachment=first.attachment, by=registrar, upload=upload("rasm.png", b"MZ" + unique())
        )
    assert list(first.attachment.versions.all()) == [first]


# --- Audit and all-or-nothing ---------------------------------------------------------------------
def test_each_upload_is_audited(document: Document, registrar: User) -> None:
    content = make_png(unique())
    first = attachment_add(document=document, by=registrar, upload=upload("r.png", content))
    second = attachment_add_version(
        attachment=first.attachment, by=registrar, upload=upload("r.png", make_png(unique()))
    )
    for version in (first, second):
        (event,) = audit_history(version)
        assert event.action == Action.ATTACHMENT_UPLOAD
        assert event.actor_name == "jizzakh-city.registrar"
        assert event.office_code == "jizzakh-city"
        assert event.details["sha256"] == version.sha256
        assert event.details["version"] == version.number
        assert event.details["document"] == document.reg_number
        assert event.details["name"] == "r.png"


def test_a_failed_database_write_removes_the_stored_file(
    document: Document, registrar: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def audit_down(**kwargs: Any) -> None:
        raise RuntimeError("audit chain unavailable")

    monkeypatch.setattr(attachments, "audit_record", audit_down)
    content = make_png(unique())
    with pytest.raises(RuntimeError, match="audit chain unavailable"):
        attachment_add(document=document, by=registrar, upload=upload("r.png", content))
    assert not Attachment.objects.filter(document=document).exists()
    assert not AttachmentVersion.objects.filter(sha256=hashlib.sha256(content).hexdigest()).exists()
    assert not default_storage.exists(stored_name(content))


def test_a_failed_upload_keeps_a_file_that_another_version_uses(
    document: Document, registrar: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = make_png(unique())
    kept = attachment_add(document=document, by=registrar, upload=upload("r.png", content))

    def audit_down(**kwargs: Any) -> None:
        raise RuntimeError("audit chain unavailable")

    monkeypatch.setattr(attachments, "audit_record", audit_down)
    with pytest.raises(RuntimeError):
        attachment_add(document=document, by=registrar, upload=upload("copy.png", content))
    # The same bytes are stored once, and the earlier version's file is still there.
    assert kept.file.name == stored_name(content)
    assert default_storage.exists(kept.file.name)
    assert Attachment.objects.filter(document=document).count() == 1

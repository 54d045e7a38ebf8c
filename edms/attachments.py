"""Adding files to documents: checked, hashed, stored by hash, versioned and audited.

``attachment_add`` puts a new file on a document (version 1); ``attachment_add_version`` adds
version N+1 to an attachment and keeps the old ones. Both refuse, with a message the uploader
can act on, a file that is empty, over ``EDMS_ATTACHMENT_MAX_BYTES``, of a type whose content
is not one of ``EDMS_ATTACHMENT_TYPES`` (the name and the browser's content type are never
trusted), or a PDF that cannot be opened without a password or at all. Whatever reads the
content goes through ``core.filesafety``: a file built to exhaust a parser (deep nesting, loops,
compression bombs, huge images, odd ZIPs) is refused with its message. PDFs give their text
(bounded, in ``FILES_PDF_TEXT_SECONDS`` at most) for search.

The file is written to the default storage under a name derived from its SHA-256 before the
database rows, and removed again if the rows cannot be written, so a failure leaves neither a
row without a file nor a new file without a row. (If a caller's own outer transaction rolls
back later, the content-addressed file stays unreferenced: harmless, and found by an orphan
sweep.)

Who may add files is not decided here: callers (views, API) ask ``edms.access`` first.
"""

import hashlib
import io
import logging
import re
import struct
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.http.response import HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from pypdf import PasswordType, PdfReader
from pypdf.errors import LimitReachedError

from core import filesafety
from core.filesafety import FileRefused
from edms.audit import Action, audit_record
from edms.downloads import file_response
from edms.models import AssignmentReport, Attachment, AttachmentVersion, Document
from edms.models.attachments import version_upload_to

logger = logging.getLogger(__name__)

PDF = "application/pdf"
ZIP = "application/zip"
# What the sniffers read: filetype looks at no more than the first 8 KiB.
HEAD_BYTES = 8192
HASH_CHUNK_BYTES = 64 * 1024
# A PDF's text is taken from this many pages at most (and EDMS_ATTACHMENT_TEXT_MAX_CHARS).
TEXT_MAX_PAGES = 500
ZIP_MEMBER_MAX_BYTES = 256 * 1024
NAME_MAX_LENGTH = AttachmentVersion._meta.get_field("original_name").max_length or 255

# The file name endings each allowed type goes by, the first one given to names without one.
_EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/png": (".png",),
    "image/tiff": (".tif", ".tiff"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
}
# What each allowed type is called in messages.
_KINDS = {
    PDF: _("a PDF document"),
    "image/jpeg": _("a JPEG image"),
    "image/png": _("a PNG image"),
    "image/tiff": _("a TIFF image"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _("a Word document"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _("an Excel workbook"),
    "application/vnd.oasis.opendocument.text": _("an OpenDocument text"),
    "application/vnd.oasis.opendocument.spreadsheet": _("an OpenDocument spreadsheet"),
}
IMAGES = {"image/jpeg", "image/png", "image/tiff"}

TOO_LARGE = _("The file “%(name)s” is %(size)s; the limit is %(limit)s.")
NOT_ALLOWED = _(
    "The file “%(name)s” is not an allowed type (PDF, JPEG, PNG, TIFF, Word, Excel, OpenDocument)."
)
NAME_MISMATCH = _(
    "The name “%(name)s” does not fit the file's content, which is %(kind)s. "
    "Check that this is the file you meant, or correct its name."
)
EMPTY = _("The file “%(name)s” is empty.")
PDF_UNREADABLE = _("The PDF “%(name)s” cannot be read: it is damaged or password-protected.")
REPORT_ELSEWHERE = _("The report belongs to another document.")


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, with what was learnt from its content."""

    name: str
    size: int
    content_type: str
    sha256: str
    text: str


def attachment_add(
    *,
    document: Document,
    by: User | None,
    upload: UploadedFile,
    title: str = "",
    role: str = Attachment.Role.ANNEX,
    report: AssignmentReport | None = None,
) -> AttachmentVersion:
    """A new file on the document: an attachment with its version 1, audited."""
    if role not in Attachment.Role.values:
        raise ValueError(f"unknown attachment role {role!r}")
    if report is not None and report.assignment.document_id != document.pk:
        raise ValidationError(REPORT_ELSEWHERE, code="report_elsewhere")
    checked = upload_check(upload=upload)
    with _file_stored(checked=checked, upload=upload) as stored_name, transaction.atomic():
        attachment = Attachment.objects.create(
            document=document,
            role=role,
            title=title.strip()[:255] or checked.name,
            report=report,
        )
        return _version_create(
            attachment=attachment,
            document=document,
            number=1,
            by=by,
            checked=checked,
            stored_name=stored_name,
        )


def attachment_add_version(
    *, attachment: Attachment, by: User | None, upload: UploadedFile
) -> AttachmentVersion:
    """The attachment's next version (N+1), numbered under a lock; earlier versions stay."""
    checked = upload_check(upload=upload)
    with _file_stored(checked=checked, upload=upload) as stored_name, transaction.atomic():
        locked = Attachment.objects.select_for_update().get(pk=attachment.pk)
        last = locked.versions.aggregate(last=Max("number"))["last"] or 0
        return _version_create(
            attachment=locked,
            document=locked.document,
            number=last + 1,
            by=by,
            checked=checked,
            stored_name=stored_name,
        )


def upload_check(*, upload: UploadedFile) -> CheckedFile:
    """The upload's clean name, size, sniffed type, hash and text, or a ValidationError."""
    name = clean_file_name(upload.name or "")
    limit: int = settings.EDMS_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise _too_large(name, upload.size, limit)
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    if not head:
        raise ValidationError(EMPTY, code="empty", params={"name": name})
    try:
        if head.startswith(b"PK\x03\x04"):
            # Before looking inside for the type: the index, names and sizes of every part.
            filesafety.zip_check(upload)
        content_type = sniff_content_type(head, name, archive=upload)
    except FileRefused as refused:
        raise refused.validation_error(name) from None
    if content_type not in settings.EDMS_ATTACHMENT_TYPES:
        raise ValidationError(NOT_ALLOWED, code="type", params={"name": name})
    name = _name_for_content(name, content_type)

    # One streaming pass: the hash and the true size (the declared size is the client's word).
    digest, size = hashlib.sha256(), 0
    for chunk in upload.chunks(HASH_CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise _too_large(name, size, limit)
        digest.update(chunk)

    text = ""
    if content_type == PDF:
        text = pdf_text(upload=upload, name=name)
    elif content_type in IMAGES:
        try:
            filesafety.image_check(upload)
        except FileRefused as refused:
            raise refused.validation_error(name) from None
    return CheckedFile(
        name=name, size=size, content_type=content_type, sha256=digest.hexdigest(), text=text
    )


def _too_large(name: str, size: int, limit: int) -> ValidationError:
    return ValidationError(
        TOO_LARGE,
        code="too_large",
        params={"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
    )


def clean_file_name(name: str) -> str:
    """The name to show for an upload: its base name, without control characters, capped."""
    name = unicodedata.normalize("NFC", name)
    # Some browsers send the whole client path, with either separator.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Control and format characters (NUL, newlines, right-to-left overrides that make
    # "fdp.exe" read as "exe.pdf") and lone surrogates, which no database stores.
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs"})
    name = " ".join(name.split()).strip(" .")
    if not name:
        return "file"
    if len(name) <= NAME_MAX_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= 16:
        return f"{stem[: NAME_MAX_LENGTH - len(extension) - 1].rstrip(' .')}.{extension}"
    return name[:NAME_MAX_LENGTH]


def _name_for_content(name: str, content_type: str) -> str:
    """The name, if its extension fits the content; a name without one gets the right one.

    A name that claims another type ("scan.pdf" holding a PNG, "photo.jpg" holding a PDF) is
    refused: downloaded under that name it would not open, and it is how files are disguised.
    """
    extensions = _EXTENSIONS.get(content_type, ())
    if not extensions:  # a type added in the settings that this module has no names for
        return name
    stem, dot, extension = name.rpartition(".")
    extension = f".{extension.lower()}"
    if dot and stem and extension in extensions:
        return name
    # "scan.exe", "photo.jpg" claim a type; "Buyruq 12.03" and "scan" do not.
    if dot and stem and re.fullmatch(r"\.[a-z0-9]{1,5}", extension) and not extension[1:].isdigit():
        raise ValidationError(
            NAME_MISMATCH,
            code="name_mismatch",
            params={"name": name, "kind": _KINDS.get(content_type, content_type)},
        )
    return clean_file_name(f"{name}{extensions[0]}")


def sniff_content_type(head: bytes, name: str, *, archive: IO[bytes] | None = None) -> str | None:
    """The MIME type the content's bytes show, or None; ``name`` is only logged, never used.

    ``head`` is the start of the file (8 KiB is enough). A ZIP-based office document is told
    apart by looking inside the archive, which needs the whole file as ``archive`` (a seekable
    binary file); without it only a ``head`` that holds the whole file can be looked into.
    """
    if head.startswith(b"PK\x03\x04"):
        source = archive if archive is not None else io.BytesIO(head)
        content_type: str | None = _zip_package_type(source)
    else:
        kind = filetype.guess(head)
        content_type = str(kind.mime) if kind is not None else None
    if content_type is not None and not name.lower().endswith(_EXTENSIONS.get(content_type, ())):
        logger.info("Upload %r has content of type %s", name, content_type)
    return content_type


_CONTENT_TYPE_ATTRIBUTE = re.compile(rb"""ContentType\s*=\s*["']([^"']{1,200})["']""")


def _zip_package_type(archive: IO[bytes]) -> str:
    """The office format a ZIP holds, read from its index and one small member; else ZIP.

    Nothing is extracted: only the central directory and at most ``ZIP_MEMBER_MAX_BYTES`` of
    ``mimetype`` (OpenDocument) or ``[Content_Types].xml`` (Office Open XML) are read.
    """
    try:
        entries = filesafety.zip_entry_count(archive)
        if entries is None or entries > settings.FILES_ZIP_MAX_ENTRIES:
            return ZIP
        archive.seek(0)
        with zipfile.ZipFile(archive) as package:
            names = set(package.namelist())
            if "mimetype" in names:
                declared = _zip_member_head(package, "mimetype").decode("ascii", "replace")
                declared = declared.strip().lower()
                if declared.startswith("application/vnd.oasis.opendocument."):
                    return declared
                return ZIP
            if "[Content_Types].xml" in names:
                if any(name.lower().endswith("vbaproject.bin") for name in names):
                    # Macros, whatever the main part claims.
                    return "application/vnd.ms-office.vbaproject"
                return _ooxml_type(_zip_member_head(package, "[Content_Types].xml"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError) as error:
        # Damaged, encrypted or oddly compressed: not an office document we can accept.
        logger.info("ZIP upload not readable as an office document: %s", error)
    except (EOFError, OSError, ValueError, zlib.error, struct.error) as error:
        logger.info("ZIP upload not readable as an office document: %s", error)
    return ZIP


def _zip_member_head(package: zipfile.ZipFile, member: str) -> bytes:
    with package.open(member) as stream:
        data = stream.read(ZIP_MEMBER_MAX_BYTES + 1)
    return b"" if len(data) > ZIP_MEMBER_MAX_BYTES else data


def _ooxml_type(content_types: bytes) -> str:
    """The package's type: its main part's content type less ``.main+xml``.

    That gives the docx and xlsx types exactly, and for macro-enabled or template packages a
    type of their own (``application/vnd.ms-word.document.macroenabled`` ...) that is not
    allowed.
    """
    mains = {
        value.decode("ascii", "replace").lower().removesuffix(".main+xml")
        for value in _CONTENT_TYPE_ATTRIBUTE.findall(content_types)
        if value.lower().endswith(b".main+xml")
    }
    return mains.pop() if len(mains) == 1 else ZIP


def pdf_text(*, upload: IO[bytes], name: str) -> str:
    """The PDF's text, bounded, for search; a PDF that cannot be opened is a ValidationError.

    A PDF protected only against editing (an owner password) opens in every reader and is
    accepted; one that needs a password to open is refused, as is one pypdf cannot parse and
    one ``core.filesafety`` refuses (then with its own message). Text is taken for at most
    ``FILES_PDF_TEXT_SECONDS``: the file of a slower one is kept, searchable by what was taken.
    """
    upload.seek(0)
    data = upload.read()
    try:
        with filesafety.guarded():
            # Not strict: scanners and office suites write slightly broken cross-reference
            # tables that every reader tolerates.
            reader = filesafety.pdf_open(data)
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                raise ValueError("needs a password to open")
            page_count = filesafety.pdf_page_count(reader)
            if page_count == 0:
                raise ValueError("has no pages")
            return _pages_text(reader, page_count, name)
    except FileRefused as refused:
        logger.info("PDF upload %r refused: %s", name, refused.code)
        raise refused.validation_error(name) from None
    except Exception as error:  # pypdf raises many kinds of error on a damaged file
        logger.info("PDF upload %r refused: %s: %s", name, type(error).__name__, error)
        raise ValidationError(
            PDF_UNREADABLE, code="pdf_unreadable", params={"name": name}
        ) from None


def _pages_text(reader: PdfReader, page_count: int, name: str) -> str:
    """The text of the first pages, up to ``EDMS_ATTACHMENT_TEXT_MAX_CHARS`` and the time
    limit. A page whose text cannot be taken costs its text, not the upload, unless it is
    built against the parser (too deep, a bomb): that reaches ``filesafety.guarded``."""
    max_chars: int = settings.EDMS_ATTACHMENT_TEXT_MAX_CHARS
    deadline = time.monotonic() + settings.FILES_PDF_TEXT_SECONDS
    parts: list[str] = []
    collected = 0
    for index in range(min(page_count, TEXT_MAX_PAGES)):
        if time.monotonic() >= deadline:
            logger.info("PDF upload %r: text taken from %d pages only, out of time", name, index)
            break
        try:
            page_text = reader.pages[index].extract_text()
        except (FileRefused, RecursionError, MemoryError, LimitReachedError):
            raise
        except Exception as error:  # one bad page costs its text, not the upload
            logger.info("PDF upload %r: no text from page %d: %s", name, index + 1, error)
            continue
        parts.append(page_text)
        collected += len(page_text)
        if collected >= max_chars:
            break
    # PostgreSQL text cannot hold NUL, which some PDF fonts map characters to.
    return "\n".join(parts)[:max_chars].replace("\x00", "")


@contextmanager
def _file_stored(*, checked: CheckedFile, upload: UploadedFile) -> Iterator[str]:
    """The file in storage under its hash name for the block; removed if the block fails.

    The same bytes are stored once: an existing file of that hash is reused, and then never
    removed here.
    """
    name = version_upload_to(AttachmentVersion(sha256=checked.sha256), checked.name)
    created = False
    if not default_storage.exists(name):
        upload.seek(0)
        saved = default_storage.save(name, upload, max_length=255)
        if saved == name:
            created = True
        else:
            # A parallel upload of the same bytes stored it first: keep that one.
            default_storage.delete(saved)
    try:
        yield name
    except BaseException:
        if created:
            _delete_unless_referenced(name)
        raise


def _delete_unless_referenced(name: str) -> None:
    try:
        referenced = AttachmentVersion.objects.filter(file=name).exists()
    except DatabaseError:
        # Cannot tell: an orphan file is harmless, a version without its file is not.
        logger.warning("Could not check whether stored file %s is in use; kept", name)
        return
    if not referenced:
        default_storage.delete(name)


def _version_create(
    *,
    attachment: Attachment,
    document: Document,
    number: int,
    by: User | None,
    checked: CheckedFile,
    stored_name: str,
) -> AttachmentVersion:
    version = AttachmentVersion(
        attachment=attachment,
        number=number,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        text=checked.text,
        uploaded_by=by,
    )
    version.file.name = stored_name
    version.save()
    audit_record(
        actor=by,
        action=Action.ATTACHMENT_UPLOAD,
        obj=version,
        office_code=document.office.code,
        details={
            "document": document.reg_number,
            "attachment": attachment.pk,
            "role": attachment.role,
            "version": number,
            "name": checked.name,
            "content_type": checked.content_type,
            "size": checked.size,
            "sha256": checked.sha256,
        },
    )
    return version


def version_file_response(version: AttachmentVersion) -> HttpResponseBase:
    """A stored version as a download under its own name (``edms.downloads``: streamed, or
    handed to nginx); the browser is told not to sniff."""
    return file_response(
        version.file, filename=version.original_name, content_type=version.content_type
    )

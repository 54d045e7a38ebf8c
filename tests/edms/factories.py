"""Small builders for e-document tests: users by demo name, registered documents."""

import io
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from pypdf import PdfWriter

from edms.models import Document, Journal
from edms.registration import document_register


def user(username: str) -> User:
    found: User = get_user_model().objects.get(username=username)
    return found


def registered(
    office: str = "jizzakh-city",
    *,
    kind: str = Journal.Kind.INCOMING,
    title: str = "Ichimlik suvi taʼminoti haqida",
    confidential: bool = False,
    on: date | None = None,
    by: str | None = None,
) -> Document:
    """A document registered by the office's registrar in its journal of ``kind``."""
    journal = Journal.objects.get(office__code=office, kind=kind)
    document_kind = {
        Journal.Kind.INCOMING: Document.Kind.INCOMING,
        Journal.Kind.OUTGOING: Document.Kind.OUTGOING,
        Journal.Kind.INTERNAL: Document.Kind.INTERNAL,
        Journal.Kind.APPLICATIONS: Document.Kind.APPLICATION,
    }[Journal.Kind(kind)]
    return document_register(
        journal=journal,
        kind=document_kind,
        title=title,
        channel=Document.Channel.CREATED
        if kind == Journal.Kind.OUTGOING
        else Document.Channel.PAPER,
        by=user(by or f"{office}.registrar"),
        is_confidential=confidential,
        on=on,
    )


def blank_pdf(width: float = 595, height: float = 842) -> bytes:
    """A valid one-page PDF (A4 unless told otherwise) with nothing on it."""
    writer = PdfWriter()
    writer.add_blank_page(width=width, height=height)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_of(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (object 1 is the catalogue) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(out)

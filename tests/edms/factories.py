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

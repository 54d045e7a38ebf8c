"""Exchange between offices, and dispatch to addressees outside the system."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from edms.access import can_view_document, documents_visible_to
from edms.audit import audit_history
from edms.exchange import dispatch_register, dispatch_return, document_dispatch, pending_dispatches
from edms.models import Dispatch, Document, Journal, Office
from tests.edms.factories import registered, user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The messages are asserted in English; the Uzbek ones are tested with the workspace.
    with translation.override("en"):
        yield


def outgoing_to_namangan() -> tuple[Document, Dispatch]:
    document = registered("jizzakh-city", kind=Journal.Kind.OUTGOING, title="Hamkorlik haqida")
    dispatch = document_dispatch(
        document=document,
        by=user("jizzakh-city.registrar"),
        channel=Dispatch.Channel.SYSTEM,
        recipient_office=Office.objects.get(code="namangan-city"),
    )
    return document, dispatch


def test_sent_document_arrives_pending_and_is_registered_with_their_own_number() -> None:
    document, dispatch = outgoing_to_namangan()
    namangan = Office.objects.get(code="namangan-city")
    assert dispatch.pk in [d.pk for d in pending_dispatches(office=namangan)]
    assert can_view_document(user("namangan-city.registrar"), document)

    theirs = dispatch_register(dispatch=dispatch, by=user("namangan-city.registrar"))

    dispatch.refresh_from_db()
    assert dispatch.status == Dispatch.Status.REGISTERED
    assert dispatch.registered_document == theirs
    assert theirs.office == namangan
    assert theirs.reg_number.startswith("K-")
    assert theirs.correspondent_office == document.office
    assert document in theirs.related.all()
    assert dispatch.pk not in [d.pk for d in pending_dispatches(office=namangan)]
    # The sender sees the recipient's number in its history.
    details = [e.details for e in audit_history(document) if e.action == "exchange_register"]
    assert details[0]["registered_as"] == theirs.reg_number


def test_returned_with_a_reason() -> None:
    _document, dispatch = outgoing_to_namangan()
    with pytest.raises(ValidationError, match="Say why"):
        dispatch_return(dispatch=dispatch, by=user("namangan-city.registrar"), reason="  ")
    dispatch_return(dispatch=dispatch, by=user("namangan-city.registrar"), reason="Ilova yoʻq")
    dispatch.refresh_from_db()
    assert (dispatch.status, dispatch.return_reason) == (Dispatch.Status.RETURNED, "Ilova yoʻq")
    with pytest.raises(ValidationError, match="already handled"):
        dispatch_register(dispatch=dispatch, by=user("namangan-city.registrar"))


def test_only_the_recipients_chancellery_handles_it() -> None:
    _document, dispatch = outgoing_to_namangan()
    before = Document.objects.count()
    for outsider in ("namangan-city.executor", "jizzakh-city.registrar"):
        with pytest.raises(PermissionDenied):
            dispatch_register(dispatch=dispatch, by=user(outsider))
    assert Document.objects.count() == before


def test_the_addressed_office_sees_the_sent_document_and_nothing_else() -> None:
    document, _dispatch = outgoing_to_namangan()
    namangan_executor = user("namangan-city.executor")
    assert document in documents_visible_to(namangan_executor)
    assert not can_view_document(namangan_executor, registered("jizzakh-city"))


def test_sending_rules() -> None:
    document = registered("jizzakh-city", kind=Journal.Kind.OUTGOING)
    registrar = user("jizzakh-city.registrar")
    with pytest.raises(ValidationError, match="own office"):
        document_dispatch(
            document=document,
            by=registrar,
            channel=Dispatch.Channel.SYSTEM,
            recipient_office=document.office,
        )
    with pytest.raises(PermissionDenied):
        document_dispatch(
            document=document,
            by=user("jizzakh-city.executor"),
            channel=Dispatch.Channel.SYSTEM,
            recipient_office=Office.objects.get(code="zomin"),
        )
    with pytest.raises(ValidationError, match="e-mail"):
        document_dispatch(document=document, by=registrar, channel=Dispatch.Channel.EMAIL)
    assert document.dispatches.count() == 0


def test_an_addressee_outside_the_system_gets_an_email(
    django_capture_on_commit_callbacks: Any,
) -> None:
    document = registered("jizzakh-city", kind=Journal.Kind.OUTGOING, title="Javob xati")
    with django_capture_on_commit_callbacks(execute=True):
        dispatch = document_dispatch(
            document=document,
            by=user("jizzakh-city.registrar"),
            channel=Dispatch.Channel.EMAIL,
            recipient_name="Suvoqova MChJ",
            recipient_email="info@suv.example",
        )
    assert dispatch.status == Dispatch.Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["info@suv.example"]
    assert document.reg_number in mail.outbox[0].subject

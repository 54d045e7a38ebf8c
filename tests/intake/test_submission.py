"""From submission to document: one transaction, routed, numbered, due in working days."""

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from edms.audit import audit_history
from edms.calendar import add_working_days
from edms.models import Document, Journal, JournalCounter, Office
from intake.models import Application, OutboxMessage, RoutingRule, Service
from tests.intake.factories import APPLICANT, pdf, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_an_application_becomes_a_registered_routed_document() -> None:
    application = submit().application
    document = application.document
    office = Office.objects.get(code="jizzakh-city")
    assert document.office == office
    assert document.journal.kind == Journal.Kind.APPLICATIONS
    assert document.kind == Document.Kind.APPLICATION
    assert document.reg_number.startswith("A-")
    assert document.department is not None
    assert document.department.code == "land"
    assert application.department == document.department
    today = timezone.localdate()
    assert application.due_date == document.due_date == add_working_days(today, 30, office=office)
    assert application.status == Application.Status.REGISTERED
    assert [e.status for e in application.events.all()] == ["received", "registered"]
    # The files are the document's, under the field they were given for.
    (stored,) = application.files.all()
    assert stored.field_name == "documents"
    assert stored.version.attachment.document == document
    assert stored.version.attachment.role == "main"
    actions = {e.action for e in audit_history(document)}
    assert {"register", "application"} <= actions
    # Notification and index updates wait in the outbox, keyed so that they happen once.
    keys = set(OutboxMessage.objects.values_list("key", flat=True))
    assert f"application:{application.pk}:registered" in keys
    index = OutboxMessage.objects.filter(kind="index")
    assert index.filter(payload__key=f"document:{document.pk}").count() == 1
    assert index.filter(payload__key=f"application:{application.pk}").count() == 1


def test_the_tracking_code_is_long_random_and_readable() -> None:
    codes = [submit().application.tracking_code for _ in range(5)]
    assert len(set(codes)) == 5
    for code in codes:
        assert len(code) == 16
        assert not set(code) & set("0O1I")


def test_the_same_idempotency_key_gives_the_same_application() -> None:
    first = submit(idempotency_key="abc-123")
    again = submit(idempotency_key="abc-123")
    assert first.created
    assert not again.created
    assert again.application.pk == first.application.pk
    assert Application.objects.filter(idempotency_key="abc-123").count() == 1


def test_a_service_the_office_does_not_offer_is_refused_and_nothing_is_written() -> None:
    service = Service.objects.get(code="land-plot")
    zomin = Office.objects.get(code="zomin")
    service.offices.remove(zomin)
    before = (Document.objects.count(), list(JournalCounter.objects.values_list("last_number")))
    with pytest.raises(ValidationError) as refused:
        submit(office="zomin")
    assert "does not offer" in refused.value.messages[0]
    after = (Document.objects.count(), list(JournalCounter.objects.values_list("last_number")))
    assert after == before


def test_a_refused_file_leaves_no_application_and_no_number() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = (Application.objects.count(), Document.objects.count())
    counters = list(JournalCounter.objects.values_list("pk", "last_number"))
    with pytest.raises(ValidationError):
        submit(uploads={"documents": [SimpleUploadedFile("x.pdf", b"MZ\x90\x00" * 64)]})
    assert (Application.objects.count(), Document.objects.count()) == before
    assert list(JournalCounter.objects.values_list("pk", "last_number")) == counters


def test_routing_rules_by_office_by_answer_and_to_another_office() -> None:
    service = Service.objects.get(code="building-permit")
    jizzakh, zomin = Office.objects.get(code="jizzakh-city"), Office.objects.get(code="zomin")
    answers = {"cadastral_number": "12:08:03:01:02:0045", "works": "new"}
    uploads = {"project_sketch": [pdf()]}

    default = submit("building-permit", answers=answers, uploads=uploads).application
    assert default.department is not None
    assert default.department.code == "architecture"

    RoutingRule.objects.create(service=service, office=jizzakh, department_code="legal")
    by_office = submit("building-permit", answers=answers, uploads=uploads).application
    assert by_office.department is not None
    assert by_office.department.code == "legal"

    RoutingRule.objects.create(
        service=service, field_name="works", field_value="Rebuild", target_office=zomin, priority=1
    )
    elsewhere = submit(
        "building-permit", answers={**answers, "works": "rebuild"}, uploads=uploads
    ).application
    assert elsewhere.office == jizzakh
    assert elsewhere.handling_office == zomin
    assert elsewhere.document.office == zomin
    assert elsewhere.document.reg_number.startswith("A-")


def test_the_applicant_is_the_documents_correspondent() -> None:
    document = submit().application.document
    assert document.correspondent_name == APPLICANT.full_name
    assert document.channel == Document.Channel.APPLICATION


def test_someone_elses_idempotency_key_shows_them_nothing() -> None:
    from dataclasses import replace

    first = submit(idempotency_key="shared-key").application
    with pytest.raises(ValidationError) as refused:
        submit(idempotency_key="shared-key", applicant=replace(APPLICANT, pinfl="41203870250019"))
    assert refused.value.code == "idempotency_conflict"
    assert first.tracking_code not in str(refused.value)
    assert Application.objects.filter(idempotency_key="shared-key").count() == 1


def test_the_document_is_indexed_by_the_outbox_after_commit() -> None:
    from intake.outbox import outbox_process
    from search.service import search_for
    from tests.edms.factories import user

    application = submit(
        applicant=APPLICANT.__class__(**{**APPLICANT.__dict__, "full_name": "Qurbonova Zulxumor"})
    ).application
    head = user("jizzakh-city.head")

    def found() -> bool:
        hits = search_for(head, "Zulxumor").hits
        return f"application:{application.pk}" in [hit.key for hit in hits]

    assert not found()  # not inside the registering transaction
    for message in OutboxMessage.objects.filter(kind="index", status="pending"):
        outbox_process(message.pk)
    assert found()

"""Registering a document and writing a letter: the subject, the correspondent and the other
free text keep any script, but not an invisible character that turns text around."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from edms.forms import DocumentRegisterForm, DraftForm
from edms.models import Document, Journal, Office
from tests.edms.factories import user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BIDI = (
    "This holds an invisible character that changes the direction of text (U+202E), which can "
    "make it read differently from what it is. Type it again without it."
)


def register_form(**changes: str) -> DocumentRegisterForm:
    office = Office.objects.get(code="jizzakh-city")
    journal = Journal.objects.get(office=office, kind=Journal.Kind.INCOMING)
    data: dict[str, Any] = {
        "journal": journal.pk,
        "title": "Ichimlik suvi taʼminoti haqida",
        "correspondent_kind": Document.CorrespondentKind.PERSON,
        "correspondent_name": "Karimova Dilnoza",
        "channel": Document.Channel.PAPER,
        **changes,
    }
    return DocumentRegisterForm(data, office=office, user=user("jizzakh-city.registrar"))


@pytest.mark.parametrize("field", ["title", "correspondent_name", "summary"])
def test_registration_refuses_a_direction_override(field: str) -> None:
    form = register_form(**{field: "Karimova \u202eanozliD"})
    assert not form.is_valid()
    assert form.errors == {field: [BIDI]}


def test_registration_keeps_any_script() -> None:
    form = register_form(
        title="Ичимлик суви таъминоти ҳақида", correspondent_name="Тўхтаева Гулноза"
    )
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("field", ["title", "correspondent_name", "body"])
def test_a_letter_refuses_a_direction_override(field: str) -> None:
    data = {"title": "Javob", "body": "Matn", field: "Hurmatli \u202e fuqaro"}
    form = DraftForm(data, is_answer=False)
    assert not form.is_valid()
    assert form.errors[field] == [BIDI]


def test_the_registration_page_shows_the_message_and_registers_nothing(client: Client) -> None:
    client.force_login(user("jizzakh-city.registrar"))
    journal = Journal.objects.get(office__code="jizzakh-city", kind=Journal.Kind.INCOMING)
    before = Document.objects.count()
    response = client.post(
        reverse("edms:register"),
        {
            "journal": journal.pk,
            "title": "Suv \u202etaʼminoti",
            "channel": Document.Channel.PAPER,
        },
    )
    assert response.status_code == 200
    assert "changes the direction of text (U+202E)" in response.content.decode()
    assert Document.objects.count() == before

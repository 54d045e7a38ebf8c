"""Parameters read through forms: a bad one is a message in the user's language, never a 500,
and a refused step changes nothing."""

import pytest
from django.test import Client

from edms.models import Assignment
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_bad_filters_are_ignored_and_said(client: Client) -> None:
    client.cookies["language"] = "uz"
    login(client, "jizzakh-city.registrar")
    response = client.get(
        "/workspace/documents/", {"q": "a\x00b", "page": "99999999999999999999", "kind": "zz"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("filtri hisobga olinmadi") == 3
    # The listing itself, unfiltered: its first page of 25 documents.
    assert (
        html.count('href="/workspace/documents/') - html.count('href="/workspace/documents/new/')
        >= 25
    )


def test_the_control_page_reads_its_numbers_through_the_form(client: Client) -> None:
    client.cookies["language"] = "ru"
    login(client, "jizzakh-city.controller")
    response = client.get("/workspace/control/", {"department": "abc", "executor": "-1"})
    assert response.status_code == 200
    assert response.content.decode().count("не применён") == 2


def test_a_delegation_to_no_one_is_refused_and_changes_nothing(client: Client) -> None:
    client.cookies["language"] = "en"
    assignment = Assignment.objects.filter(
        executor__username="jizzakh-city.executor", status=Assignment.Status.NEW
    ).first()
    assert assignment is not None
    children = Assignment.objects.count()
    login(client, "jizzakh-city.executor")
    response = client.post(
        f"/workspace/assignments/{assignment.pk}/delegate/",
        {"executor": "abc", "deadline": "2026-02-30", "text": "x" * 20_000},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Executor: Enter a whole number." in html
    assert "Deadline: Enter a valid date." in html
    assert "Ensure this value has at most 10000 characters" in html
    assert Assignment.objects.count() == children

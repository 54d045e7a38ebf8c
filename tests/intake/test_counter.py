"""Counter mode: an operator registers a walk-in citizen's application and prints the receipt."""

import pytest
from django.test import Client
from django.urls import reverse

from intake.models import Application
from tests.edms.factories import user
from tests.intake.factories import APPLICANT_POST, LAND_POST, pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_operator_takes_an_application_and_prints_the_receipt(client: Client) -> None:
    client.force_login(user("jizzakh-city.operator"))
    services = client.get(reverse("intake_counter:counter")).content.decode()
    apply_url = reverse("intake_counter:counter_apply", args=["land-plot"])
    assert apply_url in services
    form = client.get(apply_url).content.decode()
    assert 'value="jizzakh-city" selected' in form
    key = form.split('name="submission_key" value="')[1].split('"')[0]
    response = client.post(
        apply_url,
        {
            **APPLICANT_POST,
            **LAND_POST,
            "office": "jizzakh-city",
            "submission_key": key,
            "citizen_language": "ru",
            "documents": [pdf("pasport-skan.pdf")],
        },
    )
    application = Application.objects.get(idempotency_key=f"counter:{key}")
    assert response["Location"] == reverse(
        "intake_counter:counter_done", args=[application.tracking_code]
    )
    assert application.channel == Application.Channel.COUNTER
    assert application.operator == user("jizzakh-city.operator")
    assert application.language == "ru"
    done = client.get(response["Location"]).content.decode()
    assert application.tracking_code_display in done
    assert reverse("intake:receipt", args=[application.tracking_code]) in done


def test_errors_keep_what_the_operator_typed(client: Client) -> None:
    client.force_login(user("jizzakh-city.operator"))
    apply_url = reverse("intake_counter:counter_apply", args=["land-plot"])
    before = Application.objects.count()
    html = client.post(
        apply_url, {**APPLICANT_POST, **LAND_POST, "office": "jizzakh-city", "phone": "123"}
    ).content.decode()
    assert "Enter the phone number as +998 and 9 digits" in html
    assert 'value="Karimova Dilnoza Rustamovna"' in html
    assert Application.objects.count() == before


def test_only_operators_and_registrars_use_the_counter(client: Client) -> None:
    client.force_login(user("jizzakh-city.executor"))
    assert client.get(reverse("intake_counter:counter")).status_code == 403
    apply_url = reverse("intake_counter:counter_apply", args=["land-plot"])
    assert client.post(apply_url, {**APPLICANT_POST}).status_code == 403
    client.logout()
    assert client.get(reverse("intake_counter:counter")).status_code == 302  # to the login

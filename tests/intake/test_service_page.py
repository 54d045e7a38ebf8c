"""The service page: guidance and the form, errors in the page's language, nothing lost."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from intake.models import Application, ServicePage
from tests.intake.factories import APPLICANT_POST, LAND_POST, pdf

pytestmark = pytest.mark.django_db


def land_page(language: str = "uz") -> ServicePage:
    return ServicePage.objects.get(service__code="land-plot", locale__language_code=language)


def test_every_service_has_a_page_with_its_form_in_four_languages(client: Client) -> None:
    for language, label in [
        ("uz", "Soʻralayotgan maydon, m²"),
        ("ru", "Запрашиваемая площадь, м²"),
        ("en", "Requested area, m²"),
        ("uz-cyrl", "Сўралаётган майдон, м²"),
    ]:
        page = land_page(language)
        html = client.get(page.url).content.decode()
        assert page.title in html
        assert 'name="area_m2"' in html
        assert 'name="pinfl"' in html
        assert 'name="office"' in html
        assert label in html, language


def test_errors_appear_next_to_the_fields_in_the_pages_language(client: Client) -> None:
    page = land_page("ru")
    before = Application.objects.count()
    response = client.post(
        page.url,
        {
            **APPLICANT_POST,
            **LAND_POST,
            "office": "jizzakh-city",
            "pinfl": "1234567890123",
            "phone": "90 123 45 67",
            "area_m2": "50",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "ПИНФЛ состоит из 14 цифр" in html
    assert "+998" in html
    assert "is-invalid" in html
    # What was typed stays in the form.
    assert 'value="Karimova Dilnoza Rustamovna"' in html
    assert 'value="Zarbdor koʻchasi yonida"' in html
    assert Application.objects.count() == before


def test_a_valid_submission_lands_on_the_tracking_page(client: Client) -> None:
    page = land_page()
    form = client.get(page.url).content.decode()
    key = form.split('name="submission_key" value="')[1].split('"')[0]
    data = {
        **APPLICANT_POST,
        **LAND_POST,
        "office": "jizzakh-city",
        "submission_key": key,
        "documents": [pdf("pasport.pdf"), pdf("maʼlumotnoma.pdf")],
    }
    response = client.post(page.url, data)
    application = Application.objects.get(idempotency_key=f"online:{key}")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("intake:track", args=[application.tracking_code]) + "?new=1"
    )
    assert application.channel == "online"
    assert application.phone == "+998901234567"
    assert application.files.count() == 2
    tracking = client.get(response["Location"]).content.decode()
    assert application.tracking_code_display in tracking
    assert application.document.reg_number in tracking

    # A double click sends the same form again: the same application, not a second one.
    again = client.post(page.url, {**data, "documents": [pdf("pasport.pdf")]})
    assert again["Location"] == response["Location"]
    assert Application.objects.filter(idempotency_key=f"online:{key}").count() == 1


def test_an_editor_previews_the_service_page_as_citizens_get_it(client: Client) -> None:
    """Wagtail's preview of a form page builds the form with its own field types; ours has
    others, and the preview failed with a server error."""
    client.force_login(get_user_model().objects.get(username="admin"))
    page = land_page("ru")
    edit = client.get(f"/admin/pages/{page.pk}/edit/")
    assert edit.status_code == 200
    preview = page.make_preview_request()
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'name="area_m2"' in html
    assert "Запрашиваемая площадь, м²" in html

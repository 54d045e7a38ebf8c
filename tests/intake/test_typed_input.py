"""What is typed into an application, on the service page, through the API and at the counter:
PINFL and phone in the digits 0-9 only (other scripts' digits look alike and pass
``str.isdigit``), no invisible character that turns text around, and at the counter a citizen's
language that is one of the site's four. Each refusal is a message under its field, in the
user's language, and nothing is stored."""

import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from edms.models import Document
from intake.models import Application, ServicePage
from tests.edms.factories import user
from tests.intake.factories import APPLICANT, APPLICANT_POST, LAND_POST, pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PINFL_ASCII = "Type the PINFL with the digits 0-9."
PHONE_ASCII = "Type the phone number with the digits 0-9."


def bidi(character: str) -> str:
    return (
        "This holds an invisible character that changes the direction of text "
        f"({character}), which can make it read differently from what it is. Type it again "
        "without it."
    )


def written() -> tuple[int, int]:
    return Application.objects.count(), Document.objects.count()


def body(**changes: str) -> dict[str, Any]:
    return {
        "service": "land-plot",
        "office": "jizzakh-city",
        **APPLICANT_POST,
        **LAND_POST,
        "documents": pdf(),
        **changes,
    }


def api_errors(client: Client, **changes: str) -> dict[str, list[str]]:
    before = written()
    response = client.post(reverse("api-applications"), body(**changes), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert written() == before
    errors: dict[str, list[str]] = response.json()["errors"]
    return errors


# The PINFL 31203870250012 and the phone +998 90 123 45 67 in other scripts' digits.
BAD_DIGITS = [
    pytest.param("pinfl", "٣١٢٠٣٨٧٠٢٥٠٠١٢", PINFL_ASCII, id="pinfl-arabic-indic"),
    pytest.param("pinfl", "۳۱۲۰۳۸۷۰۲۵۰۰۱۲", PINFL_ASCII, id="pinfl-persian"),
    pytest.param("pinfl", "３１２０３８７０２５００１２", PINFL_ASCII, id="pinfl-full-width"),
    pytest.param("pinfl", "3120387025001٢", PINFL_ASCII, id="pinfl-one-digit-off"),
    pytest.param("pinfl", "३१२०३८७०२५००१२", PINFL_ASCII, id="pinfl-devanagari"),
    pytest.param("phone", "+٩٩٨ ٩٠ ١٢٣ ٤٥ ٦٧", PHONE_ASCII, id="phone-arabic-indic"),
    pytest.param("phone", "+９９８ ９０ １２３ ４５ ６７", PHONE_ASCII, id="phone-full-width"),
    pytest.param("phone", "+998 90 123 45 6٧", PHONE_ASCII, id="phone-one-digit-off"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_DIGITS)
def test_the_api_takes_pinfl_and_phone_in_the_digits_0_to_9_only(
    client: Client, field: str, value: str, message: str
) -> None:
    assert api_errors(client, **{field: value}) == {field: [message]}


@pytest.mark.parametrize(("field", "value", "message"), BAD_DIGITS)
def test_the_service_page_takes_pinfl_and_phone_in_the_digits_0_to_9_only(
    client: Client, field: str, value: str, message: str
) -> None:
    page = ServicePage.objects.get(service__code="land-plot", locale__language_code="en")
    before = written()
    response = client.post(page.url, {**body(**{field: value}), "documents": [pdf()]})
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert written() == before


def test_the_ascii_digits_still_pass_and_are_stored_as_typed(client: Client) -> None:
    response = client.post(
        reverse("api-applications"),
        body(pinfl=" 3120 3870 2500 12 ", phone="+998 (90) 123-45-67"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 201
    application = Application.objects.order_by("-pk").first()
    assert application is not None
    assert application.tracking_code_display == response.json()["tracking_code"]
    assert (application.pinfl, application.phone) == (APPLICANT.pinfl, "+998901234567")


@pytest.mark.parametrize(
    ("field", "value", "character"),
    [
        pytest.param("full_name", "Karimova \u202eanozliD", "U+202E", id="name-override"),
        pytest.param("full_name", "\u2067Karimova Dilnoza\u2069", "U+2067", id="name-isolate"),
        pytest.param("full_name", "Karimova\u200f Dilnoza", "U+200F", id="name-mark"),
        pytest.param("address", "Sharq mahallasi, \u202d5-uy", "U+202D", id="address-override"),
        pytest.param("location", "Zarbdor \u202bkoʻchasi", "U+202B", id="service-text-field"),
    ],
)
def test_text_with_a_direction_override_is_refused(
    client: Client, field: str, value: str, character: str
) -> None:
    assert api_errors(client, **{field: value}) == {field: [bidi(character)]}


def test_names_in_any_script_with_apostrophes_still_pass(client: Client) -> None:
    response = client.post(
        reverse("api-applications"),
        body(full_name="Тўхтаева Гулнозa Ғайратовна", address="Oʻzbekiston koʻchasi, 5-uy"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 201


# --- At the counter ---------------------------------------------------------------------------
APPLY = reverse("intake_counter:counter_apply", args=["land-plot"])


def counter_post(client: Client, **changes: Any) -> Any:
    client.force_login(user("jizzakh-city.operator"))
    data = {
        **APPLICANT_POST,
        **LAND_POST,
        "office": "jizzakh-city",
        "citizen_language": "ru",
        "documents": [pdf()],
        **changes,
    }
    return client.post(APPLY, {k: v for k, v in data.items() if v is not None})


CHOOSE = "Choose the citizen&#x27;s language from the list."


@pytest.mark.parametrize(
    "language",
    [
        pytest.param("zz", id="unknown"),
        pytest.param("<b>", id="markup"),
        pytest.param("uz-cyrl-uz-cyrl-uz", id="eighteen-characters"),
        pytest.param("UZ", id="wrong-case"),
        pytest.param("uz-Cyrl", id="uz-Cyrl-not-the-code"),
    ],
)
def test_the_counter_takes_only_one_of_the_four_languages(client: Client, language: str) -> None:
    before = written()
    response = counter_post(client, citizen_language=language)
    page = response.content.decode()
    assert response.status_code == 200
    assert CHOOSE in page
    assert written() == before


def test_the_counter_asks_for_the_language(client: Client) -> None:
    before = written()
    response = counter_post(client, citizen_language=None)
    assert "Choose the citizen&#x27;s language." in response.content.decode()
    assert written() == before


@pytest.mark.parametrize("language", ["uz", "uz-cyrl", "ru", "en"])
def test_each_of_the_four_languages_is_stored(client: Client, language: str) -> None:
    response = counter_post(client, citizen_language=language)
    assert response.status_code == 302
    application = Application.objects.order_by("-pk").first()
    assert application is not None
    assert application.language == language


def test_the_counter_form_offers_the_four_languages_and_refuses_foreign_digits(
    client: Client,
) -> None:
    client.force_login(user("jizzakh-city.operator"))
    form = client.get(APPLY).content.decode()
    for code in ("uz", "uz-cyrl", "ru", "en"):
        assert f'<option value="{code}"' in form
    assert '<option value="en" selected>' in form  # the operator's language by default
    before = written()
    page = counter_post(client, pinfl="３１２０３８７０２５００１２").content.decode()
    assert PINFL_ASCII in page
    assert written() == before

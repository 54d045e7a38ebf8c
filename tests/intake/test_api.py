"""The public API, version 1: the contract other government systems build on.

Every answer is checked by its body, not only its status: the service list with its fields in
the caller's language, a submission registered as a numbered and routed document, its
tracking, and every refusal naming each bad field at once while writing nothing.
"""

import io
import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfWriter

from edms.calendar import add_working_days
from edms.demo import read_data
from edms.models import Document, Journal, Office
from intake.models import Application, Service
from portal.transliteration import latin_to_cyrillic
from tests.intake.factories import APPLICANT_POST, LAND_POST, PDF, submit

pytestmark = pytest.mark.django_db

SERVICES = reverse("api-services")
APPLICATIONS = reverse("api-applications")
OFFICE = "jizzakh-city"
TRACKING_CODE = re.compile(r"[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}")
LATIN = re.compile(r"[A-Za-z]")
CYRILLIC = re.compile(r"[А-Яа-яЁёЎўҚқҒғҲҳ]")
REQUIRED = "This field is required."


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Any]:
    """The demo catalogue the services were loaded from: what the API must give back."""
    return read_data("services.json")


def rows_by_code(catalogue: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in catalogue["services"]}


def pdf_of_size(size: int) -> bytes:
    """A valid one-page PDF of ``size`` bytes or a few more (padded in its metadata)."""

    def build(padding: int) -> bytes:
        writer = PdfWriter()
        writer.add_blank_page(width=200, height=200)
        writer.add_metadata({"/Subject": "x" * padding})
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()

    return build(max(size - len(build(0)), 0))


def upload(name: str = "hujjat.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def valid_post(service: str = "land-plot", /, **changes: Any) -> dict[str, Any]:
    """A complete, valid multipart body for the service; a change to None leaves a field out."""
    own: dict[str, Any] = {
        "land-plot": lambda: {**LAND_POST, "documents": upload()},
        "trade-place": lambda: {
            "stir": "123456789",
            "goods": "Qovun, tarvuz",
            "from_date": in_days(1),
            "to_date": in_days(30),
        },
        "building-permit": lambda: {
            "cadastral_number": "12:08:03:01:02:0045",
            "works": "new",
            "project_sketch": upload("eskiz.pdf"),
        },
    }
    data = {"service": service, "office": OFFICE, **APPLICANT_POST, **own[service]()}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def post(client: Client, data: dict[str, Any], language: str = "en", **headers: Any) -> Any:
    return client.post(APPLICATIONS, data, HTTP_ACCEPT_LANGUAGE=language, **headers)


def written() -> tuple[int, int]:
    return Application.objects.count(), Document.objects.count()


# --- GET /api/v1/services/ -----------------------------------------------------------------


def test_the_service_list_of_an_office_has_every_service_with_all_its_fields(
    client: Client, catalogue: dict[str, Any]
) -> None:
    response = client.get(SERVICES, {"office": OFFICE}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    services = response.json()
    assert [s["code"] for s in services] == [row["code"] for row in catalogue["services"]]
    assert len(services) == 8
    applicant = [
        {"name": f["name"], "type": f["type"], "required": f["required"]}
        for f in catalogue["applicant_fields"]
    ]
    rows = rows_by_code(catalogue)
    for service in services:
        row = rows[service["code"]]
        assert set(service) == {
            "code",
            "name",
            "department",
            "deadline_working_days",
            "fee",
            "fields",
        }
        assert service["name"] == row["name"]["en"]
        assert service["department"] == row["department"]
        assert service["deadline_working_days"] == row["deadline_working_days"]
        assert Decimal(service["fee"]) == Decimal(str(row["fee_bhm"]))
        fields = service["fields"]
        # The applicant fields first, then the service's own, in the catalogue's order.
        assert [
            {key: f[key] for key in ("name", "type", "required")} for f in fields[:5]
        ] == applicant
        assert all(f["label"] for f in fields[:5])
        own = fields[5:]
        assert [(f["name"], f["type"], f["required"], f["label"]) for f in own] == [
            (f["name"], f["type"], f["required"], f["label"]["en"]) for f in row["fields"]
        ]
        for field, expected in zip(own, row["fields"], strict=True):
            assert ("choices" in field) == (expected["type"] == "choice")

    land = {f["name"]: f for f in services[1]["fields"]}
    assert land["area_m2"] == {
        "name": "area_m2",
        "type": "number",
        "required": True,
        "label": "Requested area, m²",
        "min": 100,
        "max": 2000,
    }
    assert land["documents"]["type"] == "file"
    assert land["documents"]["required"] is True
    assert set(land["documents"]["content_types"]) == {"application/pdf", "image/jpeg", "image/png"}
    permit = {f["name"]: f for f in services[2]["fields"]}
    assert permit["works"]["type"] == "choice"
    assert [c["value"] for c in permit["works"]["choices"]] == ["new", "rebuild", "extension"]


def test_without_an_office_every_active_service_is_listed(client: Client) -> None:
    Service.objects.filter(code="residence-certificate").update(is_active=False)
    codes = [s["code"] for s in client.get(SERVICES).json()]
    assert len(codes) == 7
    assert "residence-certificate" not in codes


def test_an_office_lists_only_the_services_it_offers(client: Client) -> None:
    office = Office.objects.get(code=OFFICE)
    Service.objects.get(code="land-plot").offices.remove(office)
    codes = [s["code"] for s in client.get(SERVICES, {"office": OFFICE}).json()]
    assert len(codes) == 7
    assert "land-plot" not in codes


@pytest.mark.parametrize(("language", "key"), [("uz", "uz-latn"), ("ru", "ru"), ("en", "en")])
def test_names_and_labels_follow_accept_language(
    client: Client, catalogue: dict[str, Any], language: str, key: str
) -> None:
    response = client.get(SERVICES, {"office": OFFICE}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    rows = rows_by_code(catalogue)
    for service in response.json():
        row = rows[service["code"]]
        assert service["name"] == row["name"][key]
        labels = {f["name"]: f["label"] for f in service["fields"]}
        for field in row["fields"]:
            assert labels[field["name"]] == field["label"][key]
    if language == "ru":
        land = response.json()[1]
        assert land["name"] == rows["land-plot"]["name"]["ru"]
        assert land["name"].startswith("Выделение земельного участка")
        labels = {f["name"]: f["label"] for f in land["fields"]}
        assert labels["area_m2"] == "Запрашиваемая площадь, м²"
        assert labels["pinfl"].startswith("ПИНФЛ")


def test_uzbek_cyrillic_names_and_labels_are_in_cyrillic(
    client: Client, catalogue: dict[str, Any]
) -> None:
    response = client.get(SERVICES, {"office": OFFICE}, HTTP_ACCEPT_LANGUAGE="uz-cyrl")
    assert response.status_code == 200
    rows = rows_by_code(catalogue)
    for service in response.json():
        row = rows[service["code"]]
        assert service["name"] == latin_to_cyrillic(row["name"]["uz-latn"])
        texts = [service["name"], *(f["label"] for f in service["fields"])]
        for text in texts:
            assert CYRILLIC.search(text), text
            assert not LATIN.search(text), text
    land = {f["name"]: f["label"] for f in response.json()[1]["fields"]}
    assert land["area_m2"] == "Сўралаётган майдон, м²"


def test_the_service_list_of_an_unknown_office_names_the_office(client: Client) -> None:
    response = client.get(SERVICES, {"office": "atlantis"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"errors": {"office": ["There is no office with this code."]}}


# --- POST /api/v1/applications/: accepted --------------------------------------------------


def test_a_land_plot_application_is_registered_and_can_be_followed(client: Client) -> None:
    before = written()
    response = post(client, valid_post())
    assert response.status_code == 201, response.content
    body = response.json()
    office = Office.objects.get(code=OFFICE)
    today = timezone.localdate()
    assert set(body) == {"tracking_code", "registration_number", "status", "due_date", "department"}
    assert TRACKING_CODE.fullmatch(body["tracking_code"])
    assert body["registration_number"].startswith("A-")
    assert body["status"] == "registered"
    assert body["due_date"] == add_working_days(today, 30, office=office).isoformat()
    assert body["department"] == "land"
    assert "Idempotent-Replayed" not in response
    assert written() == (before[0] + 1, before[1] + 1)

    application = Application.objects.get(tracking_code=body["tracking_code"].replace("-", ""))
    assert application.channel == Application.Channel.API
    assert application.language == "en"
    assert application.pinfl == APPLICANT_POST["pinfl"]
    assert application.phone == "+998901234567"
    assert application.answers == {
        "area_m2": 600,
        "location": LAND_POST["location"],
        "family_members": 5,
        "documents": ["hujjat.pdf"],
    }
    (stored,) = application.files.all()
    assert stored.field_name == "documents"
    assert stored.version.content_type == "application/pdf"
    assert application.document.reg_number == body["registration_number"]

    found = client.get(reverse("api-application", args=[body["tracking_code"]]))
    assert found.status_code == 200
    tracked = found.json()
    history = tracked.pop("history")
    assert tracked == {
        "tracking_code": body["tracking_code"],
        "service": "land-plot",
        "office": OFFICE,
        "registration_number": body["registration_number"],
        "status": "registered",
        "due_date": body["due_date"],
        "result_url": None,
    }
    assert [step["status"] for step in history] == ["received", "registered"]
    for step in history:
        assert abs(datetime.fromisoformat(step["at"]) - timezone.now()) < timedelta(minutes=5)
    # Typed as people type it: lower case, without the dashes.
    typed = body["tracking_code"].replace("-", "").lower()
    again = client.get(reverse("api-application", args=[typed]))
    assert again.status_code == 200
    assert again.json()["tracking_code"] == body["tracking_code"]


@pytest.mark.parametrize("service", ["land-plot", "trade-place", "building-permit"])
def test_the_valid_bodies_the_refusals_start_from_are_accepted(
    client: Client, service: str
) -> None:
    response = post(client, valid_post(service))
    assert response.status_code == 201, response.content
    assert response.json()["registration_number"].startswith("A-")


def test_the_same_idempotency_key_gives_the_same_application(client: Client) -> None:
    before = written()
    first = post(client, valid_post(), HTTP_IDEMPOTENCY_KEY="ext-42")
    again = post(client, valid_post(), HTTP_IDEMPOTENCY_KEY="ext-42")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    assert written() == (before[0] + 1, before[1] + 1)
    assert Application.objects.filter(idempotency_key="api:ext-42").count() == 1


def test_different_idempotency_keys_give_different_applications(client: Client) -> None:
    before = written()
    first = post(client, valid_post(), HTTP_IDEMPOTENCY_KEY="ext-1")
    second = post(client, valid_post(), HTTP_IDEMPOTENCY_KEY="ext-2")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["tracking_code"] != second.json()["tracking_code"]
    assert first.json()["registration_number"] != second.json()["registration_number"]
    assert written() == (before[0] + 2, before[1] + 2)


def test_another_citizens_reuse_of_a_key_is_a_conflict_not_their_application(
    client: Client,
) -> None:
    first = post(client, valid_post(), HTTP_IDEMPOTENCY_KEY="shared")
    before = written()
    other = post(client, valid_post(pinfl="41203870250019"), HTTP_IDEMPOTENCY_KEY="shared")
    assert other.status_code == 409
    assert other.json() == {
        "errors": {
            "Idempotency-Key": ["This idempotency key was already used for another application."]
        }
    }
    assert first.json()["tracking_code"] not in other.content.decode()
    assert written() == before


# --- POST /api/v1/applications/: refused, nothing written ----------------------------------

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.mark.parametrize(
    ("service", "changes", "errors"),
    [
        pytest.param(
            "land-plot",
            {
                "full_name": None,
                "pinfl": None,
                "phone": None,
                "address": None,
                "area_m2": None,
                "documents": None,
            },
            {
                name: [REQUIRED]
                for name in ("full_name", "pinfl", "phone", "address", "area_m2", "documents")
            },
            id="several required fields missing",
        ),
        pytest.param(
            "land-plot",
            {"service": None, "office": None, "full_name": "", "pinfl": ""},
            {name: [REQUIRED] for name in ("service", "office", "full_name", "pinfl")},
            id="service and office missing",
        ),
        pytest.param(
            "land-plot",
            {
                "pinfl": "3120387025001",
                "phone": "90 123 45 67",
                "email": "not-an-address",
                "area_m2": "50",
                "family_members": "",
                "documents": ("programma.pdf", EXE),
            },
            {
                "pinfl": ["The PINFL is 14 digits; this has 13."],
                "phone": ["Enter the phone number as +998 and 9 digits, e.g. +998 90 123 45 67."],
                "email": ["Enter a valid email address."],
                "area_m2": ["Ensure this value is greater than or equal to 100."],
                "family_members": [REQUIRED],
                "documents": ["“programma.pdf” is not a PDF or an image (JPEG, PNG)."],
            },
            id="every kind of mistake at once",
        ),
        pytest.param(
            "land-plot",
            {"pinfl": "3120387025001"},
            {"pinfl": ["The PINFL is 14 digits; this has 13."]},
            id="PINFL of 13 digits",
        ),
        pytest.param(
            "land-plot",
            {"pinfl": "3120387025OO12"},
            {"pinfl": ["The PINFL has digits only."]},
            id="PINFL with letters",
        ),
        pytest.param(
            "land-plot",
            {"phone": "90 123 45 67"},
            {"phone": ["Enter the phone number as +998 and 9 digits, e.g. +998 90 123 45 67."]},
            id="phone without the country code",
        ),
        pytest.param(
            "trade-place",
            {"from_date": -1},
            {"from_date": ["The date cannot be in the past."]},
            id="a date in the past",
        ),
        pytest.param(
            "trade-place",
            {"from_date": 10, "to_date": 5},
            {"to_date": ["This date cannot be before “From”."]},
            id="to_date before from_date",
        ),
        pytest.param(
            "land-plot",
            {"documents": ("programma.pdf", EXE)},
            {"documents": ["“programma.pdf” is not a PDF or an image (JPEG, PNG)."]},
            id="an exe renamed to pdf",
        ),
        pytest.param(
            "land-plot",
            {"documents": ("bosh.pdf", b"")},
            {"documents": ["The file “bosh.pdf” is empty."]},
            id="an empty file",
        ),
        pytest.param(
            "land-plot",
            {"service": "flying-permit"},
            {"service": ["There is no service with this code."]},
            id="unknown service",
        ),
        pytest.param(
            "land-plot",
            {"office": "atlantis"},
            {"office": ["There is no office with this code."]},
            id="unknown office",
        ),
        pytest.param(
            "land-plot",
            {"area_m2": "50"},
            {"area_m2": ["Ensure this value is greater than or equal to 100."]},
            id="a number below its minimum",
        ),
        pytest.param(
            "land-plot",
            {"family_members": "31"},
            {"family_members": ["Ensure this value is less than or equal to 30."]},
            id="a number above its maximum",
        ),
        pytest.param(
            "building-permit",
            {"works": "demolish"},
            {"works": ["Select a valid choice. demolish is not one of the available choices."]},
            id="a choice not in the list",
        ),
        pytest.param(
            "building-permit",
            {"cadastral_number": "12-08-03"},
            {
                "cadastral_number": [
                    "Enter the cadastral number as on the cadastral passport: groups of digits "
                    "separated by colons, e.g. 12:08:03:01:02:0045."
                ]
            },
            id="a malformed cadastral number",
        ),
    ],
)
def test_bad_input_is_refused_naming_every_bad_field_and_nothing_is_written(
    client: Client, service: str, changes: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    values = dict(changes)
    for name, value in changes.items():
        if isinstance(value, tuple):  # a file: (name, bytes)
            values[name] = upload(*value)
        elif isinstance(value, int):  # a date: days from today
            values[name] = in_days(value)
    before = written()
    response = post(client, valid_post(service, **values))
    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert written() == before


def test_an_office_that_does_not_offer_the_service_is_named(client: Client) -> None:
    office = Office.objects.get(code=OFFICE)
    service = Service.objects.get(code="land-plot")
    service.offices.remove(office)
    before = written()
    response = post(client, valid_post())
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "office": [
                f"{office.name_en} does not offer “{service.name_en}”. Choose an office that does."
            ]
        }
    }
    assert written() == before


def test_an_office_without_an_applications_journal_is_a_400_not_a_500(client: Client) -> None:
    office = Office.objects.get(code=OFFICE)
    office.journals.filter(kind=Journal.Kind.APPLICATIONS).update(is_active=False)
    before = written()
    response = post(client, valid_post())
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "office": [
                f"{office.name_en} has no journal for applications yet; "
                "please apply at the counter."
            ]
        }
    }
    assert written() == before


@pytest.mark.parametrize(
    ("language", "pinfl", "required"),
    [
        ("ru", "ПИНФЛ состоит из 14 цифр; здесь их 13.", "Это поле обязательно."),
        ("uz", "JShShIR 14 ta raqamdan iborat; bu yerda 13 ta.", "Bu maydon toʻldirilishi shart."),
        ("uz-cyrl", "ЖШШИР 14 та рақамдан иборат; бу ерда 13 та.", "Бу майдон тўлдирилиши шарт."),
        ("en", "The PINFL is 14 digits; this has 13.", REQUIRED),
    ],
)
def test_messages_follow_accept_language(
    client: Client, language: str, pinfl: str, required: str
) -> None:
    before = written()
    response = post(client, valid_post(pinfl="3120387025001", address=None), language=language)
    assert response.status_code == 400
    assert response.json() == {"errors": {"pinfl": [pinfl], "address": [required]}}
    assert written() == before


def test_a_file_over_the_limit_is_413_naming_the_field(client: Client) -> None:
    big = pdf_of_size(2048)
    assert 2048 <= len(big) < 2064
    before = written()
    with override_settings(INTAKE_UPLOAD_MAX_BYTES=1024):
        response = post(client, valid_post(documents=upload("katta.pdf", big)))
    assert response.status_code == 413
    errors = response.json()["errors"]
    assert list(errors) == ["documents"]
    (message,) = errors["documents"]
    assert message.startswith("“katta.pdf” is 2.0")
    assert message.endswith("a file may be at most 1.0\xa0KB.")
    assert written() == before
    # The same file is fine under the usual limit.
    assert post(client, valid_post(documents=upload("katta.pdf", big))).status_code == 201


def test_a_request_over_the_limit_is_413_before_anything_is_read(client: Client) -> None:
    before = written()
    with override_settings(INTAKE_REQUEST_MAX_BYTES=1024):
        response = post(client, valid_post(documents=upload("katta.pdf", pdf_of_size(2048))))
    assert response.status_code == 413
    assert response.json() == {"errors": {"non_field_errors": ["The request is too large."]}}
    assert written() == before


@override_settings(INTAKE_SUBMIT_RATE_LIMIT="3/m")
def test_too_many_submissions_from_one_client_are_429(client: Client) -> None:
    for _ in range(3):
        assert post(client, valid_post(), REMOTE_ADDR="10.20.30.40").status_code == 201
    before = written()
    refused = post(client, valid_post(), REMOTE_ADDR="10.20.30.40")
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "Too many applications from this client. Try again in a minute."
    }
    assert written() == before
    # Another client is not held up by the first.
    other = post(client, valid_post(), REMOTE_ADDR="10.20.30.41")
    assert other.status_code == 201
    assert written() == (before[0] + 1, before[1] + 1)


# --- GET /api/v1/applications/<tracking_code>/ ---------------------------------------------


@pytest.mark.parametrize(("language", "detail"), [("en", "Not found."), ("ru", "Не найдено.")])
def test_an_unknown_tracking_code_is_404_json(client: Client, language: str, detail: str) -> None:
    response = client.get(
        reverse("api-application", args=["ZZZZ-ZZZZ-ZZZZ-ZZZZ"]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": detail}


@pytest.mark.parametrize("code", ["abc", "0000-1111-OOOO-IIII", "K7QM-3XWD-9HTR-B2NF-XXXX"])
def test_a_malformed_tracking_code_is_404(client: Client, code: str) -> None:
    response = client.get(reverse("api-application", args=[code]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@override_settings(VERIFY_RATE_LIMIT="10/m")
def test_too_many_lookups_from_one_client_are_429(client: Client) -> None:
    code = submit().application.tracking_code_display
    for _ in range(10):
        guess = client.get(
            reverse("api-application", args=["ZZZZ-ZZZZ-ZZZZ-ZZZZ"]), REMOTE_ADDR="10.9.9.9"
        )
        assert guess.status_code == 404
    refused = client.get(
        reverse("api-application", args=[code]), REMOTE_ADDR="10.9.9.9", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 429
    assert refused.json() == {"detail": "Too many lookups. Try again in a minute."}
    other = client.get(reverse("api-application", args=[code]), REMOTE_ADDR="10.9.9.10")
    assert other.status_code == 200
    assert other.json()["tracking_code"] == code


# --- Schema and docs ------------------------------------------------------------------------


def test_the_schema_documents_the_public_paths_and_only_them(client: Client) -> None:
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Khokimiyat public services API"
    assert set(schema["paths"]) == {
        "/api/v1/services/",
        "/api/v1/applications/",
        "/api/v1/applications/{tracking_code}/",
        "/api/v1/verify/",
    }
    assert set(schema["paths"]["/api/v1/services/"]) == {"get"}
    assert set(schema["paths"]["/api/v1/verify/"]) == {"post"}
    assert set(schema["paths"]["/api/v1/applications/"]) == {"post"}
    assert set(schema["paths"]["/api/v1/applications/{tracking_code}/"]) == {"get"}
    create = schema["paths"]["/api/v1/applications/"]["post"]
    assert "multipart/form-data" in create["requestBody"]["content"]
    assert {"201", "400", "413", "429"} <= set(create["responses"])
    headers = [p["name"] for p in create["parameters"] if p["in"] == "header"]
    assert sorted(headers) == ["Accept-Language", "Idempotency-Key"]
    listing = schema["paths"]["/api/v1/services/"]["get"]
    assert sorted(p["name"] for p in listing["parameters"]) == ["Accept-Language", "office"]


def test_the_docs_render_from_our_own_static_files(client: Client) -> None:
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="swagger-ui"' in html
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        if asset == f"{reverse('api-docs')}?script=":
            continue  # its start-up script, served apart (no inline script: core/headers.py)
        assert asset.startswith(settings.STATIC_URL), asset
        assert finders.find(asset.removeprefix(settings.STATIC_URL)) is not None, asset
    script = client.get(reverse("api-docs"), {"script": ""}).content.decode()
    assert reverse("api-schema") in script
    # No CDN: nothing is fetched from another host.
    assert not re.search(r"""["'(]\s*(?:https?:)?//""", html)
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs", "googleapis"):
        assert cdn not in html


def test_the_api_speaks_json_to_a_client_that_sends_no_accept(client: Client) -> None:
    # Other systems rarely send Accept; the default answer is JSON, not the browsable page.
    response = client.get(SERVICES, {"office": OFFICE})
    assert response["Content-Type"] == "application/json"

"""The public API keeps its contract: every answer under ``/api/`` is JSON in a documented shape,
with a status its operation documents, whatever the request; the schema names every field.

Hostile requests (NUL bytes, 10,000 characters, path traversal, bodies over Django's limits, too
many fields, bodies that are no form at all, wrong methods, unknown addresses) each get their
documented refusal in the client's language, and nothing is written. Each answer is checked
against ``/api/schema/`` itself (with schemathesis' response validation), so the schema and the
behaviour cannot drift apart.
"""

import json
from typing import Any

import pytest
import requests
import schemathesis
from django.test import Client, override_settings
from django.urls import reverse
from schemathesis.specs.openapi.schemas import OpenApiSchema

from intake.forms import APPLICANT_FIELDS, ApplicationForm
from intake.models import Application
from intake.serializers import ApplicationUploadSerializer
from tests.intake.factories import APPLICANT_POST, PDF, submit
from tests.intake.test_api import upload, valid_post, written

pytestmark = pytest.mark.django_db

SERVICES = "/api/v1/services/"
APPLICATIONS = "/api/v1/applications/"
VERIFY = "/api/v1/verify/"
DETAIL = "/api/v1/applications/{tracking_code}/"
NO_OFFICE = {"errors": {"office": ["There is no office with this code."]}}
NO_SERVICE = "There is no service with this code."
NOT_FOUND = {"detail": "Not found."}
TOO_LARGE = {"errors": {"non_field_errors": ["The request is too large."]}}
UNSUPPORTED = {
    "detail": "Send the body as multipart/form-data or application/x-www-form-urlencoded."
}
STATUSES = {
    (SERVICES, "get"): {"200", "400", "503"},
    (APPLICATIONS, "post"): {"201", "400", "409", "413", "415", "429", "503"},
    (DETAIL, "get"): {"200", "404", "429", "503"},
    (VERIFY, "post"): {"200", "400", "413", "415", "429", "503"},
}


@pytest.fixture(scope="module")
def raw_schema(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        response = Client().get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


@pytest.fixture(scope="module")
def schema(raw_schema: dict[str, Any]) -> OpenApiSchema:
    loaded = schemathesis.openapi.from_dict(raw_schema)
    assert isinstance(loaded, OpenApiSchema)
    return loaded


@pytest.fixture
def conforms(schema: OpenApiSchema, raw_schema: dict[str, Any]) -> Any:
    """``conforms(path, method, response)``: the answer is JSON, its status is one the operation
    documents, and its body matches the schema documented for that status."""

    def check(path: str, method: str, response: Any) -> Any:
        assert response["Content-Type"] == "application/json", response.content[:300]
        documented = raw_schema["paths"][path][method]["responses"]
        assert str(response.status_code) in documented, response.content[:300]
        answer = schemathesis.Response(
            status_code=response.status_code,
            headers={key: [value] for key, value in response.headers.items()},
            content=response.content,
            request=requests.Request("GET", "http://testserver/").prepare(),
            elapsed=0.0,
            verify=True,
        )
        schema[path][method.upper()].validate_response(answer)
        return response.json()

    return check


def post(client: Client, data: Any, language: str = "en", **extra: Any) -> Any:
    return client.post(APPLICATIONS, data, HTTP_ACCEPT_LANGUAGE=language, **extra)


def raw_post(client: Client, url: str, body: bytes, content_type: str, **extra: Any) -> Any:
    return client.generic(
        "POST", url, body, content_type=content_type, HTTP_ACCEPT_LANGUAGE="en", **extra
    )


def multipart(fields: dict[str, str], boundary: str = "XyZ") -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    return ("".join(parts) + f"--{boundary}--\r\n").encode()


def appeal(**changes: Any) -> dict[str, Any]:
    """A valid citizen appeal (no files needed), with changes; None leaves a field out."""
    data = {
        "service": "citizen-appeal",
        "office": "jizzakh-city",
        **APPLICANT_POST,
        "subject": "Koʻcha chiroqlari",
        "text": "Mahallamizda koʻcha chiroqlari ishlamayapti.",
        **changes,
    }
    return {name: value for name, value in data.items() if value is not None}


# --- The schema ------------------------------------------------------------------------------


def test_every_operation_documents_each_status_it_answers_with_a_json_body(
    raw_schema: dict[str, Any],
) -> None:
    for (path, method), statuses in STATUSES.items():
        responses = raw_schema["paths"][path][method]["responses"]
        assert set(responses) == statuses, (path, method)
        for code, response in responses.items():
            assert response["description"], (path, method, code)
            assert list(response["content"]) == ["application/json"], (path, method, code)
            assert "$ref" in json.dumps(response["content"]["application/json"]["schema"])


def component(raw_schema: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = raw_schema["components"]["schemas"][name]
    return found


def ref(raw_schema: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    body = raw_schema["paths"][path][method]["responses"][status]["content"]["application/json"]
    schema = body["schema"]
    if schema.get("type") == "array":
        schema = schema["items"]
    return component(raw_schema, schema["$ref"].rsplit("/", 1)[1])


def test_the_application_body_names_the_fixed_fields_and_takes_the_services_own(
    raw_schema: dict[str, Any],
) -> None:
    create = raw_schema["paths"][APPLICATIONS]["post"]
    content = create["requestBody"]["content"]
    assert set(content) == {"multipart/form-data", "application/x-www-form-urlencoded"}
    upload_schema = component(raw_schema, "ApplicationUploadRequest")
    assert content["multipart/form-data"]["schema"]["$ref"].endswith("/ApplicationUploadRequest")
    assert list(upload_schema["properties"]) == ["service", "office", *APPLICANT_FIELDS]
    assert set(upload_schema["required"]) == {
        "service",
        "office",
        "full_name",
        "pinfl",
        "phone",
        "address",
    }
    for name, field in upload_schema["properties"].items():
        assert field["type"] == "string", name
    assert upload_schema["properties"]["email"]["format"] == "email"
    # The service's own fields (text, or files for a file field) besides the fixed ones.
    assert upload_schema["additionalProperties"]["type"] == "string"
    assert create["requestBody"]["required"] is True


def test_the_documented_required_fields_are_the_forms() -> None:
    form = ApplicationForm(service=None, form_fields=[])
    documented = {
        name: field.required for name, field in ApplicationUploadSerializer().fields.items()
    }
    assert documented == {
        "service": True,
        **{name: form.fields[name].required for name in ("office", *APPLICANT_FIELDS)},
    }


def test_the_verify_body_is_multipart_with_binary_files(raw_schema: dict[str, Any]) -> None:
    content = raw_schema["paths"][VERIFY]["post"]["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    body = component(raw_schema, "VerifyUploadRequest")
    assert body["required"] == ["file"]
    for name in ("file", "signed_file"):
        assert body["properties"][name] == {
            "type": "string",
            "format": "binary",
            "description": body["properties"][name]["description"],
        }


def test_the_answers_name_every_field_with_its_type(raw_schema: dict[str, Any]) -> None:
    service = ref(raw_schema, SERVICES, "get", "200")
    assert (
        set(service["required"])
        == set(service["properties"])
        == {
            "code",
            "name",
            "department",
            "deadline_working_days",
            "fee",
            "fields",
        }
    )
    assert service["properties"]["deadline_working_days"]["type"] == "integer"
    assert service["properties"]["fee"]["format"] == "decimal"
    field = component(raw_schema, "FormField")
    assert set(field["required"]) == {"name", "type", "required", "label"}
    assert field["properties"]["required"]["type"] == "boolean"
    created = ref(raw_schema, APPLICATIONS, "post", "201")
    assert set(created["required"]) == {
        "tracking_code",
        "registration_number",
        "status",
        "due_date",
        "department",
    }
    assert created["properties"]["due_date"]["format"] == "date"
    assert created["properties"]["department"]["nullable"] is True
    detail = ref(raw_schema, DETAIL, "get", "200")
    assert set(detail["required"]) == {
        "tracking_code",
        "service",
        "office",
        "registration_number",
        "status",
        "due_date",
        "history",
        "result_url",
    }
    step = component(raw_schema, "HistoryStep")
    assert step["properties"]["at"]["format"] == "date-time"
    result = ref(raw_schema, VERIFY, "post", "200")
    assert set(result["required"]) == {"verdict", "signatures"}
    signature = component(raw_schema, "Signature")
    assert signature["properties"]["signed_at"]["nullable"] is True
    assert signature["properties"]["intact"]["type"] == "boolean"


def test_the_two_error_shapes_are_documented(raw_schema: dict[str, Any]) -> None:
    assert ref(raw_schema, APPLICATIONS, "post", "400")["required"] == ["errors"]
    assert ref(raw_schema, APPLICATIONS, "post", "413")["required"] == ["errors"]
    assert ref(raw_schema, APPLICATIONS, "post", "415")["required"] == ["detail"]
    assert ref(raw_schema, DETAIL, "get", "404")["required"] == ["detail"]
    errors = component(raw_schema, "Errors")["properties"]["errors"]
    assert errors["additionalProperties"] == {"type": "array", "items": {"type": "string"}}


# --- GET /api/v1/services/?office= -------------------------------------------------------------


@pytest.mark.parametrize(
    "office",
    ["\x00", "ab\x00cd", "x" * 10_000, "../../../../etc/passwd", "<b>'\"</b>", "atlantis", " "],
    ids=["NUL", "NUL inside", "10,000 characters", "path traversal", "markup", "unknown", "space"],
)
def test_an_office_that_is_no_office_is_a_400_naming_it(
    client: Client, conforms: Any, office: str
) -> None:
    response = client.get(SERVICES, {"office": office}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert conforms(SERVICES, "get", response) == NO_OFFICE


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("uz", "Bunday kodli idora yoʻq."),
        ("uz-cyrl", "Бундай кодли идора йўқ."),
        ("ru", "Учреждения с таким кодом нет."),
        ("en", "There is no office with this code."),
    ],
)
def test_the_office_refusal_is_in_the_clients_language(
    client: Client, language: str, message: str
) -> None:
    response = client.get(SERVICES, {"office": "\x00"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json() == {"errors": {"office": [message]}}


def test_the_service_list_conforms_to_the_schema(client: Client, conforms: Any) -> None:
    for query in ({}, {"office": "jizzakh-city"}):
        body = conforms(SERVICES, "get", client.get(SERVICES, query))
        assert len(body) >= 7


# --- POST /api/v1/applications/: hostile fields and headers ----------------------------------


@pytest.mark.parametrize(
    "service",
    ["citizen-appeal\x00", "\x00", "x" * 10_000, "../../etc/passwd", "citizen appeal"],
    ids=["NUL at the end", "NUL", "10,000 characters", "path traversal", "space"],
)
def test_a_service_code_that_is_no_code_is_a_400_naming_it(
    client: Client, conforms: Any, service: str
) -> None:
    before = written()
    response = post(client, appeal(service=service))
    assert response.status_code == 400
    body = conforms(APPLICATIONS, "post", response)
    assert body["errors"]["service"] == [NO_SERVICE]
    assert written() == before


def test_a_nul_in_an_applicant_field_or_the_office_is_a_400_naming_each(
    client: Client, conforms: Any
) -> None:
    before = written()
    response = post(
        client, appeal(office="jizzakh-city\x00", subject="Koʻcha\x00", full_name="\x00" * 5)
    )
    assert response.status_code == 400
    errors = conforms(APPLICATIONS, "post", response)["errors"]
    assert set(errors) >= {"office", "subject", "full_name"}
    assert written() == before


def test_a_valid_appeal_is_201_and_conforms(client: Client, conforms: Any) -> None:
    response = post(client, appeal())
    assert response.status_code == 201, response.content
    body = conforms(APPLICATIONS, "post", response)
    assert body["status"] == "registered"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            "ab\x00cd",
            "The Idempotency-Key header may have only printable ASCII characters "
            "(Latin letters, digits, punctuation).",
        ),
        (
            "kalit-\u00e9",  # é, as a WSGI server hands over a non-ASCII header (Latin-1)
            "The Idempotency-Key header may have only printable ASCII characters "
            "(Latin letters, digits, punctuation).",
        ),
        ("k" * 201, "The Idempotency-Key header is 201 characters long; at most 200."),
        ("k" * 10_000, "The Idempotency-Key header is 10000 characters long; at most 200."),
    ],
    ids=["NUL", "not ASCII", "201 characters", "10,000 characters"],
)
def test_an_idempotency_key_that_cannot_be_one_is_a_400_naming_it(
    client: Client, conforms: Any, key: str, message: str
) -> None:
    before = written()
    response = post(client, appeal(), HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert conforms(APPLICATIONS, "post", response) == {"errors": {"Idempotency-Key": [message]}}
    assert written() == before


def test_a_bad_key_is_named_with_every_bad_field(client: Client) -> None:
    response = post(client, appeal(pinfl="123"), HTTP_IDEMPOTENCY_KEY="a\x00")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"pinfl", "Idempotency-Key"}


def test_a_key_of_200_printable_characters_is_kept_whole(client: Client) -> None:
    key = "k" * 199 + "!"
    first = post(client, appeal(), HTTP_IDEMPOTENCY_KEY=key)
    again = post(client, appeal(), HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert Application.objects.filter(idempotency_key=f"api:{key}").count() == 1
    # A key that differs only in its last character is another application.
    other = post(client, appeal(), HTTP_IDEMPOTENCY_KEY="k" * 199 + "?")
    assert other.status_code == 201
    assert other.json()["tracking_code"] != first.json()["tracking_code"]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "uz",
            "Idempotency-Key sarlavhasi 201 ta belgidan iborat; koʻpi bilan 200 ta boʻlishi "
            "mumkin.",
        ),
        (
            "uz-cyrl",
            "Idempotency-Key сарлавҳаси 201 та белгидан иборат; кўпи билан 200 та бўлиши мумкин.",
        ),
        ("ru", "Длина заголовка Idempotency-Key — 201; допускается не более 200 символов."),
        ("en", "The Idempotency-Key header is 201 characters long; at most 200."),
    ],
)
def test_the_key_refusal_is_in_the_clients_language(
    client: Client, language: str, message: str
) -> None:
    response = post(client, appeal(), language=language, HTTP_IDEMPOTENCY_KEY="k" * 201)
    assert response.status_code == 400
    assert response.json() == {"errors": {"Idempotency-Key": [message]}}


# --- POST: bodies over Django's limits, and bodies that are no form ---------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_an_oversized_text_field_in_multipart_is_a_413_json(client: Client, conforms: Any) -> None:
    before = written()
    response = post(client, appeal(text="x" * 2048))
    assert response.status_code == 413
    assert conforms(APPLICATIONS, "post", response) == TOO_LARGE
    assert written() == before


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_an_oversized_form_urlencoded_body_is_a_413_json(client: Client, conforms: Any) -> None:
    body = ("service=citizen-appeal&text=" + "x" * 2048).encode()
    response = raw_post(client, APPLICATIONS, body, "application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert conforms(APPLICATIONS, "post", response) == TOO_LARGE


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_an_oversized_field_sent_to_verify_is_a_413_json(client: Client, conforms: Any) -> None:
    response = client.post(
        VERIFY, {"note": "x" * 2048, "file": upload(content=PDF)}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 413
    assert conforms(VERIFY, "post", response) == TOO_LARGE


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("uz", "Soʻrov hajmi juda katta."),
        ("uz-cyrl", "Сўров ҳажми жуда катта."),
        ("ru", "Запрос слишком большой."),
        ("en", "The request is too large."),
    ],
)
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_the_413_is_in_the_clients_language(client: Client, language: str, message: str) -> None:
    response = post(client, appeal(text="x" * 2048), language=language)
    assert response.status_code == 413
    assert response.json() == {"errors": {"non_field_errors": [message]}}


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=20)
def test_too_many_fields_in_multipart_is_a_400_json(client: Client, conforms: Any) -> None:
    before = written()
    response = post(client, appeal(**{f"extra{i}": "1" for i in range(30)}))
    assert response.status_code == 400
    assert conforms(APPLICATIONS, "post", response) == {
        "errors": {"non_field_errors": ["The request has more than 20 fields."]}
    }
    assert written() == before


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=20)
def test_too_many_fields_form_urlencoded_is_a_400_json(client: Client, conforms: Any) -> None:
    body = "&".join(f"f{i}=1" for i in range(30)).encode()
    response = raw_post(client, APPLICATIONS, body, "application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert conforms(APPLICATIONS, "post", response) == {
        "errors": {"non_field_errors": ["The request has more than 20 fields."]}
    }


@override_settings(DATA_UPLOAD_MAX_NUMBER_FILES=2)
def test_too_many_files_is_a_400_json(client: Client, conforms: Any) -> None:
    files = [upload(f"f{i}.pdf") for i in range(3)]
    response = post(client, valid_post(documents=files))
    assert response.status_code == 400
    assert conforms(APPLICATIONS, "post", response) == {
        "errors": {"non_field_errors": ["The request has more than 2 files."]}
    }


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "text/plain",
        "application/xml",
        "image/png",
        "multipart/form-data" + "x" * 300,
        "multipart/" + "x" * 300,
    ],
)
@pytest.mark.parametrize("url", [APPLICATIONS, VERIFY])
def test_a_body_that_is_no_form_is_a_415_json(
    client: Client, conforms: Any, url: str, content_type: str
) -> None:
    before = written()
    response = raw_post(client, url, b'{"service": "citizen-appeal"}', content_type)
    assert response.status_code == 415
    path = APPLICATIONS if url == APPLICATIONS else VERIFY
    assert conforms(path, "post", response) == UNSUPPORTED
    assert written() == before


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "uz",
            "Soʻrov tanasini multipart/form-data yoki application/x-www-form-urlencoded "
            "koʻrinishida yuboring.",
        ),
        (
            "uz-cyrl",
            "Сўров танасини multipart/form-data ёки application/x-www-form-urlencoded "
            "кўринишида юборинг.",
        ),
        (
            "ru",
            "Отправьте тело запроса как multipart/form-data или application/x-www-form-urlencoded.",
        ),
    ],
)
def test_the_415_is_in_the_clients_language(client: Client, language: str, message: str) -> None:
    response = client.generic(
        "POST", APPLICATIONS, b"{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 415
    assert response.json() == {"detail": message}


MALFORMED_MULTIPART = [
    pytest.param("multipart/form-data", multipart({"service": "citizen-appeal"}), id="no boundary"),
    pytest.param(
        "multipart/form-data; boundary=",
        multipart({"service": "citizen-appeal"}),
        id="empty boundary",
    ),
    pytest.param("multipart/form-data; boundary=XyZ", b"garbage", id="no parts"),
    pytest.param(
        "multipart/form-data; boundary=XyZ",
        b'--XyZ\r\nContent-Disposition: form-data; name="service"\r\n\r\ncitizen-ap',
        id="cut short",
    ),
    pytest.param(
        "multipart/form-data; boundary=XyZ",
        b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--XyZ--\r\n",
        id="part without a name",
    ),
    pytest.param(
        "multipart/form-data; boundary=XyZ",
        b'--XyZ\r\nContent-Disposition: form-data; name="service"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n--XyZ--\r\n",
        id="bad base64",
    ),
    pytest.param(
        "multipart/form-data; boundary=XyZ; charset=no-such-charset",
        multipart({"service": "citizen-appeal"}),
        id="unknown charset",
    ),
    pytest.param(
        "multipart/form-data; boundary=XyZ",
        b'--XyZ\r\nContent-Disposition: form-data; name="service"\r\n\r\n'
        b"\xff\xfe\x00\r\n--XyZ--\r\n",
        id="not UTF-8",
    ),
    pytest.param(
        "multipart/form-data; boundary=" + "b" * 200,
        multipart({"service": "citizen-appeal"}, boundary="b" * 200),
        id="boundary of 200 characters",
    ),
]


@pytest.mark.parametrize(("content_type", "body"), MALFORMED_MULTIPART)
@pytest.mark.parametrize("url", [APPLICATIONS, VERIFY])
def test_malformed_multipart_is_a_400_json(
    client: Client, conforms: Any, url: str, content_type: str, body: bytes
) -> None:
    before = written()
    response = raw_post(client, url, body, content_type)
    assert response.status_code == 400, response.content
    errors = conforms(url, "post", response)["errors"]
    assert errors
    assert all(messages for messages in errors.values())
    assert written() == before


def test_multipart_without_a_boundary_says_the_body_could_not_be_read(client: Client) -> None:
    response = raw_post(client, APPLICATIONS, b"x", "multipart/form-data")
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "non_field_errors": ["The request body could not be read as multipart/form-data."]
        }
    }


# --- GET /api/v1/applications/<tracking_code>/ --------------------------------------------------


@pytest.mark.parametrize(
    "code",
    ["\x00", "K7QM-3XWD-9HTR-B2N\x00", "x" * 10_000, "..", "%2e%2e", "<b>", "K" * 16 + "\x00"],
    ids=["NUL", "NUL at the end", "10,000 characters", "dots", "encoded dots", "markup", "NUL+16"],
)
def test_a_tracking_code_that_is_no_code_is_a_404_json(
    client: Client, conforms: Any, code: str
) -> None:
    response = client.get(
        reverse("api-application", args=[code]), HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 404
    assert conforms(DETAIL, "get", response) == NOT_FOUND


def test_a_tracked_application_conforms(client: Client, conforms: Any) -> None:
    code = submit().application.tracking_code_display
    response = client.get(reverse("api-application", args=[code]))
    assert response.status_code == 200
    body = conforms(DETAIL, "get", response)
    assert body["tracking_code"] == code


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/applications/../../../../etc/passwd",
        "/api/v1/applications/%2e%2e/%2e%2e/etc/passwd/",
        "/api/v1/applications/..%2F..%2Fetc%2Fpasswd/",
        "/api/v1/applications/K7QM/3XWD/",
        "/api/v1/nothing/",
        "/api/v2/services/",
        "/api/",
        "/api/v1/",
        "/api/%00/",
        "/api/" + "x" * 5000 + "/",
    ],
)
def test_an_unknown_address_under_the_api_is_a_404_json(client: Client, path: str) -> None:
    for method in ("get", "post", "put", "delete", "options"):
        response = getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404, (method, path)
        assert response["Content-Type"] == "application/json"
        assert response.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("language", "detail"),
    [("uz", "Topilmadi."), ("uz-cyrl", "Топилмади."), ("ru", "Не найдено."), ("en", "Not found.")],
)
def test_the_404_of_an_unknown_address_is_in_the_clients_language(
    client: Client, language: str, detail: str
) -> None:
    response = client.get("/api/v1/nothing/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response.json() == {"detail": detail}


def test_an_operation_without_its_slash_is_a_404_naming_the_address(client: Client) -> None:
    response = client.get("/api/v1/services", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found. Did you mean /api/v1/services/?"}


# --- Methods, Accept, hosts and bugs -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "method", "allowed"),
    [
        (SERVICES, "post", "GET"),
        (SERVICES, "delete", "GET"),
        (APPLICATIONS, "get", "POST"),
        (APPLICATIONS, "put", "POST"),
        (VERIFY, "get", "POST"),
        ("/api/v1/applications/K7QM-3XWD-9HTR-B2NF/", "patch", "GET"),
    ],
)
def test_a_wrong_method_is_a_405_json_naming_the_allowed_ones(
    client: Client, url: str, method: str, allowed: str
) -> None:
    response = getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": f"This address does not accept {method.upper()} requests."}
    assert allowed in response["Allow"]


@pytest.mark.parametrize(
    "accept", ["text/html", "application/xml", "text/html;q=0.9, */*;q=0.1", "nonsense", ""]
)
def test_every_answer_is_json_whatever_accept_asks_for(client: Client, accept: str) -> None:
    for response in (
        client.get(SERVICES, HTTP_ACCEPT=accept),
        client.get(SERVICES, {"office": "\x00"}, HTTP_ACCEPT=accept),
        client.get("/api/v1/applications/nothing/", HTTP_ACCEPT=accept),
        client.post(APPLICATIONS, {}, HTTP_ACCEPT=accept),
    ):
        assert response["Content-Type"] == "application/json", response.status_code
        response.json()


@override_settings(ALLOWED_HOSTS=["testserver"])
def test_a_disallowed_host_is_a_400_json_under_the_api(client: Client) -> None:
    response = client.get(SERVICES, HTTP_HOST="evil.example", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "errors": {"non_field_errors": ["The request could not be understood."]}
    }
    # The portal keeps its own page.
    page = client.get("/uz/", HTTP_HOST="evil.example")
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")


def test_a_bug_is_a_500_json_under_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    from intake import api

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(api, "_applicant_fields_json", broken)
    client = Client(raise_request_exception=False)
    response = client.get(SERVICES, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "errors": {
            "non_field_errors": ["Something went wrong on our side. Please try again later."]
        }
    }


@pytest.mark.parametrize("fmt", ["json", "\x00", "x" * 10_000])
def test_the_docs_page_ignores_a_format_it_does_not_have(client: Client, fmt: str) -> None:
    # Not a 404 rendered through the portal's page template (which failed without a user).
    response = client.get(reverse("api-docs"), {"format": fmt})
    assert response.status_code == 200
    assert 'id="swagger-ui"' in response.content.decode()


@pytest.mark.parametrize("fmt", ["xml", "\x00"])
def test_the_schema_answers_an_unknown_format_with_a_404_not_a_500(
    client: Client, fmt: str
) -> None:
    response = client.get(reverse("api-schema"), {"format": fmt}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert b"Not found." in response.content

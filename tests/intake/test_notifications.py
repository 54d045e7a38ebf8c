"""Notification gateways: SMS against a real local HTTP server, the others in-process."""

import json
import logging
import smtplib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend

from intake.notifications import (
    ConsoleGateway,
    EmailGateway,
    GatewayError,
    GatewayRegistry,
    HttpSmsGateway,
    Message,
    PermanentGatewayError,
    gateways_for,
    mask_email,
    mask_phone,
    notify,
    registry,
)

TOKEN = "s3cret-token-value"
PHONE = "+998901234567"
EMAIL = "aziza@example.uz"
TEXT = 'Hokimiyat: ariza "№ 12/3" {ref} ro‘yxatga olindi.\nKuzatish: https://x.uz/t/AB12 \\ ok'
TIMEOUT = 0.5


def make_message(**overrides: str) -> Message:
    values = {
        "recipient_phone": PHONE,
        "recipient_email": EMAIL,
        "subject": "Application 2024-000042 registered",
        "text": TEXT,
        "reference": "application:42:registered",
    }
    return Message(**{**values, **overrides})


# --- a real HTTP server standing in for the SMS provider ------------------------------------


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Provider:
    url: str
    requests: list[Recorded] = field(default_factory=list)
    mode: str = "ok"  # "ok", "error" (500), "bad" (400), "slow" (answers after the timeout)
    release: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_POST(self) -> None:
        provider = self.server.provider
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        provider.requests.append(Recorded(self.path, dict(self.headers.items()), body))
        if provider.mode == "slow":
            provider.release.wait(TIMEOUT * 4)
            self._answer(200, {"id": "late"})
        elif provider.mode == "error":
            self._answer(500, {"error": "internal"})
        elif provider.mode == "bad":
            self._answer(400, {"error": "invalid recipient"})
        else:
            self._answer(200, {"id": "abc", "status": "queued"})

    def _answer(self, status: int, data: dict[str, Any]) -> None:
        payload = json.dumps(data).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up (the timeout test)
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    provider: Provider


@pytest.fixture
def provider() -> Iterator[Provider]:
    server = _Server(("127.0.0.1", 0), _Handler)
    host, port = server.server_address[:2]
    server.provider = Provider(url=f"http://{host!s}:{port}/api/sms/send")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.provider
    finally:
        server.provider.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def sms(settings: Any, provider: Provider) -> HttpSmsGateway:
    settings.SMS_GATEWAY_URL = provider.url
    settings.SMS_GATEWAY_TOKEN = TOKEN
    settings.SMS_GATEWAY_TIMEOUT = TIMEOUT
    return HttpSmsGateway()


# --- SMS ------------------------------------------------------------------------------------


def test_sms_posts_json_with_bearer_token_and_returns_provider_id(
    sms: HttpSmsGateway, provider: Provider
) -> None:
    assert sms.send(make_message()) == "abc"

    [request] = provider.requests
    assert request.path == "/api/sms/send"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"].startswith("application/json")
    # Quotes, braces, backslashes, newlines and non-ASCII arrive intact: the body is real JSON.
    assert json.loads(request.body) == {
        "to": PHONE,
        "text": TEXT,
        "ref": "application:42:registered",
    }


def test_sms_template_from_settings_is_filled_at_any_depth(
    settings: Any, sms: HttpSmsGateway, provider: Provider
) -> None:
    settings.SMS_GATEWAY_TEMPLATE = {
        "messages": [{"recipient": "{phone_digits}", "body": "{text}"}],
        "meta": {"ref": "ref={reference}"},
        "originator": "3700",
        "priority": 1,
    }

    sms.send(make_message())

    assert json.loads(provider.requests[0].body) == {
        "messages": [{"recipient": "998901234567", "body": TEXT}],
        "meta": {"ref": "ref=application:42:registered"},
        "originator": "3700",
        "priority": 1,
    }


def test_sms_template_with_unknown_placeholder_is_a_configuration_error(
    settings: Any, sms: HttpSmsGateway, provider: Provider
) -> None:
    settings.SMS_GATEWAY_TEMPLATE = {"to": "{msisdn}"}

    with pytest.raises(ImproperlyConfigured, match="msisdn"):
        sms.send(make_message())
    assert provider.requests == []


def test_sms_server_error_is_temporary(sms: HttpSmsGateway, provider: Provider) -> None:
    provider.mode = "error"

    with pytest.raises(GatewayError, match="HTTP 500") as caught:
        sms.send(make_message())
    assert not isinstance(caught.value, PermanentGatewayError)


def test_sms_client_error_is_permanent(sms: HttpSmsGateway, provider: Provider) -> None:
    provider.mode = "bad"

    with pytest.raises(PermanentGatewayError, match="HTTP 400"):
        sms.send(make_message())


def test_sms_timeout_is_temporary(sms: HttpSmsGateway, provider: Provider) -> None:
    provider.mode = "slow"

    with pytest.raises(GatewayError) as caught:
        sms.send(make_message())
    assert not isinstance(caught.value, PermanentGatewayError)
    assert len(provider.requests) == 1


def test_sms_connection_refused_is_temporary(settings: Any) -> None:
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{port}/send"
    settings.SMS_GATEWAY_TIMEOUT = TIMEOUT

    with pytest.raises(GatewayError, match="unreachable") as caught:
        HttpSmsGateway().send(make_message())
    assert not isinstance(caught.value, PermanentGatewayError)


def test_sms_without_phone_sends_nothing(sms: HttpSmsGateway, provider: Provider) -> None:
    assert sms.send(make_message(recipient_phone="")) == ""
    assert provider.requests == []


@pytest.mark.parametrize("url", ["", "file:///etc/passwd", "ftp://sms.example.uz/"])
def test_sms_refuses_to_run_without_an_http_url(settings: Any, url: str) -> None:
    settings.SMS_GATEWAY_URL = url

    with pytest.raises(ImproperlyConfigured, match="SMS_GATEWAY_URL"):
        HttpSmsGateway().send(make_message())


def test_sms_token_never_reaches_logs_or_errors(
    sms: HttpSmsGateway, provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[str] = []
    for mode in ("ok", "error", "bad"):
        provider.mode = mode
        try:
            sms.send(make_message())
        except GatewayError as error:
            errors.append(str(error))

    assert len(provider.requests) == 3
    assert len(errors) == 2
    assert "application:42:registered" in caplog.text
    for text in [caplog.text, *errors]:
        assert TOKEN not in text
        assert PHONE not in text
        assert "ariza" not in text


# --- console --------------------------------------------------------------------------------


def test_console_logs_reference_and_masked_addresses_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="intake.notifications")

    assert ConsoleGateway().send(make_message()) == ""

    [record] = [r for r in caplog.records if r.name == "intake.notifications"]
    assert record.levelno == logging.INFO
    logged = record.getMessage()
    assert "application:42:registered" in logged
    assert "+998 90 *** ** 67" in logged
    assert "a***@example.uz" in logged
    assert PHONE not in caplog.text
    assert EMAIL not in caplog.text
    assert "ariza" not in caplog.text


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+998901234567", "+998 90 *** ** 67"),
        ("+998 (71) 234-56-78", "+998 71 *** ** 78"),
        ("+77011234567", "*** ** 67"),
        ("123", "***"),
        ("", "-"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("email", "masked"),
    [("aziza@example.uz", "a***@example.uz"), ("not-an-address", "***"), ("", "-")],
)
def test_mask_email(email: str, masked: str) -> None:
    assert mask_email(email) == masked


# --- e-mail ---------------------------------------------------------------------------------


def test_email_is_sent_from_the_default_address(settings: Any, mailoutbox: list[Any]) -> None:
    settings.DEFAULT_FROM_EMAIL = "noreply@tashkent.example.uz"

    assert EmailGateway().send(make_message()) == ""

    [sent] = mailoutbox
    assert sent.to == [EMAIL]
    assert sent.from_email == "noreply@tashkent.example.uz"
    assert sent.subject == "Application 2024-000042 registered"
    assert sent.body == TEXT


def test_email_without_address_sends_nothing(mailoutbox: list[Any]) -> None:
    assert EmailGateway().send(make_message(recipient_email="")) == ""
    assert mailoutbox == []


class FailingBackend(BaseEmailBackend):
    error: Exception = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def send_messages(self, email_messages: Any) -> int:
        raise self.error


@pytest.fixture
def failing_backend(settings: Any) -> type[FailingBackend]:
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    return FailingBackend


def test_email_smtp_failure_is_temporary(failing_backend: type[FailingBackend]) -> None:
    with pytest.raises(GatewayError, match="SMTPServerDisconnected") as caught:
        EmailGateway().send(make_message())
    assert not isinstance(caught.value, PermanentGatewayError)


def test_email_refused_recipient_is_permanent(
    failing_backend: type[FailingBackend], monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = smtplib.SMTPRecipientsRefused({EMAIL: (550, b"No such user")})
    monkeypatch.setattr(failing_backend, "error", refused)

    with pytest.raises(PermanentGatewayError) as caught:
        EmailGateway().send(make_message())
    assert EMAIL not in str(caught.value)


# --- registry and notify() ------------------------------------------------------------------


def test_project_registry_has_the_shipped_gateways() -> None:
    assert {"console", "sms", "email"} <= set(registry.names())
    assert isinstance(registry.get("sms"), HttpSmsGateway)
    assert registry.get("sms").name == "sms"


def test_duplicate_registration_is_refused() -> None:
    with pytest.raises(ValueError, match="console"):
        registry.register("console")(ConsoleGateway)


class Recording:
    name: str
    result = "id-1"
    error: GatewayError | None = None

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def send(self, message: Message) -> str:
        self.messages.append(message)
        if self.error is not None:
            raise self.error
        return self.result


@pytest.fixture
def own_registry() -> GatewayRegistry:
    built = GatewayRegistry()

    @built.register("good")
    class Good(Recording):
        pass

    @built.register("down")
    class Down(Recording):
        error = GatewayError("down: HTTP 503")

    @built.register("refused")
    class Refused(Recording):
        error = PermanentGatewayError("refused: HTTP 400")

    return built


def test_a_test_can_build_its_own_registry(own_registry: GatewayRegistry) -> None:
    assert own_registry.names() == ["good", "down", "refused"]
    assert own_registry.get("good").name == "good"
    assert "console" not in own_registry
    with pytest.raises(KeyError):
        own_registry.get("console")
    with pytest.raises(ValueError, match="good"):
        own_registry.register("good")(Recording)


def test_gateways_default_to_console(settings: Any) -> None:
    del settings.NOTIFICATION_GATEWAYS

    assert [gateway.name for gateway in gateways_for(make_message())] == ["console"]


def test_unknown_gateway_name_is_a_configuration_error(settings: Any) -> None:
    settings.NOTIFICATION_GATEWAYS = ["console", "telegram"]

    with pytest.raises(ImproperlyConfigured, match="telegram"):
        gateways_for(make_message())


def test_notify_returns_provider_ids_by_gateway(
    settings: Any, own_registry: GatewayRegistry
) -> None:
    settings.NOTIFICATION_GATEWAYS = ["good"]

    assert notify(make_message(), gateway_registry=own_registry) == {"good": "id-1"}


def test_notify_sends_through_the_others_then_raises_with_what_was_sent(
    settings: Any, own_registry: GatewayRegistry
) -> None:
    settings.NOTIFICATION_GATEWAYS = ["down", "good"]
    good = own_registry.get("good")
    assert isinstance(good, Recording)

    with pytest.raises(GatewayError, match="down") as caught:
        notify(make_message(), gateway_registry=own_registry)

    assert good.messages == [make_message()]
    assert caught.value.sent == {"good": "id-1"}


def test_notify_retry_skips_gateways_that_already_sent(
    settings: Any, own_registry: GatewayRegistry
) -> None:
    settings.NOTIFICATION_GATEWAYS = ["good", "down"]
    good = own_registry.get("good")
    assert isinstance(good, Recording)

    with pytest.raises(GatewayError) as caught:
        notify(make_message(), skip={"good"}, gateway_registry=own_registry)

    assert good.messages == []
    assert caught.value.sent == {}


def test_notify_prefers_a_temporary_error_so_the_caller_retries(
    settings: Any, own_registry: GatewayRegistry
) -> None:
    settings.NOTIFICATION_GATEWAYS = ["refused", "down", "good"]

    with pytest.raises(GatewayError) as caught:
        notify(make_message(), gateway_registry=own_registry)

    assert not isinstance(caught.value, PermanentGatewayError)
    assert caught.value.sent == {"good": "id-1"}


def test_notify_through_the_real_sms_and_email_gateways(
    settings: Any, sms: HttpSmsGateway, provider: Provider, mailoutbox: list[Any]
) -> None:
    settings.NOTIFICATION_GATEWAYS = ["sms", "email"]

    assert notify(make_message()) == {"sms": "abc", "email": ""}
    assert len(provider.requests) == 1
    assert len(mailoutbox) == 1


def test_notify_sms_down_email_still_sent(
    settings: Any, sms: HttpSmsGateway, provider: Provider, mailoutbox: list[Any]
) -> None:
    settings.NOTIFICATION_GATEWAYS = ["sms", "email"]
    provider.mode = "error"

    with pytest.raises(GatewayError, match="HTTP 500") as caught:
        notify(make_message())

    assert caught.value.sent == {"email": ""}
    assert len(mailoutbox) == 1

"""Gateways that tell a citizen about their application: SMS, e-mail, or the log.

``notify(message)`` sends one ``Message`` (already rendered in the citizen's language, see
``intake.notices``) through every gateway named in ``settings.NOTIFICATION_GATEWAYS`` and
returns ``{gateway_name: provider_message_id}``. A gateway raises ``GatewayError`` for a
temporary failure (the caller retries) and ``PermanentGatewayError`` when retrying cannot help.
When a gateway fails the others still run; the error raised afterwards carries ``.sent``, the
gateways that succeeded, so that a retry can pass them as ``skip``.

Adding a gateway: write a class with a ``send(message) -> str`` method that reads its settings
at send time, returns the provider's message id (or ``""``) and raises ``GatewayError`` or
``PermanentGatewayError``; decorate it with ``@registry.register("name")`` in a module that is
imported at start-up (this one, or one imported from ``IntakeConfig.ready``); then add
``"name"`` to ``NOTIFICATION_GATEWAYS``. The registry gives the instance its ``name`` and
refuses a name registered twice. Tests build their own ``GatewayRegistry`` and pass it as
``gateway_registry``.

Message texts may contain personal data: gateways log the reference, the subject and masked
addresses only, never the text, a full phone number or e-mail address, or a credential.
"""

import http.client
import json
import logging
import re
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage

logger = logging.getLogger(__name__)

DEFAULT_SMS_TEMPLATE: dict[str, Any] = {"to": "{phone}", "text": "{text}", "ref": "{reference}"}
DEFAULT_SMS_TIMEOUT = 10.0
# Enough for any provider's acknowledgement; a longer answer is not read.
MAX_RESPONSE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Message:
    """One notification to one citizen, already rendered in their language."""

    recipient_phone: str  # "+998901234567" or ""
    recipient_email: str  # or ""
    subject: str
    text: str
    reference: str  # idempotency reference, e.g. "application:42:registered"


class GatewayError(Exception):
    """A temporary failure: the caller retries. ``sent`` holds what ``notify`` did send."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.sent: dict[str, str] = {}


class PermanentGatewayError(GatewayError):
    """The provider refused the message for good (a bad number, bad credentials): no retry."""


class Gateway(Protocol):
    name: str

    def send(self, message: Message) -> str:
        """Send ``message``; return the provider's message id or ``""``."""
        ...


G = TypeVar("G", bound=Gateway)


class GatewayRegistry:
    """Gateways by name, each registered once with ``@registry.register(name)``."""

    def __init__(self) -> None:
        self._gateways: dict[str, Gateway] = {}

    def register(self, name: str) -> Callable[[type[G]], type[G]]:
        def decorator(gateway_class: type[G]) -> type[G]:
            if name in self._gateways:
                raise ValueError(f"a notification gateway named {name!r} is already registered")
            gateway = gateway_class()
            gateway.name = name
            self._gateways[name] = gateway
            return gateway_class

        return decorator

    def get(self, name: str) -> Gateway:
        """The gateway registered as ``name``; ``KeyError`` if there is none."""
        return self._gateways[name]

    def names(self) -> list[str]:
        return list(self._gateways)

    def __contains__(self, name: object) -> bool:
        return name in self._gateways

    def __iter__(self) -> Iterator[Gateway]:
        return iter(self._gateways.values())


registry = GatewayRegistry()


def mask_phone(phone: str) -> str:
    """ "+998901234567" → "+998 90 *** ** 67": enough to tell numbers apart in a log."""
    if not phone:
        return "-"
    compact = re.sub(r"[\s()-]", "", phone)
    if re.fullmatch(r"\+998\d{9}", compact):
        return f"+998 {compact[4:6]} *** ** {compact[-2:]}"
    if len(compact) >= 6:
        return f"*** ** {compact[-2:]}"
    return "***"


def mask_email(email: str) -> str:
    """ "aziz@example.uz" → "a***@example.uz"."""
    if not email:
        return "-"
    local, at, domain = email.rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


@registry.register("console")
class ConsoleGateway:
    """Writes a line to the log instead of sending: for development and the demo."""

    name: str

    def send(self, message: Message) -> str:
        logger.info(
            "notification %s %r to phone %s, e-mail %s",
            message.reference,
            message.subject,
            mask_phone(message.recipient_phone),
            mask_email(message.recipient_email),
        )
        return ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a GET and send the Authorization header to
    # whatever host the redirect names; a redirect is an error in the configured URL instead.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _fill(template: Any, values: dict[str, str]) -> Any:
    """The template with ``{name}`` placeholders filled in every string, at any depth."""
    if isinstance(template, str):
        try:
            return template.format_map(values)
        except (KeyError, IndexError, ValueError) as error:
            raise ImproperlyConfigured(
                f"SMS_GATEWAY_TEMPLATE: cannot fill {template!r} ({error!r}); "
                f"the placeholders are {', '.join(sorted(values))}"
            ) from error
    if isinstance(template, dict):
        return {key: _fill(value, values) for key, value in template.items()}
    if isinstance(template, list | tuple):
        return [_fill(value, values) for value in template]
    return template


@registry.register("sms")
class HttpSmsGateway:
    """POSTs JSON to an SMS provider's HTTP API (``SMS_GATEWAY_URL``) with a bearer token.

    The body is ``SMS_GATEWAY_TEMPLATE`` with ``{phone}``, ``{phone_digits}``, ``{email}``,
    ``{subject}``, ``{text}`` and ``{reference}`` filled in; the answer's ``"id"`` is returned.
    """

    name: str

    def send(self, message: Message) -> str:
        url = getattr(settings, "SMS_GATEWAY_URL", "")
        if not url:
            raise ImproperlyConfigured("SMS_GATEWAY_URL is not set but the sms gateway is enabled")
        address = urlsplit(url)
        if address.scheme not in ("http", "https") or not address.hostname:
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be an http:// or https:// URL")
        if not message.recipient_phone:
            return ""
        host = address.hostname  # for messages: the URL itself may carry a credential
        token = getattr(settings, "SMS_GATEWAY_TOKEN", "")
        template = getattr(settings, "SMS_GATEWAY_TEMPLATE", DEFAULT_SMS_TEMPLATE)
        timeout = float(getattr(settings, "SMS_GATEWAY_TIMEOUT", DEFAULT_SMS_TIMEOUT))

        values = {
            "phone": message.recipient_phone,
            "phone_digits": re.sub(r"\D", "", message.recipient_phone),
            "email": message.recipient_email,
            "subject": message.subject,
            "text": message.text,
            "reference": message.reference,
        }
        body = json.dumps(_fill(template, values), ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        # The scheme is checked above: urllib cannot be pointed at file:// or similar.
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=timeout) as response:
                status = response.status
                answer = response.read(MAX_RESPONSE_BYTES)
        except urllib.error.HTTPError as error:
            raise self._refusal(error.code, host, message) from None
        except (OSError, http.client.HTTPException) as error:
            # Connection refused, DNS, TLS, timeouts (while connecting or reading).
            raise GatewayError(
                f"sms: {host} unreachable for {message.reference}: {error}"
            ) from None

        provider_id = _provider_id(answer)
        logger.info(
            "sms %s to %s accepted by %s (HTTP %s, id %r)",
            message.reference,
            mask_phone(message.recipient_phone),
            host,
            status,
            provider_id,
        )
        return provider_id

    @staticmethod
    def _refusal(status: int, host: str, message: Message) -> GatewayError:
        text = f"sms: {host} answered HTTP {status} for {message.reference}"
        # 408 and 429 are the provider asking us to come back later.
        if status >= 500 or status in (408, 429):
            return GatewayError(text)
        if 300 <= status < 400:
            return PermanentGatewayError(f"{text}; set SMS_GATEWAY_URL to the final address")
        return PermanentGatewayError(text)


def _provider_id(answer: bytes) -> str:
    try:
        data = json.loads(answer)
    except ValueError:
        return ""
    if not isinstance(data, dict) or data.get("id") is None:
        return ""
    return str(data["id"])


@registry.register("email")
class EmailGateway:
    """Sends the text by e-mail through Django's configured ``EMAIL_BACKEND``."""

    name: str

    def send(self, message: Message) -> str:
        if not message.recipient_email:
            return ""
        email = EmailMessage(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient_email],
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            text = f"email: recipient refused for {message.reference}"
            codes = [code for code, _reply in error.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentGatewayError(text) from None
            raise GatewayError(text) from None
        except OSError as error:  # smtplib.SMTPException is an OSError
            raise GatewayError(
                f"email: not sent for {message.reference}: {type(error).__name__}: {error}"
            ) from None
        logger.info("email %s sent to %s", message.reference, mask_email(message.recipient_email))
        return ""


def gateways_for(
    message: Message, *, gateway_registry: GatewayRegistry | None = None
) -> list[Gateway]:
    """The gateways named in ``NOTIFICATION_GATEWAYS``, in that order."""
    known = registry if gateway_registry is None else gateway_registry
    names = getattr(settings, "NOTIFICATION_GATEWAYS", ["console"])
    if isinstance(names, str):  # "sms,email" from an environment variable
        names = [name.strip() for name in names.split(",") if name.strip()]
    gateways: list[Gateway] = []
    for name in dict.fromkeys(names):
        if name not in known:
            raise ImproperlyConfigured(
                f"NOTIFICATION_GATEWAYS names {name!r}, which is not a notification gateway; "
                f"known: {', '.join(known.names())}"
            )
        gateways.append(known.get(name))
    return gateways


def notify(
    message: Message,
    *,
    skip: Collection[str] = (),
    gateway_registry: GatewayRegistry | None = None,
) -> dict[str, str]:
    """Send ``message`` through every configured gateway not in ``skip``; ``{name: id}``.

    Every gateway is tried. If any failed, the first temporary error is raised afterwards (the
    first permanent one if all failures were permanent) with ``.sent`` set to what went out.
    """
    sent: dict[str, str] = {}
    errors: list[GatewayError] = []
    for gateway in gateways_for(message, gateway_registry=gateway_registry):
        if gateway.name in skip:
            continue
        try:
            sent[gateway.name] = gateway.send(message)
        except GatewayError as error:
            logger.warning("notification %s not sent: %s", message.reference, error)
            errors.append(error)
    if errors:
        temporary = [error for error in errors if not isinstance(error, PermanentGatewayError)]
        first = (temporary or errors)[0]
        first.sent = sent
        raise first
    return sent

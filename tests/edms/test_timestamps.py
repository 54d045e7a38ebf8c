"""RFC 3161 time-stamps on signatures, against a real time-stamp authority on this machine: an
HTTP server answering ``application/timestamp-query`` with pyHanko's ``DummyTimeStamper`` and a
certificate issued by the test authority for time-stamping only."""

import io
import re
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from asn1crypto import cms, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.core.exceptions import ValidationError
from django.utils import translation
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from edms.signing.certificates import Identity, authority_create, certificate_issue
from edms.signing.detached import detached_sign
from edms.signing.pades import _signature_contents, pdf_sign
from edms.signing.timestamps import timestamp_required, timestamp_time, tsa_url
from edms.signing.verification import detached_signatures, pdf_signatures
from tests.edms.factories import blank_pdf


@pytest.fixture(scope="module")
def authority() -> Identity:
    return authority_create(name="Time-stamp test CA")


@pytest.fixture(scope="module")
def signer(authority: Identity) -> Identity:
    return certificate_issue(authority=authority, common_name="Rahimov Baxtiyor")


def tsa_identity(authority: Identity) -> Identity:
    return certificate_issue(
        authority=authority, common_name="Test TSA", valid_days=30, time_stamping=True
    )


@dataclass
class Authority:
    """The time-stamp authority's state: how it answers, and the requests it received."""

    url: str
    stamper: DummyTimeStamper
    mode: str = "stamp"
    requests: list[bytes] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)  # HTTP statuses actually sent


class _Server(ThreadingHTTPServer):
    tsa: Authority


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        tsa = self.server.tsa
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        tsa.requests.append(body)
        if tsa.mode == "error":
            self._answer(500, "text/plain", b"internal error")
        elif tsa.mode == "garbage":
            self._answer(200, "application/timestamp-reply", b"\x30\x82\x01\x00 not DER at all")
        elif tsa.mode == "html":
            self._answer(200, "text/html", b"<html>maintenance</html>")
        elif tsa.mode == "rejection":
            # TimeStampResp { status { status rejection(2) } } and no token, as RFC 3161 has it
            # (asn1crypto will not build one without the token).
            self._answer(200, "application/timestamp-reply", bytes.fromhex("30053003020102"))
        else:
            request = tsp.TimeStampReq.load(body)
            answer = tsa.stamper.request_tsa_response(request)
            self._answer(200, "application/timestamp-reply", answer.dump())

    def _answer(self, status: int, content_type: str, body: bytes) -> None:
        # Recorded before the answer leaves: the client may read it and the test check the
        # record before this thread runs again.
        self.server.tsa.answered.append(status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def tsa(authority: Identity) -> Iterator[Authority]:
    identity = tsa_identity(authority)
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(identity.certificate.public_bytes(Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            identity.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        ),
    )
    server = _Server(("127.0.0.1", 0), _Handler)
    host, port = server.server_address[:2]
    server.tsa = Authority(url=f"http://{host!s}:{port}/tsa", stamper=stamper)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.tsa
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def closed_port_url() -> str:
    """A local address nothing listens on: the port was free a moment ago and is closed now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"


@pytest.fixture(autouse=True)
def short_timeout(settings: Any) -> None:
    settings.SIGNING_TSA_TIMEOUT = 5.0
    settings.SIGNING_TSA_URL = ""


def last_signature_cms(pdf: bytes) -> bytes:
    start = [m.start() for m in re.finditer(rb"/ByteRange", pdf)][-1]
    return _signature_contents(pdf, start)


def pyhanko_statuses(pdf: bytes, authority: Identity) -> list[PdfSignatureStatus]:
    """pyHanko's own validation of every signature, with the test authority as the only root."""
    signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(authority.certificate.public_bytes(Encoding.DER))],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    # pyHanko's sync API runs its own event loop: on a thread of its own, as in test_signing.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return [
            pool.submit(validate_pdf_signature, embedded, context).result()
            for embedded in signatures
        ]


def test_a_signature_carries_the_authoritys_time_stamp_and_pyhanko_validates_it(
    authority: Identity, signer: Identity, tsa: Authority
) -> None:
    before = datetime.now(UTC)
    signed = pdf_sign(blank_pdf(), identity=signer, reason="Signed", timestamp_url=tsa.url)
    after = datetime.now(UTC)

    assert tsa.answered == [200]  # one time-stamp, over the final signature value
    stamped_at = timestamp_time(last_signature_cms(signed))
    assert stamped_at is not None
    # The authority stamps with its own clock (here, this machine's), between the two readings.
    assert before - timedelta(seconds=1) <= stamped_at <= after + timedelta(seconds=1)

    (status,) = pyhanko_statuses(signed, authority)
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact
    assert status.timestamp_validity.valid
    assert status.timestamp_validity.trusted
    assert abs(status.timestamp_validity.timestamp - stamped_at) < timedelta(seconds=1)

    (report,) = pdf_signatures(signed, trust_roots=[authority.certificate])
    assert report.intact
    assert report.trusted
    assert not report.modified_after


def test_the_setting_names_the_authority_and_an_empty_url_signs_without(
    settings: Any, signer: Identity, tsa: Authority
) -> None:
    settings.SIGNING_TSA_URL = tsa.url
    assert tsa_url() == tsa.url
    stamped = pdf_sign(blank_pdf(), identity=signer, reason="Signed")
    assert timestamp_time(last_signature_cms(stamped)) is not None
    assert len(tsa.requests) == 1

    plain = pdf_sign(blank_pdf(), identity=signer, reason="Signed", timestamp_url="")
    assert len(tsa.requests) == 1  # not asked
    assert timestamp_time(last_signature_cms(plain)) is None
    with pytest.raises(ValidationError):
        timestamp_required(last_signature_cms(plain))


def test_visas_and_a_final_signature_are_each_time_stamped(
    authority: Identity, signer: Identity, tsa: Authority
) -> None:
    pdf = blank_pdf()
    for reason in ("Visa", "Visa", "Signed"):
        pdf = pdf_sign(pdf, identity=signer, reason=reason, timestamp_url=tsa.url)
    assert len(tsa.requests) == 3
    reports = pdf_signatures(pdf, trust_roots=[authority.certificate])
    assert [r.intact and r.trusted and not r.modified_after for r in reports] == [True] * 3
    for status in pyhanko_statuses(pdf, authority):
        assert status.timestamp_validity is not None
        assert status.timestamp_validity.valid
        assert status.timestamp_validity.trusted


def assert_refused(caught: pytest.ExceptionInfo[ValidationError]) -> None:
    assert caught.value.code == "no_timestamp"
    with translation.override("en"):
        assert "nothing was signed" in caught.value.messages[0]


def test_an_unreachable_authority_signs_nothing(signer: Identity, closed_port_url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        pdf_sign(blank_pdf(), identity=signer, reason="Signed", timestamp_url=closed_port_url)
    assert_refused(caught)


@pytest.mark.parametrize("mode", ["error", "garbage", "html", "rejection"])
def test_an_authority_without_a_usable_answer_signs_nothing(
    signer: Identity, tsa: Authority, mode: str
) -> None:
    tsa.mode = mode
    with pytest.raises(ValidationError) as caught:
        pdf_sign(blank_pdf(), identity=signer, reason="Signed", timestamp_url=tsa.url)
    assert_refused(caught)
    # It was asked and did answer (as the mode says), and its answer was not taken.
    assert tsa.answered == [500 if mode == "error" else 200]


def test_a_time_stamp_over_something_else_is_not_accepted(signer: Identity, tsa: Authority) -> None:
    stamped = last_signature_cms(
        pdf_sign(blank_pdf(), identity=signer, reason="Signed", timestamp_url=tsa.url)
    )
    # The same CMS with one bit of the signature value flipped: the token no longer covers it.
    info = cms.ContentInfo.load(stamped)
    signer_info = info["content"]["signer_infos"][0]
    value = bytearray(signer_info["signature"].native)
    value[0] ^= 0x01
    signer_info["signature"] = bytes(value)
    with pytest.raises(ValidationError):
        timestamp_required(info.dump(force=True))
    assert timestamp_time(info.dump(force=True)) is None


def test_a_detached_signature_is_time_stamped_or_not_made(
    authority: Identity, signer: Identity, tsa: Authority, closed_port_url: str
) -> None:
    data = b"Ilova: smeta jadvali"
    signature = detached_sign(data, identity=signer, timestamp_url=tsa.url)
    assert tsa.answered == [200]
    assert timestamp_time(signature) is not None
    (report,) = detached_signatures(data, signature, trust_roots=[authority.certificate])
    assert report.intact
    assert report.trusted

    with pytest.raises(ValidationError) as caught:
        detached_sign(data, identity=signer, timestamp_url=closed_port_url)
    assert_refused(caught)
    tsa.mode = "garbage"
    with pytest.raises(ValidationError) as caught:
        detached_sign(data, identity=signer, timestamp_url=tsa.url)
    assert_refused(caught)

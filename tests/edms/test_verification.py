"""Paper dispatches: the printed cover sheet with its QR code, and the public check at /verify/."""

import re
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from edms.attachments import attachment_add, attachment_add_version
from edms.codes import ALPHABET, LENGTH, format_code, new_code, normalize_code
from edms.models import Attachment, Dispatch, Journal
from tests.edms.factories import registered, user
from tests.edms.test_workspace import PNG_1x1

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client: Client) -> Iterator[None]:
    client.cookies["language"] = "en"
    with translation.override("en"):
        yield


def test_codes_are_long_random_and_free_of_look_alikes() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == LENGTH
        assert not set(code) & set("0O1I")
    assert len(ALPHABET) == 32  # 5 bits a character: 16 characters are 80 bits
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", format_code(new_code()))


@given(st.text(alphabet=ALPHABET, min_size=LENGTH, max_size=LENGTH))
def test_a_code_typed_with_dashes_spaces_or_lower_case_is_the_same_code(code: str) -> None:
    assert normalize_code(format_code(code).lower()) == code
    assert normalize_code(" ".join(format_code(code).split("-"))) == code


def test_what_cannot_be_a_code_is_refused() -> None:
    for typed in ("", "ABC", "O" * LENGTH, "1" * LENGTH, "A" * (LENGTH + 1), "<script>"):
        assert normalize_code(typed) == ""


def anonymous(client: Client) -> None:
    client.logout()
    client.cookies["language"] = "en"


def paper_dispatch(client: Client, *, confidential: bool = False) -> tuple[Dispatch, str]:
    registrar = user("jizzakh-city.registrar")
    document = registered(
        "jizzakh-city",
        kind=Journal.Kind.OUTGOING,
        title="Yer uchastkasi haqida javob",
        confidential=confidential,
    )
    if confidential:
        document.participants.add(registrar)
    version = attachment_add(
        document=document,
        by=registrar,
        upload=SimpleUploadedFile("javob.png", PNG_1x1),
        role=Attachment.Role.MAIN,
    )
    client.force_login(registrar)
    response = client.post(
        reverse("edms:send", args=[document.pk]),
        {
            "channel": Dispatch.Channel.PAPER,
            "recipient_name": "Karimov Anvar",
            "recipient_address": "Jizzax sh., Sharof Rashidov koʻchasi 5",
        },
    )
    dispatch = Dispatch.objects.get(document=document)
    assert response.status_code == 302
    assert response["Location"] == reverse("edms:dispatch_print", args=[dispatch.pk])
    return dispatch, version.sha256


def test_a_paper_dispatch_prints_with_its_qr_code(client: Client) -> None:
    dispatch, sha256 = paper_dispatch(client)
    html = client.get(reverse("edms:dispatch_print", args=[dispatch.pk])).content.decode()
    assert dispatch.document.reg_number in html
    assert "Karimov Anvar" in html
    assert sha256 in html
    assert "<svg" in html
    assert dispatch.verification_code_display in html
    assert f"/verify/{dispatch.verification_code}/" in html


def test_anyone_checks_the_paper_without_an_account(client: Client) -> None:
    dispatch, sha256 = paper_dispatch(client)
    # A newer version uploaded later is not what the addressee received.
    later = attachment_add_version(
        attachment=dispatch.document.attachments.get(),
        by=user("jizzakh-city.registrar"),
        upload=SimpleUploadedFile("javob.png", PNG_1x1 + b"\x00"),
    )
    anonymous(client)
    typed = format_code(dispatch.verification_code).lower()
    response = client.get(reverse("verify_lookup"), {"code": typed})
    assert response["Location"] == reverse("verify", args=[dispatch.verification_code])
    html = client.get(response["Location"]).content.decode()
    assert "This document is genuine" in html
    assert dispatch.document.reg_number in html
    assert "Yer uchastkasi haqida javob" in html
    assert sha256 in html
    assert later.sha256 not in html


def test_a_confidential_documents_check_names_no_subject_and_no_files(client: Client) -> None:
    dispatch, sha256 = paper_dispatch(client, confidential=True)
    anonymous(client)
    html = client.get(reverse("verify", args=[dispatch.verification_code])).content.decode()
    assert dispatch.document.reg_number in html
    assert "Yer uchastkasi haqida javob" not in html
    assert sha256 not in html
    assert "Karimov Anvar" not in html


def test_the_check_speaks_uzbek_by_default(client: Client) -> None:
    dispatch, _sha256 = paper_dispatch(client)
    client.logout()  # which forgets the language cookie too
    html = client.get(reverse("verify", args=[dispatch.verification_code])).content.decode()
    assert "Hujjat haqiqiy" in html


def test_wrong_codes_get_not_found_and_are_rate_limited(client: Client) -> None:
    statuses = []
    for _ in range(12):  # the test settings allow 10 a minute
        response = client.get(reverse("verify", args=[new_code()]))
        statuses.append(response.status_code)
    assert statuses[:10] == [404] * 10
    assert (
        "No document has this verification code"
        in client.get(reverse("verify", args=["NOPE"]), REMOTE_ADDR="10.0.0.9").content.decode()
    )
    assert statuses[-1] == 429

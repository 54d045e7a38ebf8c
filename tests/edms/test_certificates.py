"""Signing certificates: issued by the demo authority (command or self-service), imported from a
PKCS#12 file, revoked by the office's administrator; bad input gets a clear message."""

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from edms.models import SigningCertificate
from edms.signing.certificates import authority_create, certificate_issue, pkcs12_export
from edms.signing.keys import current_certificate, demo_authority, signing_identity
from tests.edms.factories import user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PASSPHRASE = "mening-kalitim-2026"


def key_file(name: str = "key.p12", *, authority: Any = None, **issue: Any) -> SimpleUploadedFile:
    identity = certificate_issue(
        authority=authority or demo_authority(), common_name="Sherzod Qodirov", **issue
    )
    data = pkcs12_export(identity, passphrase=PASSPHRASE)
    return SimpleUploadedFile(name, data, "application/x-pkcs12")


def test_issue_certificate_reads_the_passphrase_from_stdin_never_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    holder = user("jizzakh-city.controller")
    assert current_certificate(holder) is None
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSPHRASE + "\n"))
    out = io.StringIO()
    call_command("issue_certificate", holder.username, "--passphrase-stdin", stdout=out)
    row = current_certificate(holder)
    assert row is not None
    assert row.serial in out.getvalue()
    assert PASSPHRASE not in out.getvalue()
    _row, identity = signing_identity(user=holder, passphrase=PASSPHRASE)
    assert identity.certificate.subject.rfc4514_string() == row.subject

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="at least 8 characters"):
        call_command("issue_certificate", holder.username, "--passphrase-stdin")
    with pytest.raises(CommandError, match="No user"):
        call_command("issue_certificate", "nobody.here", "--passphrase-stdin")

    call_command("revoke_certificate", row.serial, "--reason", "Kalit yoʻqolgan", stdout=out)
    assert current_certificate(holder) is None


def test_staff_issue_their_own_demo_certificate_under_their_own_passphrase(
    client: Client,
) -> None:
    holder = user("jizzakh-city.controller")
    client.force_login(holder)
    page = client.get(reverse("edms:certificate"))
    assert "Issue my certificate" in page.content.decode()
    differ = client.post(
        reverse("edms:certificate"),
        {"action": "issue", "new_passphrase": PASSPHRASE, "new_passphrase_again": "boshqa-parol"},
    )
    assert "The two passphrases differ." in differ.content.decode()
    assert PASSPHRASE not in differ.content.decode()
    assert current_certificate(holder) is None
    done = client.post(
        reverse("edms:certificate"),
        {"action": "issue", "new_passphrase": PASSPHRASE, "new_passphrase_again": PASSPHRASE},
    )
    assert done.status_code == 302
    assert current_certificate(holder) is not None


def test_with_configured_authorities_staff_import_rather_than_issue(
    client: Client, settings: Any, tmp_path: Any
) -> None:
    root = tmp_path / "ca.pem"
    root.write_bytes(b"")  # never read: issuance is refused before
    settings.SIGNING_TRUST_ROOTS = [str(root)]
    client.force_login(user("jizzakh-city.controller"))
    assert "Issue my certificate" not in client.get(reverse("edms:certificate")).content.decode()
    refused = client.post(
        reverse("edms:certificate"),
        {"action": "issue", "new_passphrase": PASSPHRASE, "new_passphrase_again": PASSPHRASE},
    )
    assert refused.status_code == 403


def test_a_pkcs12_file_is_imported_once_its_passphrase_opens_it(client: Client) -> None:
    holder = user("jizzakh-city.controller")
    client.force_login(holder)
    url = reverse("edms:certificate")
    upload = key_file()
    wrong = client.post(url, {"key_file": upload, "passphrase": "notthepassphrase"})
    assert "The passphrase is wrong, or the key file is damaged." in wrong.content.decode()
    assert not SigningCertificate.objects.filter(user=holder).exists()

    garbage = SimpleUploadedFile("key.p12", b"not a key file at all", "application/x-pkcs12")
    html = client.post(url, {"key_file": garbage, "passphrase": PASSPHRASE}).content.decode()
    assert "The passphrase is wrong, or the key file is damaged." in html

    expired = key_file(valid_days=10, now=datetime.now(UTC) - timedelta(days=40))
    html = client.post(url, {"key_file": expired, "passphrase": PASSPHRASE}).content.decode()
    assert "expired on" in html
    assert not SigningCertificate.objects.filter(user=holder).exists()

    upload.seek(0)
    assert client.post(url, {"key_file": upload, "passphrase": PASSPHRASE}).status_code == 302
    row = SigningCertificate.objects.get(user=holder)
    assert row.source == SigningCertificate.Source.IMPORTED
    upload.seek(0)
    again = client.post(url, {"key_file": upload, "passphrase": PASSPHRASE})
    assert "This certificate has already been added." in again.content.decode()


def test_a_certificate_from_an_authority_not_trusted_here_is_refused(client: Client) -> None:
    client.force_login(user("jizzakh-city.controller"))
    upload = key_file(authority=authority_create(name="Boshqa CA"))
    html = client.post(
        reverse("edms:certificate"), {"key_file": upload, "passphrase": PASSPHRASE}
    ).content.decode()
    assert "not issued by an authority trusted here" in html
    assert not SigningCertificate.objects.filter(user=user("jizzakh-city.controller")).exists()


def test_the_office_administrator_sees_and_revokes_only_their_offices_certificates(
    client: Client,
) -> None:
    own = current_certificate(user("jizzakh-city.lawyer"))
    other = current_certificate(user("namangan-city.lawyer"))
    assert own is not None
    assert other is not None
    client.force_login(user("jizzakh-city.office-admin"))
    listing = client.get(reverse("wagtailsnippets_edms_signingcertificate:list"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert own.serial in html
    assert other.serial not in html
    other_edit = reverse("wagtailsnippets_edms_signingcertificate:edit", args=[other.pk])
    assert client.get(other_edit).status_code == 404

    edit = reverse("wagtailsnippets_edms_signingcertificate:edit", args=[own.pk])
    assert client.get(edit).status_code == 200
    client.post(edit, {"revocation_reason": "Xodim boshqa ishga oʻtdi"})
    own.refresh_from_db()
    assert own.revoked_at is not None
    assert own.revocation_reason == "Xodim boshqa ishga oʻtdi"
    assert current_certificate(user("jizzakh-city.lawyer")) is None

"""Downloads behind nginx: with ``FILES_ACCEL_REDIRECT_PREFIX`` set, every file view answers with
``X-Accel-Redirect`` (nginx sends the bytes); without it the application streams the file; and
either way only after the same access check, so another office's user still gets a 404.

The suite keeps files in memory, which nginx could never reach; these tests store them on disk
under a temporary MEDIA_ROOT, as production does.
"""

from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import reverse

from edms.approvals import draft_create, route_from_template
from edms.attachments import attachment_add
from edms.downloads import accel_redirect_path
from edms.models import ApprovalStep, AttachmentVersion, Draft, DraftVersion, Office
from tests.edms.factories import registered, user
from tests.intake.factories import decide, submit

pytestmark = pytest.mark.django_db

PREFIX = "/protected-media"
PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f5a4d70000000049454e44ae426082"
)


@pytest.fixture
def media_on_disk(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """MEDIA_ROOT on disk for this test. Only the default storage object is swapped (and put
    back): resetting STORAGES would replace the in-memory storage, and with it the demo's files
    that other tests read."""
    settings.MEDIA_ROOT = str(tmp_path)
    assert default_storage.__class__  # the lazy default storage is set up, so it can be restored
    monkeypatch.setattr(default_storage, "_wrapped", FileSystemStorage(location=str(tmp_path)))
    return tmp_path


def signed_in(client: Client, username: str) -> Client:
    client.force_login(user(username))
    return client


def a_scan(office: str = "jizzakh-city") -> AttachmentVersion:
    document = registered(office)
    return attachment_add(
        document=document,
        by=user(f"{office}.registrar"),
        upload=SimpleUploadedFile("Ariza skani.png", PNG_1x1, content_type="image/png"),
    )


def assert_handed_to_nginx(response: HttpResponseBase, stored: FieldFile, media: Path) -> None:
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"{PREFIX}/{stored.name}"
    assert not response.streaming
    assert response.content == b""  # type: ignore[attr-defined]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment; ")
    # What nginx's internal location (an alias of MEDIA_ROOT) will find under that name.
    assert (media / unquote(response["X-Accel-Redirect"].removeprefix(f"{PREFIX}/"))).is_file()


def test_an_attachment_is_handed_to_nginx_with_its_name_and_type(
    client: Client, media_on_disk: Path, settings: Any
) -> None:
    settings.FILES_ACCEL_REDIRECT_PREFIX = PREFIX + "/"  # a trailing slash is the same prefix
    version = a_scan()
    response = signed_in(client, "jizzakh-city.registrar").get(
        reverse("edms:download", args=[version.pk])
    )
    assert_handed_to_nginx(response, version.file, media_on_disk)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="Ariza skani.png"'
    assert (media_on_disk / version.file.name).read_bytes() == PNG_1x1


def test_without_a_prefix_the_application_streams_the_file(
    client: Client, media_on_disk: Path, settings: Any
) -> None:
    settings.FILES_ACCEL_REDIRECT_PREFIX = ""
    version = a_scan()
    response = signed_in(client, "jizzakh-city.registrar").get(
        reverse("edms:download", args=[version.pk])
    )
    assert response.status_code == 200
    assert "X-Accel-Redirect" not in response
    assert response.streaming
    assert b"".join(response.streaming_content) == PNG_1x1  # type: ignore[attr-defined]
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="Ariza skani.png"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_another_offices_user_gets_a_404_and_no_file(
    client: Client, media_on_disk: Path, settings: Any
) -> None:
    settings.FILES_ACCEL_REDIRECT_PREFIX = PREFIX
    version = a_scan("jizzakh-city")
    for outsider in ("namangan-city.registrar", "namangan-city.head"):
        response = signed_in(client, outsider).get(reverse("edms:download", args=[version.pk]))
        assert response.status_code == 404
        assert "X-Accel-Redirect" not in response
    client.logout()
    anonymous = client.get(reverse("edms:download", args=[version.pk]))
    assert anonymous.status_code == 302  # to the login page
    assert "X-Accel-Redirect" not in anonymous


def test_drafts_and_detached_signatures_are_handed_over_only_to_those_who_see_them(
    client: Client, media_on_disk: Path, settings: Any
) -> None:
    settings.FILES_ACCEL_REDIRECT_PREFIX = PREFIX
    office = Office.objects.get(code="jizzakh-city")
    draft = draft_create(
        by=user("jizzakh-city.registrar"),
        office=office,
        kind=Draft.Kind.LETTER,
        title="Obodonlashtirish toʻgʻrisida",
        body="Matn",
        route=route_from_template(office=office, kind=Draft.Kind.LETTER),
    )
    version = draft.current_version()
    assert isinstance(version, DraftVersion)
    step = version.steps.first()
    assert isinstance(step, ApprovalStep)
    step.detached_signature.save(f"{step.pk}.p7s", ContentFile(b"0\x82\x01\x00"), save=True)
    original = reverse("edms:draft_file", args=[version.pk, "original"])
    signature = reverse("edms:step_signature", args=[step.pk])

    signed_in(client, "jizzakh-city.registrar")
    response = client.get(original)
    assert_handed_to_nginx(response, version.file, media_on_disk)
    assert response["Content-Type"] == "application/pdf"
    response = client.get(signature)
    assert_handed_to_nginx(response, step.detached_signature, media_on_disk)
    assert response["Content-Type"] == "application/pkcs7-signature"
    assert response["Content-Disposition"].endswith(f'.{step.pk}.p7s"')
    # No signatures yet: there is no signed file to hand over.
    assert client.get(reverse("edms:draft_file", args=[version.pk, "signed"])).status_code == 404

    signed_in(client, "namangan-city.registrar")
    for url in (original, signature):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "X-Accel-Redirect" not in response


def test_the_citizen_gets_the_decision_through_nginx_by_tracking_code_only(
    client: Client, media_on_disk: Path, settings: Any
) -> None:
    settings.FILES_ACCEL_REDIRECT_PREFIX = PREFIX
    application = decide(submit().application)
    result = application.result_file
    assert result is not None
    response = client.get(reverse("intake:result", args=[application.tracking_code]))
    assert_handed_to_nginx(response, result.file, media_on_disk)
    assert response["Content-Type"] == "application/pdf"
    wrong = client.get(reverse("intake:result", args=["2222-2222-2222-2222"]))
    assert wrong.status_code == 404
    assert "X-Accel-Redirect" not in wrong


def test_storage_names_are_quoted_and_only_files_under_media_root_are_handed_over(
    media_on_disk: Path, settings: Any
) -> None:
    settings.FILES_ACCEL_REDIRECT_PREFIX = PREFIX
    field = ApprovalStep._meta.get_field("detached_signature")
    name = default_storage.save("drafts/p7s/1/Ариза №1 100% ?#.p7s", ContentFile(b"x"))
    path = accel_redirect_path(FieldFile(ApprovalStep(), field, name))
    assert path is not None
    assert path.startswith(f"{PREFIX}/drafts/p7s/1/")
    assert not set(path.removeprefix(PREFIX)) & set(" ?#№")
    assert unquote(path) == f"{PREFIX}/{name}"  # nginx decodes it back to the stored name

    elsewhere = FieldFile(ApprovalStep(), field, name)
    elsewhere.storage = FileSystemStorage(location=str(media_on_disk / "other"))
    assert accel_redirect_path(elsewhere) is None
    settings.FILES_ACCEL_REDIRECT_PREFIX = ""
    assert accel_redirect_path(FieldFile(ApprovalStep(), field, name)) is None


def test_files_the_suite_keeps_in_memory_are_streamed_even_with_a_prefix(
    client: Client, settings: Any
) -> None:
    settings.FILES_ACCEL_REDIRECT_PREFIX = PREFIX
    version = a_scan()
    response = signed_in(client, "jizzakh-city.registrar").get(
        reverse("edms:download", args=[version.pk])
    )
    assert response.status_code == 200
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == PNG_1x1  # type: ignore[attr-defined]

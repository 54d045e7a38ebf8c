"""The admins' requests checked at the door: a clear 400 in the user's language, never a 500."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from edms.models import Position, SigningCertificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(get_user_model().objects.get(username="admin"))
    client.cookies["language"] = "uz"
    return client


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/admin/choose-page/chosen-multiple/?id=abc", "«id» butun son boʻlishi kerak."),
        ("/admin/api/main/pages/?offset=99999999999999999999", "«offset» juda katta son."),
        ("/admin/pages/search/?q=a%00b", "«q» NUL belgisini oʻz ichiga olgan."),
        ("/admin/snippets/choose/edms/office/chosen/abc/", "«pk» butun son boʻlishi kerak."),
        ("/admin/pages/?q=" + "x" * 2001, "«q» 2000 belgidan uzun."),
    ],
)
def test_a_value_no_admin_page_can_take_is_named(
    admin_client: Client, url: str, message: str
) -> None:
    response = admin_client.get(url)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_next_must_stay_on_this_site(client: Client) -> None:
    for target in ("abc", "//evil.example/", "https://evil.example/"):
        assert client.get("/admin/login/", {"next": target}).status_code == 400
    assert client.get("/admin/login/", {"next": "/admin/pages/"}).status_code == 200


def test_a_chooser_shows_a_bad_id_as_nothing_chosen(admin_client: Client) -> None:
    before = Position.objects.count()
    response = admin_client.post(
        "/admin/snippets/edms/position/add/", {"office": "abc", "department": "x"}
    )
    assert response.status_code == 200  # the form again, with its errors
    assert Position.objects.count() == before


def test_an_admin_form_posted_without_its_fields_is_a_400(admin_client: Client) -> None:
    response = admin_client.post("/admin/choose-external-link/", {})
    assert response.status_code == 400
    assert "Shakl toʻliq emas yoki buzilgan" in response.content.decode()


def test_the_deliberate_error_page_and_taggits_admin_are_gone(admin_client: Client) -> None:
    assert admin_client.get("/admin/failwhale/").status_code == 404
    assert admin_client.get("/django-admin/taggit/tag/").status_code == 404


def test_ordinary_admin_pages_are_untouched(admin_client: Client) -> None:
    assert admin_client.get("/admin/pages/?p=2&q=Jizzax").status_code == 200
    assert admin_client.get("/admin/pages/search/?q=" + "x" * 300).status_code == 200


@pytest.mark.parametrize(
    "url", ["/track/AB%00CD/", "/workspace/counter/done/%00/", "/admin/workflows/tasks/add/a%00/b/"]
)
def test_a_nul_in_any_address_is_a_400(admin_client: Client, url: str) -> None:
    response = admin_client.get(url)
    assert response.status_code == 400
    assert "Manzilda NUL belgisi bor." in response.content.decode()


def test_certificates_are_never_added_in_the_admin(admin_client: Client) -> None:
    """They are issued or imported by their holder; the add form had no certificate to show."""
    before = SigningCertificate.objects.count()
    for response in (
        admin_client.get("/admin/snippets/edms/signingcertificate/add/"),
        admin_client.post("/admin/snippets/edms/signingcertificate/add/", {}),
    ):
        # Wagtail's answer to what nobody may do: back to the dashboard, with its message.
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert SigningCertificate.objects.count() == before
    listing = admin_client.get("/admin/snippets/edms/signingcertificate/")
    assert listing.status_code == 200
    assert "/admin/snippets/edms/signingcertificate/add/" not in listing.content.decode()

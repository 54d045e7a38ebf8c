"""The staff-only intranet: anonymous visitors go to the staff login, staff get in."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["uz", "uz-cyrl", "ru", "en"])
def test_anonymous_visitors_are_sent_to_the_staff_login(client: Client, language: str) -> None:
    response = client.get(f"/{language}/intranet/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/{language}/intranet/"


def test_pages_below_the_intranet_are_staff_only_too(client: Client) -> None:
    response = client.get("/en/intranet/document-rules/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_executor_signs_in_and_sees_the_intranet(client: Client) -> None:
    login_page = client.get("/accounts/login/?next=/uz/intranet/")
    html = login_page.content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html

    response = client.post(
        "/accounts/login/",
        {"username": "jizzakh-city.executor", "password": "demo12345", "next": "/uz/intranet/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/uz/intranet/"

    page = client.get("/uz/intranet/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ichki portal" in html
    assert "Toshmatov Jasur Erkinovich" in html
    assert "Bosh mutaxassis" in html
    assert "Elektron hujjat aylanishi boʻyicha oʻquv" in html  # the staff notice
    assert "Hujjatlar bilan ishlash qoidalari" in html  # staff guidance


def test_intranet_shows_in_the_menu_only_for_staff(client: Client) -> None:
    assert 'href="/en/intranet/"' not in client.get("/en/").content.decode()
    client.force_login(get_user_model().objects.get(username="namangan-city.registrar"))
    assert 'href="/en/intranet/"' in client.get("/en/").content.decode()


def test_signed_in_account_without_a_position_is_refused(client: Client) -> None:
    outsider = get_user_model().objects.create_user("outsider", password="x-demo-12345")
    client.force_login(outsider)
    response = client.get("/en/intranet/")
    assert response.status_code == 403
    assert "Access denied" in response.content.decode()


def test_wrong_password_gets_a_message_in_the_visitors_language(client: Client) -> None:
    client.cookies["language"] = "ru"
    response = client.post(
        "/accounts/login/", {"username": "jizzakh-city.executor", "password": "wrong"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Неверное имя пользователя или пароль" in html
    assert 'value="jizzakh-city.executor"' in html  # what was typed is kept


@pytest.mark.parametrize(
    ("language", "label"),
    [("uz", "Foydalanuvchi nomi"), ("uz-cyrl", "Фойдаланувчи номи"), ("ru", "Имя пользователя")],
)
def test_login_form_speaks_the_visitors_language(client: Client, language: str, label: str) -> None:
    client.cookies["language"] = language
    html = client.get("/accounts/login/").content.decode()
    assert label in html
    empty = client.post("/accounts/login/", {"username": "", "password": ""}).content.decode()
    assert {"uz": "Parolni kiriting.", "uz-cyrl": "Паролни киритинг.", "ru": "Введите пароль."}[
        language
    ] in empty


def test_login_attempts_are_rate_limited(client: Client) -> None:
    client.cookies["language"] = "uz"
    for _attempt in range(5):
        client.post("/accounts/login/", {"username": "jizzakh-city.head", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "jizzakh-city.head", "password": "demo12345"}
    )
    assert response.status_code == 429
    assert "Urinishlar soni juda koʻp. Bir daqiqa kutib" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(client: Client) -> None:
    client.post("/accounts/login/", {"username": "jizzakh-city.head", "password": "demo12345"})
    assert client.get("/en/intranet/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/en/intranet/").status_code == 302


def test_admin_lets_the_superuser_in(client: Client) -> None:
    response = client.post(
        "/admin/login/", {"username": "admin", "password": "demo12345", "next": "/admin/"}
    )
    assert response.status_code == 302
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "wagtail" in dashboard.content.decode().lower()

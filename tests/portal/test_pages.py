"""The portal's pages, per language, as a visitor sees them."""

from typing import Any

import pytest
from django.test import Client

from portal.transliteration import latin_to_cyrillic

pytestmark = pytest.mark.django_db

# Our language codes and the keys the offices file uses for them.
DATA_KEYS = {"uz": "uz-latn", "uz-cyrl": "uz-cyrl", "ru": "ru", "en": "en"}

HOME_TITLES = {
    "uz": "Jizzax va Namangan viloyatlari hokimliklari",
    "uz-cyrl": latin_to_cyrillic("Jizzax va Namangan viloyatlari hokimliklari"),
    "ru": "Хокимияты Джизакской и Наманганской областей",
    "en": "Khokimiyats of the Jizzakh and Namangan regions",
}
PUBLIC_NOTICE = {
    "uz": "Davlat xizmatlari endi onlayn",
    "uz-cyrl": "Давлат хизматлари энди онлайн",
    "ru": "Государственные услуги теперь онлайн",
    "en": "Public services are now online",
}
STAFF_NOTICE = {
    "uz": "Elektron hujjat aylanishi boʻyicha oʻquv",
    "ru": "Обучение работе с электронным документооборотом",
    "en": "Training on the e-document system",
}
SERVICE = {
    "uz": "Hokimga murojaat",
    "uz-cyrl": "Ҳокимга мурожаат",
    "ru": "Обращение к хокиму",
    "en": "Appeal to the khokim",
}
LATEST_NOTICES = {
    "uz": "Soʻnggi eʼlonlar",
    "uz-cyrl": "Сўнгги эълонлар",
    "ru": "Последние объявления",
    "en": "Latest notices",
}


def test_root_opens_uzbek_latin(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/uz/"


def test_root_remembers_the_chosen_language(client: Client) -> None:
    client.cookies["language"] = "ru"
    assert client.get("/")["Location"] == "/ru/"
    client.cookies["language"] = "klingon"
    assert client.get("/")["Location"] == "/uz/"


@pytest.mark.parametrize("language", ["uz", "uz-cyrl", "ru", "en"])
def test_home_page_in_each_language(
    client: Client, language: str, offices_data: list[dict[str, Any]]
) -> None:
    response = client.get(f"/{language}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert HOME_TITLES[language] in html
    assert PUBLIC_NOTICE[language] in html
    assert SERVICE[language] in html
    assert LATEST_NOTICES[language] in html
    # The directory lists all 27 offices with their names as in offices.json.
    for office in offices_data:
        assert office["name"][DATA_KEYS[language]] in html, office["code"]


def test_language_switcher_links_to_the_same_page(client: Client) -> None:
    html = client.get("/ru/notices/").content.decode()
    assert 'href="/en/notices/"' in html
    assert 'href="/uz-cyrl/notices/"' in html
    assert 'href="/uz/notices/"' in html


def test_staff_notice_hidden_from_the_public(client: Client) -> None:
    for language in ("uz", "ru", "en"):
        for path in (f"/{language}/", f"/{language}/notices/"):
            assert STAFF_NOTICE[language] not in client.get(path).content.decode(), path
    response = client.get("/uz/notices/staff-training/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/uz/notices/staff-training/"


def test_staff_see_staff_notices(executor_client: Client) -> None:
    html = executor_client.get("/ru/notices/").content.decode()
    assert STAFF_NOTICE["ru"] in html
    assert executor_client.get("/ru/notices/staff-training/").status_code == 200


def test_notice_index_filters_by_office(client: Client) -> None:
    html = client.get("/en/notices/?office=namangan-city").content.decode()
    assert "reception schedule" in html  # for every office
    assert PUBLIC_NOTICE["en"] not in html  # Jizzakh city only


def test_office_page_shows_contacts_head_and_departments(client: Client) -> None:
    html = client.get("/ru/offices/jizzakh-city/").content.decode()
    assert "Хокимият города Джизака" in html
    assert "Rahimov Baxtiyor Odilovich, Hokim" in html
    assert "Отдел земельных ресурсов и государственного кадастра" in html
    assert "jizzakh-city@khokimiyat.example" in html
    assert "09:00" in html
    assert "Выделение земельного участка" in html


def test_office_page_in_cyrillic_uses_derived_department_names(client: Client) -> None:
    html = client.get("/uz-cyrl/offices/namangan-city/").content.decode()
    assert "Наманган шаҳар ҳокимлиги" in html
    assert latin_to_cyrillic("Yer resurslari va davlat kadastri boʻlimi") in html
    # People's names are kept in Latin and shown in the script of the page.
    assert "Ҳокимов" not in html
    assert latin_to_cyrillic("Rahimov Baxtiyor Odilovich") not in html  # Namangan's head differs
    assert (
        "Раҳимов Бахтиёр Одилович, Ҳоким"
        in client.get("/uz-cyrl/offices/jizzakh-city/").content.decode()
    )


def test_service_catalogue_filters_by_office(client: Client) -> None:
    html = client.get("/en/services/?office=zomin").content.decode()
    assert "Appeal to the khokim" in html
    assert "Fee: 0.50" in html or "0.5" in html


def test_unknown_page_is_a_plain_not_found(client: Client) -> None:
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()

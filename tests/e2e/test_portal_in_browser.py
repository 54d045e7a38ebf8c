"""A visitor in a real browser: the home page, the language switcher, the staff login."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_visitor_switches_language_and_staff_sign_in(portal_url: str, page: Page) -> None:
    page.goto(portal_url + "/")
    expect(page).to_have_url(re.compile(r"/uz/$"))
    expect(page.locator("h1")).to_contain_text("Jizzax va Namangan viloyatlari hokimliklari")
    expect(page.get_by_role("link", name="Jizzax shahar hokimligi").first).to_be_visible()

    page.get_by_role("link", name="Русский").click()
    expect(page).to_have_url(re.compile(r"/ru/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("h1")).to_contain_text("Хокимияты Джизакской и Наманганской областей")
    expect(page.get_by_role("link", name="Хокимият города Намангана").first).to_be_visible()

    page.goto(portal_url + "/ru/intranet/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/ru/intranet/$"))
    page.locator("input[name=username]").fill("jizzakh-city.executor")
    page.locator("input[name=password]").fill("demo12345")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/ru/intranet/$"))
    expect(page.locator("h1")).to_have_text("Интранет")
    expect(page.get_by_text("Toshmatov Jasur Erkinovich")).to_be_visible()


@pytest.mark.parametrize("width", [1366, 390])
def test_every_language_fits_a_laptop_and_a_phone(portal_url: str, page: Page, width: int) -> None:
    """The header (the Russian menu is the longest) never pushes the page sideways, on the
    portal's pages and on its own "not found" page."""
    page.set_viewport_size({"width": width, "height": 900})
    for language in ("uz", "uz-cyrl", "ru", "en"):
        for path, status in ((f"/{language}/", 200), (f"/{language}/no-such-page/", 404)):
            response = page.goto(portal_url + path)
            assert response is not None
            assert response.status == status, path
            expect(page.locator("link[href$='portal.css']")).to_have_count(1)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
    # The stylesheet is served (WhiteNoise, with DEBUG off as under make run).
    assert page.request.get(portal_url + "/static/css/portal.css").status == 200

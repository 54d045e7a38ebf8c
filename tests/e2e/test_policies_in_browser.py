"""The Content-Security-Policy in a real browser: the portal's own behaviour still works from its
script file, the browser refuses what is not ours, and the areas drawn by other code (Swagger UI,
Django's admin, Wagtail's admin and its page preview) run without a single violation. Any
violation in the console fails a browser test (``policy_violations`` in conftest.py)."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def sign_in(page: Page, portal_url: str, username: str, then: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "language", "value": "en", "url": portal_url}])
    page.goto(f"{portal_url}/accounts/login/?next={then}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("demo12345")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(then)))


def test_the_service_page_sends_once_and_refuses_what_is_not_ours(
    portal_url: str, page: Page, policy_violations: list[str]
) -> None:
    response = page.goto(portal_url + "/en/services/land-plot/")
    assert response is not None
    header = response.headers["content-security-policy"]
    assert "script-src 'self';" in header + ";"
    assert "permissions-policy" in response.headers

    # The citizen fills the form; a click on "Submit" disables the button (static/js/portal.js),
    # so that a second click sends nothing more. The test holds the form back to look.
    page.get_by_label("Office").select_option("jizzakh-city")
    page.get_by_label("Full name (surname, name, patronymic)").fill("Karimova Dilnoza Rustamovna")
    form = page.locator("form[data-once]")
    form.evaluate("form => form.addEventListener('submit', event => event.preventDefault())")
    submit = page.get_by_role("button", name="Submit the application")
    expect(submit).to_be_enabled()
    submit.click()
    expect(submit).to_be_disabled()
    assert policy_violations == []

    # What is not ours is refused, and the refusal is seen: an inline script does not run.
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text) as refusal:
        ran = page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.inlineRan = true";
                document.body.appendChild(script);
                return window.inlineRan === true;
            }"""
        )
    assert ran is False
    assert "inline script" in refusal.value.text
    assert policy_violations != []
    policy_violations.clear()


def test_the_counter_puts_the_operator_in_the_first_field(portal_url: str, page: Page) -> None:
    sign_in(page, portal_url, "jizzakh-city.operator", "/workspace/counter/land-plot/")
    expect(page.locator("h1")).to_contain_text("Land plot")
    fields = page.locator("form[data-focus-first]").locator(
        "input:not([type=hidden]), select, textarea"
    )
    expect(fields.first).to_be_focused()


def test_swagger_ui_draws_the_api_from_its_files(portal_url: str, page: Page) -> None:
    page.goto(portal_url + "/api/docs/")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() >= 3
    operations.first.locator(".opblock-summary").click()
    expect(operations.first.locator(".opblock-body")).to_be_visible()


def test_djangos_admin_works_under_the_strict_policy(portal_url: str, page: Page) -> None:
    sign_in(page, portal_url, "admin", "/django-admin/")
    expect(page.locator("#site-name")).to_be_visible()
    page.goto(portal_url + "/django-admin/auth/user/")
    page.locator("#result_list tbody th a").first.click()
    expect(page.locator("form#user_form")).to_be_visible()
    page.goto(portal_url + "/django-admin/auth/user/add/")
    expect(page.locator("input[name=username]")).to_be_visible()


def test_wagtails_admin_and_its_preview_work(portal_url: str, page: Page) -> None:
    sign_in(page, portal_url, "admin", "/admin/")
    expect(page.locator("main")).to_be_visible()
    # The editors' bar on a portal page leads to the page's editor.
    page.goto(portal_url + "/en/notices/reception-schedule/")
    href = page.locator("wagtail-userbar a[href$='/edit/']").first.get_attribute("href")
    # (Its links are absolute on WAGTAILADMIN_BASE_URL, not this test server's address.)
    edit = urlsplit(href or "").path
    assert re.fullmatch(r"/admin/pages/\d+/edit/", edit), href
    page.goto(portal_url + edit)
    expect(page.locator("#id_title")).to_be_visible()
    # The preview in the side panel: the portal's page, framed by the admin.
    page.locator("button[data-side-panel-toggle='preview']").click()
    frame = page.frame_locator("iframe[data-preview-iframe], iframe[id^='w-preview-iframe']")
    expect(frame.locator("h1").first).to_contain_text("reception")

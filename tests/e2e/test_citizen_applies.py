"""A citizen applies in a real browser, and the application goes all the way: the land
department's head finds it (in the inbox, and by the applicant's name in the search box), the
head writes a resolution, the department head drafts the decision, the lawyer approves it with a
visa, the head signs it, and the citizen downloads the signed decision from the tracking page and
checks it on ``/verify/``."""

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
from playwright.sync_api import Page, expect

from edms.demo_signing import DEMO_SIGNING_PASSPHRASE
from tests.intake.factories import PDF

pytestmark = pytest.mark.browser


def working_days_after(start: date, days: int) -> date:
    """The due date worked out here from the public calendar (weekends, Uzbek public holidays,
    and the Saturdays a decree made working days), to check the one the product shows."""
    table = holidays.country_holidays("UZ", years=range(start.year, start.year + 2))
    day = start
    while days:
        day += timedelta(days=1)
        weekday_off = day.weekday() >= 5 and day not in table.weekend_workdays
        if not weekday_off and day not in table:
            days -= 1
    return day


def fresh_visitor(page: Page, portal_url: str) -> None:
    """Signed out, reading English."""
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "language", "value": "en", "url": portal_url}])


def sign_in(page: Page, portal_url: str, username: str, then: str = "/workspace/") -> None:
    fresh_visitor(page, portal_url)
    page.goto(f"{portal_url}/accounts/login/?next={then}")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("demo12345")
    page.locator("main form button[type=submit]").click()


def test_citizen_applies_and_the_signed_decision_comes_back(
    portal_url: str, page: Page, tmp_path: Path
) -> None:
    scan = tmp_path / "pasport.pdf"
    scan.write_bytes(PDF)

    page.goto(portal_url + "/en/services/")
    page.get_by_role("link", name="Land plot for individual housing construction").click()
    expect(page).to_have_url(re.compile(r"/en/services/land-plot/$"))
    expect(page.locator("h1")).to_contain_text("Land plot")

    # A mistake first: the form says what is wrong and keeps what was typed.
    page.get_by_label("Office").select_option("jizzakh-city")
    page.get_by_label("Full name (surname, name, patronymic)").fill("Karimova Dilnoza Rustamovna")
    page.get_by_label("PINFL (personal identification number, 14 digits)").fill("3120387025001")
    page.get_by_label("Phone (+998 …)").fill("+998 90 123-45-67")
    page.get_by_label("Address (mahalla, street, house)").fill("Jizzax sh., Sharq mahallasi, 5")
    page.get_by_label("Requested area, m²").fill("600")
    page.get_by_label("Preferred location").fill("Zarbdor koʻchasi yonida")
    page.get_by_label("Family members").fill("5")
    page.get_by_label("Scanned documents").set_input_files(str(scan))
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_text("The PINFL is 14 digits; this has 13.")).to_be_visible()
    expect(page.get_by_label("Full name (surname, name, patronymic)")).to_have_value(
        "Karimova Dilnoza Rustamovna"
    )

    page.get_by_label("PINFL (personal identification number, 14 digits)").fill("31203870250012")
    page.get_by_label("Scanned documents").set_input_files(str(scan))  # files are not kept
    page.get_by_role("button", name="Submit the application").click()

    expect(page).to_have_url(re.compile(r"/track/[A-Z2-9]{16}/\?new=1$"))
    expect(page.get_by_text("Your application is registered.")).to_be_visible()
    code = page.locator("[data-tracking-code]").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    number = page.locator("[data-registration-number]").inner_text()
    assert number.startswith("A-")

    href = page.get_by_role("link", name="Download the receipt (PDF)").get_attribute("href")
    receipt = page.request.get(portal_url + (href or ""))
    assert receipt.ok
    assert receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF")

    tracking_url = page.url.split("?")[0]

    # The head of the land department signs in and finds it, due in 30 working days.
    sign_in(page, portal_url, "jizzakh-city.land-head")
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    row = page.locator(f'[data-document="{number}"]')
    expect(row).to_be_visible()
    due = working_days_after(datetime.now(ZoneInfo("Asia/Tashkent")).date(), 30)
    expect(row.locator("[data-due]")).to_have_text(due.strftime("%d.%m.%Y"))

    card_url = portal_url + (row.get_by_role("link").first.get_attribute("href") or "")

    # The header's search box finds the application by the applicant's name, typed in Cyrillic.
    page.locator("#header-search").fill("Каримова")
    page.locator("#header-search").press("Enter")
    expect(page).to_have_url(re.compile(r"/workspace/search/\?q="))
    found = page.locator('[data-hit^="application:"]')
    expect(found).to_contain_text("Karimova Dilnoza Rustamovna")
    expect(found.locator("mark").first).to_have_text("Karimova")

    # The head writes the resolution: the land department's head leads.
    sign_in(page, portal_url, "jizzakh-city.head", then=card_url.replace(portal_url, ""))
    page.get_by_role("link", name="Write a resolution").click()
    page.get_by_label("Resolution").fill("Koʻrib chiqib, qaror loyihasini tayyorlang.")
    page.get_by_label("Deadline").fill(due.isoformat())
    page.get_by_label("Lead executor").select_option(
        label="Qosimov Anvar Sobirovich, Yer resurslari boʻlimi boshligʻi"
    )
    page.get_by_role("button", name="Write the resolution").click()
    expect(page.get_by_text("Koʻrib chiqib, qaror loyihasini tayyorlang.")).to_be_visible()

    # The lead executor drafts the decision on the letterhead; the route comes from the
    # office's template: the lawyer's visa, then the head's signature.
    sign_in(page, portal_url, "jizzakh-city.land-head", then=card_url.replace(portal_url, ""))
    page.get_by_role("link", name="Prepare the decision").click()
    page.get_by_label("Decision").select_option("granted")
    page.get_by_label("Text (printed on the office's letterhead)").fill(
        "Arizangiz koʻrib chiqildi: 600 m² yer uchastkasi ajratildi."
    )
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("The draft is on its approval route.")).to_be_visible()
    draft_url = page.url

    # The lawyer approves: a wrong passphrase signs nothing and says so, then the right one.
    sign_in(page, portal_url, "jizzakh-city.lawyer")
    page.locator("[data-to-approve] a").first.click()
    page.get_by_label("Passphrase of your signing key").fill("not-my-passphrase")
    page.get_by_role("button", name="Approve and sign the visa").click()
    expect(page.get_by_text("The passphrase is wrong")).to_be_visible()
    page.get_by_label("Passphrase of your signing key").fill(DEMO_SIGNING_PASSPHRASE)
    page.get_by_role("button", name="Approve and sign the visa").click()
    expect(page.get_by_text("Approved: your visa is signed into the draft.")).to_be_visible()

    # The head signs; the answer is registered in the outgoing journal.
    sign_in(page, portal_url, "jizzakh-city.head")
    page.locator("[data-to-sign] a").first.click()
    expect(page).to_have_url(draft_url)
    page.get_by_label("Passphrase of your signing key").fill(DEMO_SIGNING_PASSPHRASE)
    page.locator("button[data-action=sign]").click()
    expect(page.get_by_text(re.compile(r"Signed and registered as Ch-\d+"))).to_be_visible()

    # The citizen downloads the signed decision from the tracking page and checks it.
    fresh_visitor(page, portal_url)
    page.goto(tracking_url)
    expect(page.get_by_text("Granted")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the result").click()
    decision = tmp_path / "qaror.pdf"
    download_info.value.save_as(decision)
    assert decision.read_bytes().startswith(b"%PDF")

    page.goto(portal_url + "/verify/")
    page.get_by_label("Signed PDF or .p7s signature").set_input_files(str(decision))
    page.get_by_role("button", name="Check the signatures").click()
    expect(page.locator("[data-verdict=valid]")).to_have_text(
        "Every signature is intact and trusted."
    )
    expect(page.locator("tbody tr")).to_have_count(2)

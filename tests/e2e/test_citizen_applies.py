"""A citizen applies in a real browser; the land department's head finds it in the inbox."""

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
from playwright.sync_api import Page, expect

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


def test_citizen_applies_and_the_department_head_sees_it(
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

    # The head of the land department signs in and finds it, due in 30 working days.
    page.goto(portal_url + "/accounts/login/?next=/workspace/")
    page.locator("input[name=username]").fill("jizzakh-city.land-head")
    page.locator("input[name=password]").fill("demo12345")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    row = page.locator(f'[data-document="{number}"]')
    expect(row).to_be_visible()
    due = working_days_after(datetime.now(ZoneInfo("Asia/Tashkent")).date(), 30)
    expect(row.locator("[data-due]")).to_have_text(due.strftime("%d.%m.%Y"))

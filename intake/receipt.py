"""The receipt of an application: one A4 page to print at the counter or download.

It names the office, the service, the registration number and date, the due date, the
documents received and the tracking code, with a QR code to the tracking page. Text is set in
DejaVu Sans (Debian's fonts-dejavu-core, installed by ``make``), which covers Uzbek Latin with
ʻ and ʼ, Uzbek Cyrillic and Russian; labels follow the language asked for, free text is printed
as given. The function is pure: the same data give the same bytes, and no model is read.
"""

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import cast

from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from portal.fonts import FONT, FONT_FILES, font_dir
from portal.qr import qr_png

# The tracking code reads best in a monospaced face (0 and O, 1 and I apart); DejaVu Sans Mono
# ships in the same package, and without it the code is set in DejaVu Sans Bold.
CODE_FONT = "DejaVuMono"
CODE_FONT_FILE = "DejaVuSansMono-Bold.ttf"

QR_SIZE = 35  # mm: scans from a phone at arm's length, fits beside the code
LABEL_WIDTH = 55  # mm: the table's first column
LINE = 6  # mm: the table's line height
BOTTOM_MARGIN = 18  # mm


@dataclass(frozen=True)
class ReceiptData:
    office_name: str  # already in the right language
    office_address: str  # may be ""
    service_name: str
    registration_number: str  # e.g. "A-17/26"
    registered_on: date
    due_date: date
    applicant_name: str
    documents_received: list[str]  # file names / documents handed over; may be empty
    tracking_code: str  # display form, e.g. "K7QM-3XWD-9HTR-B2NF"
    tracking_url: str  # absolute URL of the tracking page; goes into the QR code
    operator_name: str = ""  # counter operator, "" for online applications
    fee: str = ""  # e.g. "0.5 BHM"; "" when free


def receipt_pdf(data: ReceiptData, *, language: str) -> bytes:
    """The receipt as PDF bytes, labelled in ``language``; the same data give the same file."""
    folder = font_dir()
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=BOTTOM_MARGIN)
    for style, name in FONT_FILES.items():
        pdf.add_font(FONT, style=style, fname=str(folder / name))
    code_font = (FONT, "B")
    if (folder / CODE_FONT_FILE).is_file():
        pdf.add_font(CODE_FONT, style="B", fname=str(folder / CODE_FONT_FILE))
        code_font = (CODE_FONT, "B")
    # A fixed date keeps the file reproducible: noon of the registration day.
    pdf.set_creation_date(datetime.combine(data.registered_on, time(12, 0), tzinfo=UTC))
    with translation.override(language):
        title = _("Receipt %(number)s") % {"number": data.registration_number}
        pdf.set_title(title)
        pdf.set_subject(data.service_name)
        pdf.set_author(data.office_name)
        pdf.set_creator(_("Khokimiyats portal"))
        pdf.set_lang(translation.to_locale(language).replace("_", "-"))  # BCP 47: "uz-Cyrl"
        pdf.add_page()
        _header(pdf, data, title)
        _fields(pdf, data)
        _documents(pdf, data.documents_received)
        _tracking_box(pdf, data, code_font)
    return bytes(pdf.output())


def _header(pdf: FPDF, data: ReceiptData, title: str) -> None:
    width = pdf.epw
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(width, 7, data.office_name, align="L", new_x="LMARGIN", new_y="NEXT")
    if data.office_address:
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(width, 5, data.office_address, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_draw_color(0, 0, 0)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(5)
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(width, 9, title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(
        width,
        5,
        _("Your application is registered. This receipt confirms what was received."),
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)


def _fields(pdf: FPDF, data: ReceiptData) -> None:
    rows = [
        (_("Service"), data.service_name),
        (_("Registration number"), data.registration_number),
        (_("Date"), data.registered_on.strftime("%d.%m.%Y")),
        (_("Due date"), data.due_date.strftime("%d.%m.%Y")),
        (_("Applicant"), data.applicant_name),
    ]
    if data.fee:
        rows.append((_("Fee"), data.fee))
    if data.operator_name:
        rows.append((_("Accepted by"), data.operator_name))
    value_width = pdf.epw - LABEL_WIDTH
    for label, value in rows:
        height = max(
            _height(pdf, LABEL_WIDTH, label, "B", 10), _height(pdf, value_width, value, "", 10)
        )
        if pdf.will_page_break(height):
            pdf.add_page()  # a row is never split between its label and its value
        top = pdf.get_y()
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(LABEL_WIDTH, LINE, label, align="L", new_x="RIGHT", new_y="TOP")
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(value_width, LINE, value, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_xy(pdf.l_margin, top + height + 1)


def _documents(pdf: FPDF, names: list[str]) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(pdf.epw, LINE, _("Documents received"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    lines = [f"{number}. {name}" for number, name in enumerate(names, start=1)] or ["—"]
    for line in lines:  # a long list runs on to the next page
        pdf.multi_cell(pdf.epw, LINE, line, align="L", new_x="LMARGIN", new_y="NEXT")


def _tracking_box(pdf: FPDF, data: ReceiptData, code_font: tuple[str, str]) -> None:
    left, width = pdf.l_margin, pdf.epw
    text_left = left + QR_SIZE + 10
    text_width = width - QR_SIZE - 14
    footer = _("Keep this receipt: the tracking code is needed to follow the application.")
    text_height = (
        5
        + LINE
        + 10
        + _height(pdf, text_width, _("Follow your application at"), "", 9, 5)
        + _height(pdf, text_width, data.tracking_url, "", 9, 5)
        + 4
    )
    box_height = max(QR_SIZE + 8, text_height)
    # The box and the footer stay together, on a page of their own if need be.
    if pdf.will_page_break(6 + box_height + 4 + _height(pdf, width, footer, "", 8, 4.5)):
        pdf.add_page()
    pdf.ln(6)
    top = pdf.get_y()
    pdf.rect(left, top, width, box_height)
    pdf.image(io.BytesIO(qr_png(data.tracking_url)), x=left + 4, y=top + 4, w=QR_SIZE, h=QR_SIZE)
    pdf.set_xy(text_left, top + 5)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(text_width, LINE, _("Tracking code"), new_x="LEFT", new_y="NEXT")
    pdf.set_font(*code_font, size=18)
    pdf.cell(text_width, 10, data.tracking_code, new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    for text in (_("Follow your application at"), data.tracking_url):
        pdf.multi_cell(text_width, 5, text, align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(left, top + box_height)
    pdf.ln(4)
    pdf.set_font(FONT, "", 8)
    pdf.multi_cell(width, 4.5, footer, align="L", new_x="LMARGIN", new_y="NEXT")


def _height(
    pdf: FPDF, width: float, text: str, style: str, size: float, line: float = LINE
) -> float:
    """How tall ``text`` is set in ``width`` millimetres, without printing it."""
    pdf.set_font(FONT, style, size)
    height = pdf.multi_cell(width, line, text, align="L", dry_run=True, output="HEIGHT")
    return float(cast("float", height))

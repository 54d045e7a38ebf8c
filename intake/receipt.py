"""The receipt of an application: one A4 page to print at the counter or download.

It names the office, the service, the registration number and date, the due date, the
documents received and the tracking code, with a QR code to the tracking page. Text is set in
DejaVu Sans (Debian's fonts-dejavu-core, installed by ``make``), which covers Uzbek Latin with
ʻ and ʼ, Uzbek Cyrillic and Russian; labels follow the language asked for.
"""

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from portal.qr import qr_png

FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
MONO_FILE = "DejaVuSansMono-Bold.ttf"


@dataclass(frozen=True)
class ReceiptData:
    office_name: str
    office_address: str
    service_name: str
    registration_number: str
    registered_on: date
    due_date: date
    applicant_name: str
    documents_received: list[str]
    tracking_code: str
    tracking_url: str
    operator_name: str = ""
    fee: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _font_dir() -> Path:
    folder = Path(getattr(settings, "PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
    missing = [name for name in [*FONT_FILES.values(), MONO_FILE] if not (folder / name).exists()]
    if missing:
        raise ImproperlyConfigured(
            f"The receipt's fonts are missing from {folder}: {', '.join(missing)} "
            "(install fonts-dejavu-core, or set PDF_FONT_DIR)."
        )
    return folder


def receipt_pdf(data: ReceiptData, *, language: str) -> bytes:
    """The receipt as PDF bytes; the same data give the same file."""
    folder = _font_dir()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    for style, name in FONT_FILES.items():
        pdf.add_font("DejaVu", style=style, fname=str(folder / name))
    pdf.add_font("DejaVuMono", style="B", fname=str(folder / MONO_FILE))
    # A fixed date makes the file reproducible: the registration day.
    pdf.set_creation_date(datetime.combine(data.registered_on, time(12, 0)))
    with translation.override(language):
        pdf.set_title(_("Receipt %(number)s") % {"number": data.registration_number})
        pdf.set_creator(_("Khokimiyats portal"))
        pdf.set_lang(language)
        pdf.add_page()
        _write(pdf, data)
    return bytes(pdf.output())


def _write(pdf: FPDF, data: ReceiptData) -> None:
    width = pdf.epw
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(width, 7, data.office_name, new_x="LMARGIN", new_y="NEXT")
    if data.office_address:
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(width, 5, data.office_address, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_draw_color(0, 0, 0)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(5)

    pdf.set_font("DejaVu", "B", 16)
    title = _("Receipt %(number)s") % {"number": data.registration_number}
    pdf.multi_cell(width, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        width,
        5,
        _("Your application is registered. This receipt confirms what was received."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)

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
    rows += list(data.extra.items())
    label_width = 55
    for label, value in rows:
        pdf.set_font("DejaVu", "B", 10)
        y = pdf.get_y()
        pdf.multi_cell(label_width, 6, label, new_x="RIGHT", new_y="TOP")
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(width - label_width, 6, value, new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y(), y + 6) + 1)

    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(width, 6, _("Documents received"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for number, name in enumerate(data.documents_received or ["—"], start=1):
        text = f"{number}. {name}" if data.documents_received else name
        pdf.multi_cell(width, 6, text, new_x="LMARGIN", new_y="NEXT")

    _tracking_box(pdf, data)
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(
        width,
        4.5,
        _("Keep this receipt: the tracking code is needed to follow the application."),
        new_x="LMARGIN",
        new_y="NEXT",
    )


def _tracking_box(pdf: FPDF, data: ReceiptData) -> None:
    qr_size = 35
    box_height = qr_size + 8
    if pdf.get_y() + box_height + 10 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(6)
    top, left, width = pdf.get_y(), pdf.l_margin, pdf.epw
    pdf.rect(left, top, width, box_height)
    pdf.image(io.BytesIO(qr_png(data.tracking_url)), x=left + 4, y=top + 4, w=qr_size, h=qr_size)
    text_left = left + qr_size + 10
    text_width = width - qr_size - 14
    pdf.set_xy(text_left, top + 5)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(text_width, 6, _("Tracking code"), new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVuMono", "B", 18)
    pdf.cell(text_width, 10, data.tracking_code, new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(text_width, 5, _("Follow your application at"), new_x="LEFT", new_y="NEXT")
    pdf.multi_cell(text_width, 5, data.tracking_url, new_x="LEFT", new_y="NEXT")
    pdf.set_xy(left, top + box_height)

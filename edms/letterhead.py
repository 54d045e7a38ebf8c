"""A draft's PDF made from the office's letterhead: office, addressee, subject, text, signer.

The number and date are left blank on the letterhead: they exist only once the letter is
signed, so the signer's visible stamp carries them (``edms.signing.stamp``), in the space this
template keeps free at the foot of the last page (``STAMP_BOX``). Text is set in DejaVu
(``portal.fonts``) and printed as typed, in whichever script.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from portal.fonts import FONT, FONT_FILES, font_dir

# Where the final signature's stamp goes on the last page, in PDF points from the bottom left
# (x1, y1, x2, y2): the lower right of an A4 page, above the bottom margin.
STAMP_BOX = (300, 60, 560, 160)
MM = 72 / 25.4
PAGE_HEIGHT_MM = 297
# The template's text stops above the stamp; a longer text runs onto a new page.
STAMP_TOP_MM = PAGE_HEIGHT_MM - STAMP_BOX[3] / MM - 4


@dataclass(frozen=True)
class LetterData:
    office_name: str
    office_address: str
    office_contacts: str
    addressee: str
    subject: str
    body: str
    signer_position: str
    signer_name: str
    made_at: datetime


def letter_pdf(data: LetterData, *, language: str = "uz") -> bytes:
    folder = font_dir()
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=PAGE_HEIGHT_MM - STAMP_TOP_MM)
    for style, name in FONT_FILES.items():
        pdf.add_font(FONT, style=style, fname=str(folder / name))
    pdf.set_creation_date(data.made_at.astimezone(UTC))
    width = 180
    with translation.override(language):
        pdf.set_title(data.subject)
        pdf.set_author(data.office_name)
        pdf.set_creator(_("Khokimiyats portal"))
        pdf.add_page()
        pdf.set_font(FONT, "B", 14)
        pdf.multi_cell(width, 7, data.office_name, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 9)
        for line in (data.office_address, data.office_contacts):
            if line:
                pdf.multi_cell(width, 5, line, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_line_width(0.6)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
        pdf.ln(4)
        pdf.set_font(FONT, "", 10)
        pdf.cell(
            width / 2,
            6,
            _("No. ________ of ____________ (on the signature stamp)"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(4)
        if data.addressee:
            pdf.set_x(pdf.l_margin + width / 2)
            pdf.set_font(FONT, "B", 11)
            pdf.multi_cell(width / 2, 6, data.addressee, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        pdf.set_font(FONT, "B", 11)
        pdf.multi_cell(width, 6, data.subject, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font(FONT, "", 11)
        for paragraph in data.body.replace("\r\n", "\n").split("\n\n"):
            pdf.multi_cell(width, 6, paragraph.strip(), align="J", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        pdf.ln(8)
        pdf.set_font(FONT, "B", 11)
        pdf.cell(width / 2, 6, data.signer_position)
        pdf.cell(width / 2, 6, data.signer_name, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

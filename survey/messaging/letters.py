"""Letters: the link written out, a QR code of it, and a short code for /start.

The same text (templates/messages/) makes the printable page and the PDF (for
printing or Danish Digital Post). Delivering a letter means writing its PDF to
SURVEY_LETTER_FOLDER; a Digital Post sender can later take the folder's place
behind the same ``send(pdf, name) -> provider id`` interface.
"""
import io
import os
from collections import namedtuple

import segno
from flask import current_app
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from markupsafe import Markup

from .content import privacy_line, wording, words_in
from .errors import SendError, safe_error_text

LetterText = namedtuple(
    "LetterText",
    "language sender date study_name heading greeting paragraphs ways qr_step start_step "
    "start_address code_step code link_step link validity saved personal contact_intro contact "
    "regards signature reference privacy",
    defaults=(None,),
)


def letter_text(context):
    """Every line of a letter, in the current (the participant's) language."""
    words, lines = wording(context), words_in("letter", context)
    return LetterText(
        language=context.language, sender=context.sender, date=context.sent_on,
        study_name=context.study_name, heading=words.subject, greeting=lines.greeting,
        paragraphs=words.paragraphs, ways=lines.ways, qr_step=lines.qr_step,
        start_step=lines.start_step, start_address=context.start_address,
        code_step=lines.code_step, code=context.short_code, link_step=lines.link_step,
        link=context.link, validity=lines.validity, saved=words.saved, personal=lines.personal,
        contact_intro=lines.contact_intro, contact=context.contact, regards=lines.regards,
        signature=lines.signature, reference=lines.reference, privacy=privacy_line(context),
    )


def qr_svg(link):
    """The link as a QR code, inline SVG sized by the stylesheet."""
    title = words_in("letter", None).qr_title
    svg = segno.make(link, error="m").svg_inline(omitsize=True, svgclass="qr", title=title)
    return Markup(svg)


def _qr_png(link):
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=10, border=2)
    buffer.seek(0)
    return buffer


#: Helvetica (a PDF core font) has Latin-1 only: æ, ø and å are in it, these are not.
LATIN1_STAND_INS = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"',
                                  "”": '"', "„": '"', "…": "...", "\u00a0": " "})


def _latin1(text):
    return text.translate(LATIN1_STAND_INS).encode("latin-1", "replace").decode("latin-1")


class LetterPdf(FPDF):
    """A4 letters, one page each, in Helvetica."""

    LINE = 6  # mm per line of 11 pt text
    STEP = 7  # mm: the steps' text is indented past their numbers

    def __init__(self):
        super().__init__(format="A4", unit="mm")
        self.set_margins(22, 15, 22)
        self.set_auto_page_break(True, margin=14)
        self.set_creator("survey")

    def text_block(self, text, size=11, style="", gap=3, line=None, indent=0):
        self.set_font("Helvetica", style, size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.epw - indent, line or self.LINE, _latin1(text), align="L",
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(gap)

    def small_grey(self, text, gap):
        self.set_text_color(70)
        self.text_block(text, size=9, gap=gap, line=4.5)
        self.set_text_color(0)

    def numbered(self, number, text):
        self.set_font("Helvetica", "", 11)
        self.cell(self.STEP, self.LINE, f"{number}.")
        self.text_block(text, gap=1, indent=self.STEP)

    def add_ways(self, letter):
        self.text_block(letter.ways, style="B")
        self.numbered(1, letter.qr_step)
        self.image(_qr_png(letter.link), x=self.l_margin + self.STEP, w=36)
        self.ln(3)
        self.numbered(2, letter.start_step)
        self.text_block(letter.start_address, size=14, style="B", gap=1, line=7,
                        indent=self.STEP)
        self.text_block(letter.code_step, gap=1, indent=self.STEP)
        self.set_char_spacing(1.5)
        self.text_block(letter.code, size=18, style="B", gap=3, line=9, indent=self.STEP)
        self.set_char_spacing(0)
        self.numbered(3, letter.link_step)
        self.text_block(letter.link, size=9, gap=4, line=4.5, indent=self.STEP)

    def add_top(self, letter):
        """The study name at the left; the sender (name, address) and the date at the right."""
        top, line = self.get_y(), 4.5
        self.set_text_color(70)
        self.set_font("Helvetica", "", 9)
        self.multi_cell(self.epw * 0.5, line, _latin1(letter.study_name), align="L")
        self.set_text_color(0)
        self.set_y(top)
        for text in letter.sender:
            self.cell(0, line, _latin1(text), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)
        self.cell(0, line, _latin1(letter.date), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)

    def add_letter(self, letter):
        self.add_page()
        self.add_top(letter)
        self.text_block(letter.heading, size=16, style="B", gap=5, line=8)
        self.text_block(letter.greeting, gap=2)
        for paragraph in letter.paragraphs:
            self.text_block(paragraph)
        self.add_ways(letter)
        self.text_block(" ".join(filter(None, (letter.validity, letter.saved))))
        self.text_block(letter.personal)
        self.text_block(letter.contact_intro, gap=1)
        self.text_block(letter.contact)
        self.text_block(f"{letter.regards}\n{letter.signature}", gap=4)
        if letter.privacy:
            self.small_grey(letter.privacy, gap=1)
        self.small_grey(letter.reference, gap=0)


def letters_pdf(letters):
    """One PDF with a page per LetterText, as bytes."""
    pdf = LetterPdf()
    if letters:
        pdf.set_lang(letters[0].language)
        pdf.set_title(_latin1(letters[0].heading))
    for letter in letters:
        pdf.add_letter(letter)
    return bytes(pdf.output())


class FolderLetterSender:
    """Writes each letter's PDF to a folder, to print or to hand to Digital Post."""

    def __init__(self, folder):
        self.folder = folder

    def send(self, pdf, name):
        try:
            os.makedirs(self.folder, exist_ok=True)
            with open(os.path.join(self.folder, name), "wb") as f:
                f.write(pdf)
        except OSError as error:
            raise SendError(f"letter folder: {safe_error_text(error)}") from None
        return name


def letter_sender():
    return FolderLetterSender(current_app.config["SURVEY_LETTER_FOLDER"])

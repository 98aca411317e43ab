"""The certified copy drawn as an A4 PDF (fpdf2, Helvetica, as the letters are)."""
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

# Helvetica has Latin-1 only (æ, ø, å are in it); the letters' stand-ins cover the rest.
from ..messaging.letters import _latin1 as latin1

LINE_MM = 80  # the VAS line as drawn: its real 100 mm would crowd the page


class CertifiedCopyPdf(FPDF):
    LINE = 5

    def __init__(self, footer_text):
        super().__init__(format="A4", unit="mm")
        self.footer_text = footer_text
        self.set_margins(18, 15, 18)
        self.set_auto_page_break(True, margin=16)
        self.set_creator("survey")

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(70)
        page = _("Page %(n)s of %(total)s", n=self.page_no(), total="{nb}")
        self.cell(0, 4, latin1(f"{self.footer_text} · {page}"), align="C")
        self.set_text_color(0)

    def paragraph(self, text, size=10, style="", gap=1, indent=0):
        self.set_font("Helvetica", style, size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.epw - indent, self.LINE * size / 10, latin1(str(text)), align="L",
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(gap)

    def heading(self, text, size=13):
        self.ln(2)
        self.paragraph(text, size=size, style="B", gap=2)

    def facts(self, pairs, indent=0):
        for name, value in pairs:
            self.paragraph(f"{name}: {value}", gap=0, indent=indent)
        self.ln(2)

    def vas_line(self, position, low, high, left, right, indent):
        """The line with its ends marked, the participant's mark, and the anchors below."""
        self.ln(2)
        x0, y = self.l_margin + indent, self.get_y() + 2
        x = x0 + LINE_MM * (position - low) / (high - low)
        self.set_line_width(0.3)
        self.line(x0, y, x0 + LINE_MM, y)
        for end in (x0, x0 + LINE_MM):
            self.line(end, y - 1.5, end, y + 1.5)
        self.set_line_width(0.8)
        self.line(x, y - 3, x, y + 3)
        self.set_line_width(0.2)
        self.set_xy(x0 - 10, y + 3)
        self.set_font("Helvetica", "", 7)
        self.cell(LINE_MM / 2 + 10, 3.5, latin1(left), align="L")
        self.cell(LINE_MM / 2 + 10, 3.5, latin1(right), align="R",
                  new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def response(self, copy):
        self.heading(copy.title, size=12)
        self.facts(copy.facts)
        for line in copy.handled:
            self.paragraph(line, gap=0)
        self.ln(1)
        for item in copy.items:
            number = f"{item.number}. " if item.number else ""
            self.paragraph(f"{number}{item.text}", style="B", gap=0)
            self.paragraph(_("Answer: %(value)s", value=item.value), gap=0, indent=5)
            if item.line:
                self.vas_line(*item.line, indent=5)
            for added in item.added:
                self.paragraph(added, size=9, gap=0, indent=5)
            self.ln(1.5)
        if copy.scores:
            self.paragraph(_("Scores"), style="B", gap=0)
            for name, value, answered in copy.scores:
                self.paragraph(_("%(score)s: %(value)s (questions answered: %(answered)s)",
                            score=name, value=value, answered=answered), gap=0, indent=5)
            self.ln(2)

    def trail(self, lines):
        for line in lines:
            change = " -> ".join(v for v in (line.old, line.new) if v)
            parts = [f"{line.when} · {line.who}", f"{line.action}: {line.what}"]
            if change:
                parts.append(change)
            if line.reason:
                parts.append(_("Reason: %(reason)s", reason=line.reason))
            self.paragraph("\n".join(parts), size=8, gap=1.5)


def record_pdf(record):
    """The certified copy of one participant (content.Record) as PDF bytes."""
    pdf = CertifiedCopyPdf(record.footer)
    pdf.set_title(latin1(record.title))
    pdf.add_page()
    pdf.paragraph(record.title, size=16, style="B", gap=2)
    pdf.paragraph(record.study, size=11, gap=1)
    pdf.paragraph(record.made, size=9, gap=4)
    pdf.heading(_("Participant"))
    pdf.facts(record.facts)
    pdf.heading(_("Responses"))
    if not record.responses:
        pdf.paragraph(_("No responses yet."))
    for copy in record.responses:
        pdf.response(copy)
    pdf.heading(_("Audit trail: who created or changed what"))
    pdf.trail(record.trail)
    if not record.trail:
        pdf.paragraph(_("No audit records."))
    pdf.heading(_("Who has seen this participant's data"))
    for when, who, purpose in record.access:
        pdf.paragraph(f"{when} · {who} · {purpose}", size=8, gap=0.5)
    if not record.access:
        pdf.paragraph(_("Nobody on the study team has opened this participant's data yet."))
    return bytes(pdf.output())

"""The printable statement of study hours (学时证明), drawn with reportlab and embedded TrueType CJK fonts.

The fonts are the system's (core/pdf.py): the text font is WenQuanYi Zen Hei (Debian
``fonts-wqy-zenhei``); characters it lacks, such as the rare name character 𠮷, are set in HanaMin
(``fonts-hanazono``) when that is installed. Without any TrueType CJK font the statement is set in
reportlab's CID font STSong-Light (GBK only): what it cannot draw is shown as 〓, with a note.
"""

import io

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shegong.core import pdf as pdf_fonts
from shegong.core.identifiers import mask_id_number

from . import rules as R

FontMissing = pdf_fonts.FontMissing


def fonts():
    """The system's CJK fonts (core/pdf.py), registered once: (text font name, its code points, [(fallback, code points)])."""
    faces = pdf_fonts.faces()
    text, *fallbacks = faces
    return text.name, text.points, [(face.name, face.points) for face in fallbacks]


def markup(text):
    """Paragraph markup for ``text``: characters the text font lacks are set in a fallback font."""
    return pdf_fonts.markup(text)


def statement_pdf(person, *, progress, records, years, policy, id_number=None):
    """The statement as PDF bytes: the person, the current period and its hours, the rows, yearly totals."""
    text_font, _covered, _fallbacks = fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Statement of continuing-education hours"),
        author=str(settings.SYSTEM_NAME),
    )
    title = ParagraphStyle("title", fontName=text_font, fontSize=18, leading=24, alignment=1, spaceAfter=6)
    body = ParagraphStyle("body", fontName=text_font, fontSize=10.5, leading=15)
    small = ParagraphStyle("small", fontName=text_font, fontSize=9, leading=12)
    cell = ParagraphStyle("cell", fontName=text_font, fontSize=9, leading=12)

    def p(text, style=body):
        return Paragraph(markup(text), style)

    story = [p(_("Statement of continuing-education hours"), title), p(str(settings.SYSTEM_NAME), small), Spacer(1, 6)]
    period = progress.period
    facts = [
        (_("Name"), person.name),
        (_("ID number"), mask_id_number(id_number) if id_number else "—"),
        (_("Work region"), str(person.region)),
        (_("Level"), _level_label(progress.level)),
        (
            _("Registration period"),
            f"{period.start:%Y-%m-%d} — {period.end:%Y-%m-%d} ({period.source_label})" if period else "—",
        ),
        (_("Hours required"), R.format_hours(progress.required)),
        (_("Hours credited"), R.format_hours(progress.credited)),
        (_("Hours still needed"), R.format_hours(progress.remaining)),
    ]
    table = Table([[p(label, cell), p(value, cell)] for label, value in facts], colWidths=[40 * mm, 134 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story += [table, Spacer(1, 10), p(_("Study records in this period"), body), Spacer(1, 4)]
    header = [_("Date"), _("Activity or item"), _("Form"), _("Source"), _("Claimed"), _("Credited")]
    rows = [[p(text, cell) for text in header]]
    for row in records:
        rows.append(
            [
                p(f"{row.occurred_on:%Y-%m-%d}", cell),
                p(row.title, cell),
                p(row.get_form_display(), cell),
                p(row.get_source_display(), cell),
                p(R.format_hours(row.hours_claimed), cell),
                p(R.format_hours(row.hours_credited), cell),
            ]
        )
    if len(rows) == 1:
        rows.append([p(_("No study record in this period."), cell), "", "", "", "", ""])
    ledger = Table(rows, colWidths=[22 * mm, 62 * mm, 30 * mm, 24 * mm, 18 * mm, 18 * mm], repeatRows=1)
    ledger.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [ledger, Spacer(1, 10)]
    if years:
        story.append(p(_("Hours credited per calendar year"), body))
        year_rows = [[p(_("Year"), cell), p(_("Hours credited"), cell)]]
        year_rows += [[p(str(year), cell), p(R.format_hours(total), cell)] for year, total in years]
        years_table = Table(year_rows, colWidths=[30 * mm, 30 * mm])
        years_table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey)]))
        story += [Spacer(1, 4), years_table, Spacer(1, 10)]
    story.append(
        p(
            _("Printed on %(date)s from the ledger of the %(system)s. Rules applied: those of %(province)s.")
            % {
                "date": f"{timezone.localdate():%Y-%m-%d}",
                "system": settings.SYSTEM_NAME,
                "province": _province_label(policy.province_code),
            },
            small,
        )
    )
    texts = [person.name, *(row.title for row in records)]
    if pdf_fonts.missing_note(texts):
        story.append(
            p(
                _(
                    "Note: 〓 marks a character the fonts of this server cannot draw; the records in the system are exact."
                ),
                small,
            )
        )
    doc.build(story)
    return buffer.getvalue()


def _province_label(code):
    from shegong.regions.models import Region

    region = Region.objects.filter(code=code).first() if code else None
    return str(region) if region is not None else _("the national defaults")


def _level_label(level):
    from shegong.workers.models import CertificateLevel

    return CertificateLevel(level).label if level in CertificateLevel.values else "—"

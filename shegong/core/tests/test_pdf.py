"""core/pdf.py: the CJK fonts of every PDF, registered once, rare characters readable, reportlab left alone."""

import io

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate

from shegong.core import pdf

RARE = "𠮷"  # U+20BB7, beyond the BMP


def _text(content):
    return PdfReader(io.BytesIO(content)).pages[0].extract_text().replace(" ", "").replace("\n", "")


def test_reportlab_is_not_monkeypatched():
    import shegong.education.pdf  # noqa: F401
    import shegong.registration.certificate  # noqa: F401

    for name in ("makeToUnicodeCMap", "TTFont", "TTFontFace"):
        assert getattr(ttfonts, name).__module__ == "reportlab.pdfbase.ttfonts", name
    assert ttfonts.makeToUnicodeCMap.__code__.co_filename == ttfonts.__file__


def test_fonts_are_registered_once_and_cover_rare_characters():
    first = pdf.faces()
    registered = set(pdfmetrics.getRegisteredFontNames())
    assert pdf.faces() is first and [f.name for f in pdf.faces(list(pdf.DEFAULT_FONTS))] == [f.name for f in first]
    assert set(pdfmetrics.getRegisteredFontNames()) == registered
    assert pdf.covered("社会工作师 陈晓明 " + RARE)
    assert len({name for name, _piece in pdf.runs("吉" + RARE)}) == 2  # 𠮷 from the fallback font


def test_missing_fonts_fail_clearly():
    with pytest.raises(pdf.FontMissing, match="fonts-wqy-zenhei"):
        pdf.faces(["/nonexistent/font.ttf"])


def test_rare_characters_drawn_on_a_canvas_read_back():
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    pdf.draw_text(page, 100, 700, f"姓名：{RARE}野家", 14)
    page.showPage()
    page.save()
    assert f"姓名：{RARE}野家" in _text(buffer.getvalue())


def test_rare_characters_in_paragraphs_read_back():
    buffer = io.BytesIO()
    style = ParagraphStyle("body", fontName=pdf.base_font(), fontSize=11, leading=15)
    SimpleDocTemplate(buffer, pagesize=A4).build([Paragraph(pdf.markup(f"{RARE}野家 <b>"), style)])
    assert f"{RARE}野家<b>" in _text(buffer.getvalue())

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
        pdf.truetype_faces(["/nonexistent/font.ttf"])


NO_TTF = ["/nonexistent/font.ttf"]  # a machine without any TrueType CJK font


def test_without_truetype_fonts_pdfs_fall_back_to_the_cid_font():
    found = pdf.faces(NO_TTF)
    assert [face.name for face in found] == ["STSong-Light"] and found[0].cid
    assert pdf.covered("中华人民共和国社会工作师登记证书 陈晓明 欧阳·娜娜 2024年", NO_TTF)
    assert not pdf.covered(RARE, NO_TTF)  # beyond GBK: the CID font cannot draw it
    assert pdf.runs(f"{RARE}野家", NO_TTF) == [("STSong-Light", "〓野家")]
    assert pdf.missing_note([f"{RARE}野家"], NO_TTF) and not pdf.missing_note(["陈晓明"], NO_TTF)
    assert not pdf.missing_note([f"{RARE}野家"])  # the TrueType fonts draw it: no note


@pytest.mark.parametrize("specs", [None, NO_TTF], ids=["truetype", "cid"])
def test_rare_characters_on_a_canvas_under_each_font(specs):
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    pdf.draw_text(page, 100, 700, f"姓名：{RARE}野家 陈晓明", 14, specs=specs)
    page.showPage()
    page.save()
    text = _text(buffer.getvalue())
    if specs is None:
        assert f"姓名：{RARE}野家陈晓明" in text
    else:  # the CID font: the character it cannot draw is the visible mark, never a blank glyph
        assert "姓名：〓野家陈晓明" in text and RARE not in text


def test_font_in_use_and_the_system_check(monkeypatch):
    used = pdf.font_in_use()
    assert used["kind"] == "truetype" and used["embedded"] and used["rare_characters"]
    assert [message.id for message in pdf.check_fonts()] == ["shegong.I001"]
    monkeypatch.setattr(pdf, "DEFAULT_FONTS", NO_TTF)
    used = pdf.font_in_use()
    assert used == {
        "kind": "cid",
        "fonts": ["STSong-Light"],
        "embedded": False,
        "rare_characters": False,
        "limit": "only GB 2312/GBK characters of the BMP; others (such as 𠮷) are drawn as 〓",
    }
    messages = pdf.check_fonts()
    assert [message.id for message in messages] == ["shegong.W001"]
    assert "STSong-Light" in messages[0].msg and "𠮷" in messages[0].msg


def test_manage_py_check_reports_the_font():
    from django.core.management import call_command

    out = io.StringIO()
    call_command("check", stdout=out, stderr=out)
    assert "shegong.I001" in out.getvalue() and "wqy-zenhei" in out.getvalue()


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

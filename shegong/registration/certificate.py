"""The electronic registration certificate (社工电子登记证): a one-page PDF drawn with reportlab.

The certificate is an official Chinese document, so its wording below is fixed Chinese text (the
document titles of 民发〔2009〕44号 and the usual field names), not interface text: it does not
change with the reader's language and is not in the translation catalogue.

Fonts come from core/pdf.py (registered once, for every PDF of the system): WenQuanYi Zen Hei for
Chinese text and the Hanazono fonts for rare characters such as 𠮷 (U+20BB7), every character drawn
with the first font that has a glyph for it. REGISTRATION_CERTIFICATE_FONTS replaces the list
("path" or "path#subfont-index" entries; the missing ones are skipped). When none exists, the
certificate is set in reportlab's CID font STSong-Light (GBK characters only): a character it cannot
draw, such as 𠮷, is drawn as 〓 and the certificate carries a note saying so.
"""

import io
import logging

import qrcode
from django.conf import settings
from django.utils import timezone
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from shegong.core import crypto
from shegong.core import pdf as pdf_fonts
from shegong.core.identifiers import mask_id_number

logger = logging.getLogger(__name__)

# The system's CJK fonts (core/pdf.py); REGISTRATION_CERTIFICATE_FONTS may replace the list.
DEFAULT_FONTS = pdf_fonts.DEFAULT_FONTS

# Official document wording (Chinese, fixed).
TITLES = {
    "assistant": "中华人民共和国助理社会工作师登记证书",
    "intermediate": "中华人民共和国社会工作师登记证书",
    "senior": "中华人民共和国高级社会工作师登记证书",
}
DEFAULT_TITLE = "中华人民共和国社会工作者职业资格登记证书"
LEVEL_NAMES = {"assistant": "助理社会工作师", "intermediate": "社会工作师", "senior": "高级社会工作师"}
KIND_NAMES = {"first": "首次登记", "renewal": "再登记", "change": "变更登记"}
MUNICIPALITIES = {"110000", "120000", "310000", "500000", "660000"}


class CertificateFontMissing(pdf_fonts.FontMissing):
    pass


def font_specs():
    return list(getattr(settings, "REGISTRATION_CERTIFICATE_FONTS", DEFAULT_FONTS))


def fonts():
    """[(reportlab font name, set of code points)] for the configured fonts that exist, loaded once."""
    try:
        return pdf_fonts.faces(font_specs())
    except pdf_fonts.FontMissing as exc:
        raise CertificateFontMissing(f"{exc} (Or set REGISTRATION_CERTIFICATE_FONTS.)") from exc


def covered(text):
    """Whether every character of ``text`` has a glyph in one of the certificate fonts."""
    fonts()
    return pdf_fonts.covered(text, font_specs())


def runs(text):
    """Split ``text`` into (font name, piece) runs, each character in the first font that has it."""
    fonts()
    return pdf_fonts.runs(text, font_specs())


def text_width(text, size):
    fonts()
    return pdf_fonts.text_width(text, size, font_specs())


def draw_text(pdf, x, y, text, size, *, align="left", color="#1a1a1a"):
    fonts()
    return pdf_fonts.draw_text(pdf, x, y, text, size, align=align, color=color, specs=font_specs())


def authority_name(region):
    """登记机关: the provincial civil affairs department (民政局 for municipalities and the XPCC)."""
    suffix = "民政局" if region.code in MUNICIPALITIES else "民政厅"
    return f"{region.full_name or region.name}{suffix}"


def qr_image(url):
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def fields(registration):
    person, certificate = registration.person, registration.certificate
    try:
        id_number = mask_id_number(crypto.decrypt(person.id_encrypted))
    except crypto.DecryptionError:
        id_number = ""
    issued = timezone.localdate(registration.created_at) if registration.created_at else timezone.localdate()
    return [
        ("姓　　名", person.name),
        ("性　　别", {"male": "男", "female": "女"}.get(person.sex, "")),
        ("身份证件号码", id_number),
        ("职业资格等级", LEVEL_NAMES.get(certificate.level, certificate.get_level_display())),
        ("证书管理号", certificate.management_no),
        ("登 记 号", registration.number),
        ("登记类别", KIND_NAMES.get(registration.kind, "")),
        ("有 效 期", f"{registration.valid_from:%Y年%m月%d日} 至 {registration.valid_to:%Y年%m月%d日}"),
        ("登记机关", authority_name(registration.authority_region)),
        ("发证日期", f"{issued:%Y年%m月%d日}"),
    ]


def render_certificate(registration, check_url):
    """The PDF (bytes) of the e-certificate of ``registration``; ``check_url`` is what the QR code opens."""
    fonts()  # fail early and clearly when no font is installed
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    title = TITLES.get(registration.certificate.level, DEFAULT_TITLE)
    pdf.setTitle(title)
    pdf.setAuthor("全国社会工作信息系统")
    pdf.setSubject(f"登记号 {registration.number}")
    pdf.setCreator("shegong")

    red = HexColor("#a4161a")
    pdf.setStrokeColor(red)
    pdf.setLineWidth(3)
    pdf.rect(24, 24, width - 48, height - 48)
    pdf.setLineWidth(0.8)
    pdf.rect(32, 32, width - 64, height - 64)

    draw_text(pdf, width / 2, height - 100, title, 24, align="center", color="#a4161a")
    draw_text(pdf, width / 2, height - 126, "电子登记证书", 13, align="center", color="#444444")

    top, left, label_width, line = height - 180, 90, 120, 30
    for index, (label, value) in enumerate(fields(registration)):
        y = top - index * line
        draw_text(pdf, left, y, label, 13, color="#555555")
        draw_text(pdf, left + label_width, y, value or "—", 14)

    photo = registration.person.photo
    if photo:
        try:
            with photo.open("rb") as handle:
                reader = ImageReader(io.BytesIO(handle.read()))
            pdf.drawImage(reader, width - 230, height - 330, width=110, height=150, preserveAspectRatio=True)
        except Exception:  # a photo that cannot be drawn must not stop the certificate
            logger.warning("photo of person %s not drawn on the certificate", registration.person_id, exc_info=True)

    qr_size = 120
    pdf.drawImage(ImageReader(qr_image(check_url)), width - 90 - qr_size, 70, width=qr_size, height=qr_size)
    draw_text(pdf, width - 90 - qr_size / 2, 56, "扫码核验登记信息", 10, align="center", color="#555555")
    draw_text(
        pdf, 90, 80, "本证书由全国社会工作信息系统生成，可扫描二维码或在公开查询页面核验登记信息。", 10, color="#555555"
    )
    draw_text(pdf, 90, 62, check_url, 8, color="#777777")
    note = pdf_fonts.missing_note([value for _label, value in fields(registration)], font_specs())
    if note:
        draw_text(pdf, 90, 44, note, 9, color="#a4161a")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()

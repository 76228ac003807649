"""The electronic registration certificate: contents, fonts (rare characters), QR code, who may download, audit."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from shegong.accounts.roles import Role
from shegong.core.models import AuditEvent
from shegong.registration import certificate as pdf
from shegong.registration import public
from shegong.registration.models import Registration
from tests.factories import holder, official

from .helpers import registered

pytestmark = pytest.mark.django_db
RARE = "𠮷"  # U+20BB7, outside the common set: must render (docs/domain.md, Personal information table)


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text(), reader


def test_fonts_cover_common_and_rare_characters():
    assert pdf.covered("中华人民共和国社会工作师登记证书 陈晓明 黄志强 欧阳·娜娜")
    assert pdf.covered(RARE + "野家")
    assert not pdf.covered("\U000e0100")  # a variation selector: no font has it (and the check says so)


def test_missing_fonts_fall_back_to_the_cid_font(settings):
    # issue 20 item 10: a machine without TrueType CJK fonts still makes certificates (it used to be a 500)
    settings.REGISTRATION_CERTIFICATE_FONTS = ["/nonexistent/font.ttf"]
    assert [face.name for face in pdf.fonts()] == ["STSong-Light"]


@pytest.mark.parametrize("fonts", ["truetype", "cid"])
def test_rare_name_read_back_under_each_font(settings, fonts):
    if fonts == "cid":
        settings.REGISTRATION_CERTIFICATE_FONTS = ["/nonexistent/font.ttf"]
    _user, _person, certificate = holder(1, name=f"{RARE}野家")
    registration = registered(certificate)
    text, reader = pdf_text(pdf.render_certificate(registration, "https://example.test/registration/check/v/abc/"))
    flat = text.replace(" ", "").replace("\n", "")
    assert "中华人民共和国" in flat and registration.number in flat
    note = "“〓”处为本机字体无法显示的字符"
    if fonts == "truetype":
        assert f"{RARE}野家" in flat and note not in flat
    else:  # STSong-Light cannot draw 𠮷: the mark takes its place and the certificate says so
        assert "〓野家" in flat and RARE not in flat and note in flat
        names = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
        assert "/STSong-Light" in names  # (Helvetica is the canvas's default, unused)


def test_certificate_download_works_without_truetype_fonts(client, settings):
    settings.REGISTRATION_CERTIFICATE_FONTS = ["/nonexistent/font.ttf"]
    user, _person, certificate = holder(1)
    registration = registered(certificate)
    client.force_login(user)
    response = client.get(reverse("registration:certificate", args=[registration.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("level", "title"),
    [
        ("assistant", "中华人民共和国助理社会工作师登记证书"),
        ("intermediate", "中华人民共和国社会工作师登记证书"),
        ("senior", "中华人民共和国高级社会工作师登记证书"),
    ],
)
def test_certificate_contents_by_level(level, title):
    _user, person, certificate = holder(1, level=level, name=f"{RARE}野家")
    registration = registered(certificate)
    content = pdf.render_certificate(registration, "https://example.test/registration/check/v/abc/")
    text, reader = pdf_text(content)
    flat = text.replace(" ", "").replace("\n", "")
    assert title in flat
    assert f"{RARE}野家" in flat  # the rare character survived (a glyph from the fallback font)
    assert certificate.management_no in flat and registration.number in flat
    assert "广东省民政厅" in flat
    assert f"{registration.valid_from:%Y年%m月%d日}至{registration.valid_to:%Y年%m月%d日}" in flat
    from shegong.core import crypto

    number = crypto.decrypt(person.id_encrypted)
    assert number not in flat and f"{number[:6]}" in flat and "*" in flat  # masked ID only
    fonts = set()
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        fonts.add(str(font.get_object()["/BaseFont"]))
    assert len(fonts) >= 2  # the main font and the fallback for 𠮷, both embedded subsets
    images = reader.pages[0]["/Resources"]["/XObject"]
    assert len(images) >= 2  # photo and QR code


def test_holder_downloads_own_certificate_and_it_is_audited(client):
    user, _person, certificate = holder(1)
    registration = registered(certificate)
    client.force_login(user)
    response = client.get(reverse("registration:certificate", args=[registration.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, _reader = pdf_text(response.content)
    token = public.token_for(registration)
    assert token  # the QR link is the signed verification URL
    event = AuditEvent.objects.get(action="registration.certificate_download")
    assert event.object_id == str(registration.pk) and event.actor == user
    registration.refresh_from_db()
    assert registration.certificate_issued_at is not None  # 已出证
    client.get(reverse("registration:certificate", args=[registration.pk]))
    assert AuditEvent.objects.filter(action="registration.certificate_download").count() == 2


def test_another_workers_certificate_is_not_found(client):
    _user, _person, certificate = holder(1)
    registration = registered(certificate)
    other, _p, _c = holder(2)
    client.force_login(other)
    assert client.get(reverse("registration:certificate", args=[registration.pk])).status_code == 404


def test_officials_reprint_in_scope_only(client):
    _user, _person, certificate = holder(1)
    registration = registered(certificate)
    client.force_login(official("440106", username="th"))
    assert client.get(reverse("registration:certificate", args=[registration.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="registration.certificate_reprint").count() == 1
    client.force_login(official("440105", username="hz"))
    assert client.get(reverse("registration:certificate", args=[registration.pk])).status_code == 404
    client.force_login(official("440106", Role.STAFF, username="th_staff"))
    assert client.get(reverse("registration:certificate", args=[registration.pk])).status_code == 403


def test_no_certificate_for_a_lapsed_registration(client):
    user, _person, certificate = holder(1)
    registration = registered(certificate, days_left=-5)
    client.force_login(user)
    response = client.get(reverse("registration:certificate", args=[registration.pk]))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="registration.certificate_download").exists()
    assert Registration.objects.get(pk=registration.pk).certificate_issued_at is None

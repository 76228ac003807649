"""PDF fonts: the CJK TrueType fonts every PDF of the system uses, registered with reportlab once.

reportlab embeds TrueType outlines only (Noto CJK is CFF, which it cannot embed). The default list is
Debian's WenQuanYi Zen Hei (``fonts-wqy-zenhei``, or Micro Hei / AR PL UMing when that is what is
installed) for Chinese text, then the Hanazono fonts (``fonts-hanazono``) for rare characters outside
GB 18030's common set, such as 𠮷 (U+20BB7): every character is set in the first font that has a glyph
for it. A font list is given as "path" or "path#subfont-index" entries; missing files are skipped.

Two ways to use them:

- on a canvas (the registration certificate): ``draw_text(canvas, x, y, text, size)``,
  ``text_width(text, size)``, ``runs(text)``;
- in platypus paragraphs (the statement of study hours): a style with ``base_font()`` and
  ``markup(text)``, which escapes the text and wraps the characters the base font lacks in
  ``<font name=...>``.

Characters beyond the BMP: reportlab (4 and 5) writes their ToUnicode entries as ``<20BB7>``, which is
not valid UTF-16, so the glyph is drawn but the text cannot be copied, searched or read aloud. The
fonts registered here are ``CJKFont``, a TTFont whose PDF objects carry a correct ToUnicode CMap
(surrogate pairs); reportlab itself is left as it is (no module attribute is replaced).

A machine without any of these TrueType files (a fresh ``make run``, a slim container) still makes
every PDF: the fonts fall back to reportlab's built-in CID font ``STSong-Light`` (Adobe-GB1, not
embedded: the reader's viewer supplies the glyphs). That font can draw only the characters of
GB 2312/GBK in the Basic Multilingual Plane; anything else, such as 𠮷 (U+20BB7) or other characters
of the GB 18030 extensions, is drawn as ``MISSING_MARK`` (〓, the usual typesetter's mark for a
character the type lacks), and the documents say so in a note (``missing_note``). ``font_in_use()``
says which font the PDFs use (for the health answer), and ``manage.py check`` reports it
(``shegong.I001`` with TrueType fonts, ``shegong.W001`` with the CID fallback).
"""

import logging
import threading
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

from django.core import checks
from reportlab.lib.colors import HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

logger = logging.getLogger(__name__)

DEFAULT_FONTS = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc#0",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc#0",
    "/usr/share/fonts/truetype/arphic/uming.ttc#0",
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
]


CID_FONT = "STSong-Light"  # reportlab's built-in Simplified Chinese CID font (Adobe-GB1)
MISSING_MARK = "〓"  # U+3013 GETA MARK: drawn in place of a character the CID font cannot draw
MISSING_NOTE = "注：“〓”处为本机字体无法显示的字符，以系统登记信息为准。"


class FontMissing(RuntimeError):
    pass


def _gbk_points():
    """Code points the CID font can draw: the BMP characters GBK encodes (GB 2312 and its extension)."""
    points = set(range(0x20, 0x7F))
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            try:
                ch = bytes((lead, trail)).decode("gbk")
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                points.add(ord(ch))
    return frozenset(points)


def to_unicode_cmap(fontname, subset):
    """A ToUnicode CMap for one font subset, with characters beyond the BMP written as UTF-16 surrogate pairs.

    The same CMap as reportlab's ``makeToUnicodeCMap`` otherwise.
    """
    entries = [f"<{i:02X}> <{chr(v).encode('utf-16-be').hex().upper()}>" for i, v in enumerate(subset)]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *entries,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


class CJKFont(TTFont):
    """A TrueType font whose embedded subsets map back to Unicode correctly, also beyond the BMP."""

    def addObjects(self, doc):  # noqa: N802 (reportlab's name)
        state = self.state.get(doc)
        subsets = [list(subset) for subset in state.subsets] if state is not None else []
        super().addObjects(doc)
        for n, subset in enumerate(subsets):
            if all(code <= 0xFFFF for code in subset):
                continue  # reportlab's CMap is right for these
            base = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")
            stream = doc.idToObject.get("toUnicodeCMap:" + base)
            if stream is not None:
                stream.content = to_unicode_cmap(base, subset)


class Face:
    """A registered font: its reportlab name and the code points it has glyphs for."""

    __slots__ = ("name", "points", "spec", "cid")

    def __init__(self, name, points, spec="", cid=False):
        self.name = name
        self.points = points
        self.spec = spec  # the "path#subfont" it was loaded from ("" for the CID font)
        self.cid = cid  # reportlab's built-in CID font (not embedded, GBK only)

    def __iter__(self):  # (name, points), as the callers unpack it
        return iter((self.name, self.points))


_lock = threading.Lock()
_loaded = {}  # tuple of font specs -> [Face]
_registered = {}  # font spec -> Face (a font file is registered once per process)


def font_name(spec):
    return f"ShegongCJK{zlib.crc32(spec.encode()):08x}"


def _cid_face():
    face = _registered.get(CID_FONT)
    if face is None:
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
        face = _registered[CID_FONT] = Face(CID_FONT, _gbk_points(), cid=True)
    return face


def truetype_faces(specs=None):
    """The TrueType fonts of ``specs`` (default ``DEFAULT_FONTS``) that exist, registered once; FontMissing if none."""
    key = tuple(DEFAULT_FONTS if specs is None else specs)
    found = _loaded.get(key)
    if found is not None:
        return found
    with _lock:
        found = []
        for spec in key:
            face = _registered.get(spec)
            if face is None:
                path, _sep, sub = spec.partition("#")
                if not Path(path).is_file():
                    continue
                name = font_name(spec)
                try:
                    font = CJKFont(name, path, subfontIndex=int(sub or 0))
                except Exception:  # a broken or CFF font: skip it, the next one may do
                    logger.warning("cannot use font %s for PDFs", spec, exc_info=True)
                    continue
                pdfmetrics.registerFont(font)
                face = _registered[spec] = Face(name, frozenset(font.face.charToGlyph), spec=spec)
            found.append(face)
        if not found:
            raise FontMissing(
                "No TrueType CJK font for PDFs: install Debian's fonts-wqy-zenhei "
                "(and fonts-hanazono for rare characters such as 𠮷)."
            )
        _loaded[key] = found
        return found


def faces(specs=None):
    """The fonts every PDF uses: the TrueType fonts of ``specs`` that exist, else reportlab's CID font.

    Never raises for missing files: without any TrueType CJK font the PDFs are set in ``STSong-Light``
    (GBK characters only; ``runs`` and ``markup`` put ``MISSING_MARK`` in place of the others).
    """
    try:
        return truetype_faces(specs)
    except FontMissing:
        key = ("cid", *(DEFAULT_FONTS if specs is None else specs))
        found = _loaded.get(key)
        if found is None:
            with _lock:
                found = _loaded[key] = [_cid_face()]
            logger.warning(
                "no TrueType CJK font for PDFs; using reportlab's %s (GBK characters only): "
                "install Debian's fonts-wqy-zenhei and fonts-hanazono",
                CID_FONT,
            )
        return found


def font_in_use(specs=None):
    """Which font the PDFs are set in, for ``manage.py check`` and the internal health answer.

    A dict: ``kind`` ("truetype" or "cid"), ``fonts`` (font files, or the CID font's name),
    ``embedded`` (whether the PDFs carry the glyphs), ``rare_characters`` (whether 𠮷, U+20BB7,
    can be drawn) and ``limit`` (what cannot be drawn, in words; "" when nothing known).
    """
    found = faces(specs)
    if found[0].cid:
        return {
            "kind": "cid",
            "fonts": [CID_FONT],
            "embedded": False,
            "rare_characters": False,
            "limit": f"only GB 2312/GBK characters of the BMP; others (such as 𠮷) are drawn as {MISSING_MARK}",
        }
    rare = any(0x20BB7 in face.points for face in found)
    return {
        "kind": "truetype",
        "fonts": [face.spec for face in found],
        "embedded": True,
        "rare_characters": rare,
        "limit": "" if rare else "no font for characters beyond the BMP (such as 𠮷): install fonts-hanazono",
    }


def is_cid(specs=None):
    return faces(specs)[0].cid


def check_fonts(app_configs=None, **kwargs):
    """``manage.py check``: which font the PDFs use (Info), or a warning for the CID fallback."""
    used = font_in_use()
    if used["kind"] == "cid":
        return [
            checks.Warning(
                f"PDFs (certificates, statements) use reportlab's built-in CID font {CID_FONT}: {used['limit']}.",
                hint="Install Debian's fonts-wqy-zenhei and fonts-hanazono (make setup does on Debian).",
                id="shegong.W001",
            )
        ]
    messages = [checks.Info(f"PDF fonts: {', '.join(used['fonts'])}.", id="shegong.I001")]
    if not used["rare_characters"]:
        messages.append(checks.Warning(f"PDF fonts: {used['limit']}.", id="shegong.W002"))
    return messages


def base_font(specs=None):
    """The reportlab name of the first font (the text font of a paragraph style)."""
    return faces(specs)[0].name


def covered(text, specs=None):
    """Whether every character of ``text`` has a glyph in one of the fonts."""
    found = faces(specs)
    return all(any(ord(ch) in face.points for face in found) for ch in text if not ch.isspace())


def runs(text, specs=None):
    """Split ``text`` into (font name, piece) runs, each character in the first font that has it."""
    found = faces(specs)
    first = found[0].name
    cid = found[0].cid
    result = []
    for ch in str(text):
        code = ord(ch)
        if cid and code not in found[0].points and not ch.isspace():
            ch = MISSING_MARK
            code = ord(ch)
        name = next((face.name for face in found if code in face.points), first)
        if result and result[-1][0] == name:
            result[-1][1] += ch
        else:
            result.append([name, ch])
    return [(name, piece) for name, piece in result]


def missing_note(texts, specs=None):
    """The note a document adds when one of ``texts`` has a character its fonts cannot draw ("" if none)."""
    found = faces(specs)
    if not found[0].cid:
        return ""
    points = found[0].points
    if any(ord(ch) not in points and not ch.isspace() for text in texts for ch in str(text or "")):
        return MISSING_NOTE
    return ""


def text_width(text, size, specs=None):
    return sum(pdfmetrics.stringWidth(piece, name, size) for name, piece in runs(text, specs))


def draw_text(pdf, x, y, text, size, *, align="left", color="#1a1a1a", specs=None):
    """Draw ``text`` on the canvas ``pdf``, each run in its font; returns the width."""
    width = text_width(text, size, specs)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    pdf.setFillColor(HexColor(color))
    for name, piece in runs(text, specs):
        pdf.setFont(name, size)
        pdf.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, name, size)
    return width


def markup(text, specs=None):
    """Paragraph markup for ``text`` (escaped): characters the base font lacks are set in the next font that has them."""
    found = faces(specs)
    base = found[0]
    text = str(text)
    if base.cid:
        text = "".join(ch if ord(ch) in base.points or ch.isspace() else MISSING_MARK for ch in text)
    out = []
    for name, piece in _paragraph_runs(text, base, found[1:]):
        chunk = escape(piece)
        out.append(f'<font name="{name}">{chunk}</font>' if name else chunk)
    return "".join(out)


def _paragraph_runs(text, base, fallbacks):
    result = []
    for ch in text:
        code = ord(ch)
        name = None
        if code > 127 and code not in base.points:
            name = next((face.name for face in fallbacks if code in face.points), None)
        if result and result[-1][0] == name:
            result[-1][1] += ch
        else:
            result.append([name, ch])
    return result

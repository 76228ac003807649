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
"""

import logging
import threading
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

logger = logging.getLogger(__name__)

DEFAULT_FONTS = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc#0",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc#0",
    "/usr/share/fonts/truetype/arphic/uming.ttc#0",
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
]


class FontMissing(RuntimeError):
    pass


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

    __slots__ = ("name", "points")

    def __init__(self, name, points):
        self.name = name
        self.points = points

    def __iter__(self):  # (name, points), as the callers unpack it
        return iter((self.name, self.points))


_lock = threading.Lock()
_loaded = {}  # tuple of font specs -> [Face]
_registered = {}  # font spec -> Face (a font file is registered once per process)


def font_name(spec):
    return f"ShegongCJK{zlib.crc32(spec.encode()):08x}"


def faces(specs=None):
    """The fonts of ``specs`` (default ``DEFAULT_FONTS``) that exist, registered once, in order."""
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
                face = _registered[spec] = Face(name, frozenset(font.face.charToGlyph))
            found.append(face)
        if not found:
            raise FontMissing(
                "No TrueType CJK font for PDFs: install Debian's fonts-wqy-zenhei "
                "(and fonts-hanazono for rare characters such as 𠮷)."
            )
        _loaded[key] = found
        return found


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
    result = []
    for ch in str(text):
        code = ord(ch)
        name = next((face.name for face in found if code in face.points), first)
        if result and result[-1][0] == name:
            result[-1][1] += ch
        else:
            result.append([name, ch])
    return [(name, piece) for name, piece in result]


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
    out = []
    for name, piece in _paragraph_runs(str(text), base, found[1:]):
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

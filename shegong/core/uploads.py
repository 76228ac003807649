"""What an uploaded file really is: THE check every upload goes through (imports, photos, evidence).

``check_upload(upload, name, accept=...)`` reads the file's first bytes (its magic number) and, for a
ZIP, its directory, and refuses with a message an official understands:

- a content the upload does not accept (a PNG where a table is expected);
- a content that is not what the name's extension says (a CSV named .xlsx, a PDF named .jpg);
- a web page or XML saved with an Excel name (.xls), which old systems produce and which Excel
  opens with a warning: "not an Excel file: save it as .xlsx".

It returns the content's kind (``pdf``, ``jpeg``, ``png``, ``xlsx``, ``xls``, ``text``). A file
without an extension, or with one this module does not know, is judged by its content alone.
"""

import codecs
import os
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HEAD_BYTES = 4096

# extension -> the content kinds it may hold (an .xls renamed from .xlsx is common and harmless)
EXTENSION_KINDS = {
    "pdf": {"pdf"},
    "jpg": {"jpeg"},
    "jpeg": {"jpeg"},
    "png": {"png"},
    "gif": {"gif"},
    "webp": {"webp"},
    "xlsx": {"xlsx"},
    "xlsm": {"xlsx"},
    "xls": {"xls", "xlsx"},
    "csv": {"text"},
    "txt": {"text"},
    "tsv": {"text"},
}


def _kind_words():
    return {
        "pdf": _("a PDF document"),
        "jpeg": _("a JPEG image"),
        "png": _("a PNG image"),
        "gif": _("a GIF image"),
        "webp": _("a WebP image"),
        "xlsx": _("an Excel workbook (.xlsx)"),
        "xls": _("an old Excel workbook (.xls)"),
        "text": _("text (CSV)"),
        "markup": _("a web page or XML file"),
        "zip": _("a ZIP archive"),
        "word": _("a Word document"),
        "binary": _("a file of an unknown binary type"),
        "empty": _("an empty file"),
    }


def sniff(head, zip_names=None):
    """The kind of content whose first bytes are ``head``; ``zip_names()`` lists a ZIP's members."""
    if not head:
        return "empty"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if head.startswith(b"PK\x03\x04"):
        names = set(zip_names()) if zip_names is not None else set()
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "word"
        return "zip"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "text"
    text = head.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")
    if text[:1] == b"<":
        return "markup"
    if b"\x00" in head:
        return "binary"
    return "text"


def extension_of(name):
    base = os.path.basename(name or "")
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _read_head(upload):
    """(first bytes, a function listing ZIP members) of a path or an open file (rewound afterwards)."""
    if isinstance(upload, str | os.PathLike):
        with open(upload, "rb") as handle:
            head = handle.read(HEAD_BYTES)

        def names():
            with zipfile.ZipFile(upload) as archive:
                return archive.namelist()

        return head, names
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)

    def names():
        try:
            upload.seek(0)
            with zipfile.ZipFile(upload) as archive:
                return archive.namelist()
        finally:
            upload.seek(0)

    return head, names


def sniff_path(path):
    """The kind of the file at ``path`` (see ``sniff``)."""
    head, names = _read_head(path)
    try:
        return sniff(head, names)
    except zipfile.BadZipFile:
        return "zip"


def check_upload(upload, name="", *, accept):
    """The kind of ``upload`` (a path or an open file) if it is one of ``accept``; else ValidationError.

    ``name`` is the name the file was uploaded under (its extension must agree with the content).
    """
    head, names = _read_head(upload)
    try:
        kind = sniff(head, names)
    except zipfile.BadZipFile as exc:
        raise ValidationError(
            _("“%(name)s” is a damaged ZIP archive, not a readable file.") % {"name": name}, code="file_damaged"
        ) from exc
    words = _kind_words()
    extension = extension_of(name)
    if kind == "markup" and (extension in ("xls", "xlsx", "xlsm") or "xlsx" in accept):
        raise ValidationError(
            _(
                "Not an Excel file: save it as .xlsx. “%(name)s” is a web page or XML file that an old system named "
                "like a workbook; open it in Excel and save it as an Excel workbook (.xlsx)."
            )
            % {"name": name},
            code="file_not_excel",
        )
    if kind == "empty":
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="file_empty")
    if kind not in accept:
        raise ValidationError(
            _("“%(name)s” is %(kind)s; only %(accepted)s can be uploaded here.")
            % {"name": name, "kind": words[kind], "accepted": "、".join(str(words[k]) for k in accept)},
            code="file_type",
        )
    expected = EXTENSION_KINDS.get(extension)
    if expected is not None and kind not in expected:
        raise ValidationError(
            _(
                "“%(name)s” is not what its name says: its name ends in .%(extension)s but it holds %(kind)s. Save it "
                "again in the right format, or give it the right name."
            )
            % {"name": name, "extension": extension, "kind": words[kind]},
            code="file_content",
        )
    return kind


# An image of more pixels than this is refused before it is decoded (a "decompression bomb": a few KB
# that declare 100,000 × 100,000 pixels and would take gigabytes of memory to open). A photo from a
# 48-megapixel phone passes.
MAX_IMAGE_PIXELS = 50_000_000


def check_image_dimensions(upload, name="", *, max_pixels=MAX_IMAGE_PIXELS):
    """(format, (width, height)) of an image whose declared size is sane; ValidationError otherwise.

    Only the image's header is read (Pillow's ``open`` does not decode the pixels), so a huge declared
    size is refused cheaply and with a clear message, never as a server error.
    """
    import warnings

    from PIL import Image, UnidentifiedImageError

    too_large = ValidationError(
        _(
            "“%(name)s” declares an image too large to open (more than %(megapixels)d million pixels); send a "
            "smaller picture (a photo or scan of normal size)."
        )
        % {"name": name, "megapixels": max_pixels // 1_000_000},
        code="image_too_large",
    )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                size = image.size
                kind = image.format
                if size[0] * size[1] > max_pixels:
                    raise too_large
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_large from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("“%(name)s” is not a readable image.") % {"name": name}, code="image_unreadable"
        ) from exc
    finally:
        upload.seek(0)
    return kind, size

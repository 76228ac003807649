"""One cell at a time: what spreadsheets and CSV files really hold, normalised or refused with a reason.

Harmless normalisations happen silently: surrounding and stray white space (line breaks included),
full-width digits and letters, a lowercase x, the many ways of writing a date (2021-3-1, 2021/03/01,
2021年3月1日, 20210301). Anything that changes what a value means is either a warning (a 15-digit ID
number converted to 18 digits, a plain number read as an Excel date) or a refusal with a precise
reason (an ID number that Excel stored as a number and so lost digits). Nothing is guessed.

Every function here is called once per cell of files with a million rows, so the common case
(clean ASCII or already-normalised text) takes a short path.
"""

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from operator import mul as _mul

from django.utils.translation import gettext as _

from shegong.core import identifiers

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (it counts the non-existent 1900-02-29)
MAX_EXACT_FLOAT = 2**53  # integers above this cannot be held exactly by a spreadsheet number
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_WS_RE = re.compile(r"\s+")
_CJK_GAP_RE = re.compile(r"(?<=[\u3400-\u9fff\U00020000-\U0003134f])\s+(?=[\u3400-\u9fff\U00020000-\U0003134f])")
_SCIENTIFIC_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")
_DECIMAL_ZERO_RE = re.compile(r"^(\d+)\.0+$")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_TIME_RE = re.compile(r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL_RE = re.compile(r"^\d{4,5}(?:\.\d+)?$")


class CellError(Exception):
    """A value that cannot be accepted; ``message`` says why in words an official understands."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = str(message)


def is_blank(value):
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


# What legacy files write in a key cell (ID number, management number, phone, date, division) for "none":
# read as an empty cell, never stored as a value (a phone number "0", a management number "无").
PLACEHOLDERS = frozenset(
    {"无", "暂无", "没有", "空", "未填", "/", "\\", "-", "--", "—", "——", "N/A", "NA", "NULL", "NONE", "0", "00"}
)


def is_placeholder(value):
    """Whether a key cell holds a placeholder for "none" (无, 暂无, /, -, N/A, 0...), to be read as empty."""
    if value.__class__ is str:
        if len(value) > 8:
            return False
        return clean_text(value).upper() in PLACEHOLDERS
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value == 0
    return False


# What a spreadsheet takes for the start of a formula (=, +, -, @, and a tab or carriage return before
# one): exports put an apostrophe before such text (export.py), and imports remove it again here.
FORMULA_STARTS = "=+-@\t\r"
# A signed number or telephone number (+86 138 0013 8000, -12.5, -(3)) is not neutralised; anything
# else starting with a formula character is ("-2+3+cmd|' /C calc'!A0" starts like a number too).
_SIGNED_NUMBER = re.compile(r"[+-][\d (][\d ().-]*")


def is_formula_like(value):
    """Whether a spreadsheet would take the text ``value`` for a formula (CSV/Excel formula injection)."""
    return (
        isinstance(value, str)
        and value != ""
        and value[0] in FORMULA_STARTS
        and _SIGNED_NUMBER.fullmatch(value) is None
    )


def neutralise(value):
    """THE rule for every cell a file written by the system carries (exports, the annotated file):
    text a spreadsheet would run as a formula gets a leading apostrophe (imports drop it again)."""
    if is_formula_like(value):
        return "'" + value
    return value


def clean_text(value):
    """Text with invisible characters removed, full-width forms folded (NFKC) and white space collapsed.

    A leading apostrophe before =, +, -, @, a tab or a carriage return (how exports keep such text
    from running as a formula) is removed.

    Line breaks and runs of spaces become one space; a space between two Chinese characters (a stray
    line break inside a name) disappears. Numbers that Excel stored are written back as text exactly
    when they are whole numbers; see ``number_as_text`` for identifiers.
    """
    if type(value) is str:
        if value[:1] == "'" and value[1:2] and value[1] in FORMULA_STARTS:
            value = value[1:]
        if value.isascii():
            if value.isprintable() and "  " not in value:
                return value.strip()
            return _WS_RE.sub(" ", value).strip()
        if not unicodedata.is_normalized("NFKC", value):
            value = unicodedata.normalize("NFKC", value)
        value = value.translate(_INVISIBLE)
        value = _WS_RE.sub(" ", value).strip()
        if " " in value:
            value = _CJK_GAP_RE.sub("", value)
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return clean_text(str(value))


def excel_digits(value):
    """A large number as Excel shows it: 15 significant digits, then zeros (4.40106199001012E+17 -> 440106199001012000)."""
    mantissa, exponent = f"{abs(value):.14e}".split("e")
    digits = mantissa.replace(".", "")
    length = int(exponent) + 1
    return digits[:length].ljust(length, "0") if length > 0 else "0"


def number_as_text(value, *, what):
    """An identifier that a spreadsheet stored as a number: exact below 2**53, refused above.

    ``what`` names the column in the message. Returns the digits (a whole number) or raises.
    """
    if not value.is_integer():
        raise CellError(
            "not_whole",
            _("%(what)s was stored as a number with a fraction (%(value)s).") % {"what": what, "value": value},
        )
    if abs(value) >= MAX_EXACT_FLOAT:
        raise CellError(
            "excel_number",
            _(
                "Excel stored %(what)s as a number and kept only its first 15 digits (%(value)s): the last digits "
                "are lost and cannot be recovered. Format the column as text and enter the full number again."
            )
            % {"what": what, "value": excel_digits(value)},
        )
    return str(int(value))


def identifier_text(value, *, what):
    """Text of an identifier cell, refusing the forms in which Excel has already lost digits."""
    if isinstance(value, float):
        return number_as_text(value, what=what)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = clean_text(value)
    compact = identifiers.normalise(text)
    if _SCIENTIFIC_RE.match(compact):
        raise CellError(
            "excel_scientific",
            _(
                "%(what)s is written in scientific notation (%(value)s), as Excel shows a long number: its last "
                "digits are lost. Format the column as text and enter the full number again."
            )
            % {"what": what, "value": text},
        )
    match = _DECIMAL_ZERO_RE.match(compact)
    if match:
        digits = match.group(1)
        if len(digits) > 15:
            raise CellError(
                "excel_number",
                _(
                    "%(what)s looks like a number copied from a spreadsheet (%(value)s); a number this long has lost "
                    "digits. Format the column as text and enter the full number again."
                )
                % {"what": what, "value": text},
            )
        return digits
    return text


# --- dates ---------------------------------------------------------------------------------------------


def excel_serial_date(number):
    """The date of an Excel serial day number (1900 date system)."""
    days = int(number)
    if not 1 <= days <= 2958465:
        raise CellError("bad_date", _("%(value)s is not a date.") % {"value": number})
    return EXCEL_EPOCH + timedelta(days=days)


def _make_date(year, month, day, text):
    try:
        return date(int(year), int(month), int(day))
    except ValueError as exc:
        raise CellError("bad_date", _("%(value)s is not a real calendar date.") % {"value": text}) from exc


def parse_date(value, warn):
    """A date from a date cell, an Excel serial number or text in the common Chinese forms.

    ``warn(code, message)`` receives the warning when a plain number is read as an Excel date.
    """
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise CellError(
                "date_has_time", _("Enter a date without a time of day (found %(value)s).") % {"value": value}
            )
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            # A compact date typed into Excel (19830211), which stored it as a number: the date it is.
            digits = str(int(value))
            return _make_date(digits[:4], digits[4:6], digits[6:], digits)
        result = excel_serial_date(value)
        warn(
            "excel_serial",
            _("The number %(value)s was read as the Excel date %(date)s; check it.")
            % {"value": clean_text(float(value)), "date": result.isoformat()},
        )
        return result
    text = clean_text(value)
    match = _DATE_RE.match(text)
    if match:
        return _make_date(*match.groups(), text)
    match = _COMPACT_DATE_RE.match(text)
    if match:
        return _make_date(*match.groups(), text)
    match = _DATE_TIME_RE.match(text)
    if match:
        if any(int(part or 0) for part in match.groups()[1:]):
            raise CellError(
                "date_has_time", _("Enter a date without a time of day (found %(value)s).") % {"value": text}
            )
        return parse_date(match.group(1), warn)
    if _SERIAL_RE.match(text):
        return parse_date(float(text), warn)
    raise CellError(
        "bad_date",
        _("%(value)s is not a date in a recognised form; write it as 2021-03-01 (year-month-day).") % {"value": text},
    )


# --- numbers -------------------------------------------------------------------------------------------


def parse_int(value):
    if isinstance(value, bool):
        raise CellError("bad_int", _("Enter a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise CellError("bad_int", _("%(value)s is not a whole number.") % {"value": value})
    text = clean_text(value).replace(" ", "")
    match = _DECIMAL_ZERO_RE.match(text)
    if match:
        text = match.group(1)
    try:
        return int(text)
    except ValueError as exc:
        raise CellError("bad_int", _("%(value)s is not a whole number.") % {"value": text}) from exc


def parse_decimal(value, *, places=None):
    if isinstance(value, bool):
        raise CellError("bad_decimal", _("Enter a number."))
    if isinstance(value, float):
        text = repr(value)
    else:
        text = clean_text(value).replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise CellError("bad_decimal", _("%(value)s is not a number.") % {"value": text}) from exc
    if not number.is_finite():
        raise CellError("bad_decimal", _("%(value)s is not a number.") % {"value": text})
    if places is not None:
        quantum = Decimal(1).scaleb(-places)
        rounded = number.quantize(quantum)
        if rounded != number:
            raise CellError(
                "too_many_places",
                _("%(value)s has more than %(places)d decimal places.") % {"value": text, "places": places},
            )
        number = rounded
    return number


TRUE_WORDS = {"是", "Y", "YES", "TRUE", "1", "√", "✓", "对", "T", "有"}
FALSE_WORDS = {"否", "N", "NO", "FALSE", "0", "×", "✗", "错", "F", "无"}


def parse_bool(value):
    if isinstance(value, bool):
        return value
    text = identifiers.normalise(clean_text(value))
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError("bad_bool", _("Write 是 (yes) or 否 (no); found %(value)s.") % {"value": clean_text(value)})


# --- ID numbers: a fast path for the common, clean case ---------------------------------------------------

_ID_OFFSET = 48 * sum(identifiers.ID_WEIGHTS)  # ord("0") times every weight
_ID_KIND_BY_PREFIX = {}
for _prefix in identifiers.PROVINCE_CODES:
    _ID_KIND_BY_PREFIX[_prefix] = identifiers.IdKind.CITIZEN
_ID_KIND_BY_PREFIX.update(
    {"81": identifiers.IdKind.HK_MACAO, "82": identifiers.IdKind.HK_MACAO, "83": identifiers.IdKind.TAIWAN}
)


class IdParser:
    """``identifiers.validate_id_number`` with a fast path for clean 18-character numbers.

    The fast path accepts exactly what the reference function accepts (a property test checks this
    on random input); anything unusual (spaces, full-width characters, a lowercase x, 15 digits, any
    error) goes to the reference function, which also words the refusal. Birth dates are memoised.
    """

    def __init__(self, today=None):
        from django.utils import timezone

        self.today = today or timezone.localdate()
        self._dates = {}

    def _birth(self, digits):
        born = self._dates.get(digits)
        if born is None:
            try:
                born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
            except ValueError:
                born = False
            else:
                if born > self.today or born < identifiers.EARLIEST_BIRTH_DATE:
                    born = False
            self._dates[digits] = born
        return born

    def parse(self, text):
        """An ``identifiers.IdNumber``; raises ``identifiers.IdentifierError``."""
        if len(text) == 18 and text.isascii() and text[:17].isdigit():
            # Σ digit × weight over the ASCII codes in C, minus the codes' offset (48 per digit).
            total = sum(map(_mul, text[:17].encode("ascii"), identifiers.ID_WEIGHTS)) - _ID_OFFSET
            if identifiers.ID_CHECK_CHARS[total % 11] == text[17]:
                kind = identifiers.IdKind.FOREIGN if text[0] == "9" else _ID_KIND_BY_PREFIX.get(text[:2])
                if kind is not None and (kind != identifiers.IdKind.CITIZEN or text[0] in "12345678"):
                    born = self._birth(text[6:14])
                    if born:
                        sex = identifiers.Sex.MALE if int(text[16]) % 2 else identifiers.Sex.FEMALE
                        return identifiers.IdNumber(number=text, birth_date=born, sex=sex, kind=kind)
        return identifiers.validate_id_number(text, today=self.today)

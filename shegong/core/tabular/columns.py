"""Columns of a table spec: a header, a type, whether it is required, and how a cell becomes a value.

A column has an English ``name`` (stable, used in code, the API and the CLI), a Chinese ``header``
(the file format: templates and exports carry it, imports look for it), a translated ``label`` for
pages, a ``help`` note (the template shows it as the header's comment) and ``aliases``: other headers
found in the wild (身份证号 for 身份证号码...). ``parse(raw, row)`` returns the normalised value, or
None for an empty cell, and reports warnings through ``row.warn``; it raises ``CellError`` to reject.
"""

import unicodedata
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import identifiers

from . import cells
from .cells import CellError

CACHE_LIMIT = 50_000  # distinct cell texts remembered per column (dates, enumerations): bounded memory


def _plain(text):
    """Whether ``text`` needs no cleaning at all (the usual case): nothing clean_text would change."""
    return (
        text.isprintable()
        and " " not in text
        and text[:1] != "'"
        and (text.isascii() or unicodedata.is_normalized("NFKC", text))
    )


def header_key(text):
    """How headers are compared: full-width folded, no white space or punctuation marks, case-folded."""
    text = identifiers.normalise(cells.clean_text(text)).casefold()
    return "".join(ch for ch in text if ch.isalnum())


class Column:
    kind = "text"
    type_label = gettext_lazy("Text")
    text_format = False  # xlsx: format the column as text ("@") so Excel keeps it as typed
    width = 16
    # A key column: a placeholder for "none" (无, 暂无, /, -, N/A, 0) is read as an empty cell.
    placeholders = False

    def __init__(
        self,
        name,
        header,
        label,
        *,
        required=False,
        help="",
        aliases=(),
        example="",
        width=None,
        importable=True,
        exportable=True,
        validators=(),
        max_length=None,
    ):
        self.name = name
        self.header = header
        self.label = label
        self.required = required
        self.help = help
        self.aliases = tuple(aliases)
        self.example = example
        self.importable = importable
        self.exportable = exportable
        self.validators = tuple(validators)
        self.max_length = max_length
        if width is not None:
            self.width = width

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"

    # --- headers -------------------------------------------------------------------------------------
    def header_keys(self):
        """Every spelling under which this column is recognised in a file's header row."""
        keys = {header_key(self.header), header_key(self.name), header_key(self.name.replace("_", " "))}
        keys.update(header_key(alias) for alias in self.aliases)
        for language in ("zh-hans", "en"):
            with translation.override(language):
                keys.add(header_key(str(self.label)))
        keys.discard("")
        return keys

    # --- import --------------------------------------------------------------------------------------
    def parse(self, raw, row):
        value = self.convert(raw, row)
        for validator in self.validators:
            validator(value)
        return value

    def convert(self, raw, row):
        text = raw if raw.__class__ is str and _plain(raw) else cells.clean_text(raw)
        if self.max_length is not None and len(text) > self.max_length:
            raise CellError(
                "too_long",
                _("At most %(max)d characters (this has %(length)d).") % {"max": self.max_length, "length": len(text)},
            )
        return text

    # --- documentation -------------------------------------------------------------------------------
    def allowed_values(self):
        return []

    def format_note(self):
        return ""

    # --- export --------------------------------------------------------------------------------------
    def to_cell(self, value):
        """The value as the export and the template write it."""
        if value is None:
            return ""
        return value


class TextColumn(Column):
    pass


class IdentifierTextColumn(Column):
    """Opaque numbers (management numbers, phone numbers): kept as text, never as a spreadsheet number."""

    placeholders = True
    kind = "text"
    type_label = gettext_lazy("Text (digits kept as typed)")
    text_format = True

    def __init__(self, *args, leading_zeros=True, **kwargs):
        super().__init__(*args, **kwargs)
        # Whether a value may start with 0 (then a spreadsheet number may have dropped it: warn).
        self.leading_zeros = leading_zeros

    def convert(self, raw, row):
        if raw.__class__ is str and raw.isascii() and raw.isdigit():
            if self.max_length is not None and len(raw) > self.max_length:
                return super().convert(raw, row)
            return raw
        text = cells.identifier_text(raw, what=self.header)
        if isinstance(raw, float) and self.leading_zeros:
            row.warn(
                self,
                "stored_as_number",
                _(
                    "Excel stored this value as a number; leading zeros, if there were any, are lost. Format the column as text."
                ),
                raw,
            )
        return super().convert(text, row)


class IntColumn(Column):
    kind = "int"
    type_label = gettext_lazy("Whole number")
    width = 10

    def __init__(self, *args, min_value=None, max_value=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_value = min_value
        self.max_value = max_value

    def convert(self, raw, row):
        value = cells.parse_int(raw)
        if self.min_value is not None and value < self.min_value:
            raise CellError("too_small", _("At least %(min)s.") % {"min": self.min_value})
        if self.max_value is not None and value > self.max_value:
            raise CellError("too_large", _("At most %(max)s.") % {"max": self.max_value})
        return value

    def format_note(self):
        if self.min_value is not None and self.max_value is not None:
            return _("From %(min)s to %(max)s.") % {"min": self.min_value, "max": self.max_value}
        return ""


class DecimalColumn(Column):
    kind = "decimal"
    type_label = gettext_lazy("Number")
    width = 10

    def __init__(self, *args, places=None, min_value=None, max_value=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = places
        self.min_value = min_value
        self.max_value = max_value

    def convert(self, raw, row):
        value = cells.parse_decimal(raw, places=self.places)
        if self.min_value is not None and value < self.min_value:
            raise CellError("too_small", _("At least %(min)s.") % {"min": self.min_value})
        if self.max_value is not None and value > self.max_value:
            raise CellError("too_large", _("At most %(max)s.") % {"max": self.max_value})
        return value

    def format_note(self):
        if self.places is not None:
            return _("At most %(places)d decimal places.") % {"places": self.places}
        return ""

    def to_cell(self, value):
        return "" if value is None else float(value)


class DateColumn(Column):
    placeholders = True
    kind = "date"
    type_label = gettext_lazy("Date")
    width = 12

    def __init__(self, *args, past_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self._cache = {}
        # Dates of things that have happened (an issue date, a study date): a later date is refused.
        self.past_only = past_only
        if past_only:
            self.convert = self._convert_past

    def _convert_past(self, raw, row):
        value = DateColumn.convert(self, raw, row)
        if value is not None and value > row.context.today:
            raise CellError("future_date", _("The date %(date)s is in the future.") % {"date": value.isoformat()})
        return value

    def convert(self, raw, row):
        if raw.__class__ is str:
            hit = self._cache.get(raw)
            if hit is not None:
                return hit
            if len(raw) == 10 and raw[4] == "-" and raw[7] == "-" and raw.isascii():
                try:  # the usual 2021-03-01: straight through the C parser
                    value = date.fromisoformat(raw)
                except ValueError:
                    pass
                else:
                    if len(self._cache) < CACHE_LIMIT:
                        self._cache[raw] = value
                    return value
            warned = []
            value = cells.parse_date(raw, lambda code, message: warned.append((code, message)))
            for code, message in warned:
                row.warn(self, code, message, raw)
            if not warned and len(self._cache) < CACHE_LIMIT:
                self._cache[raw] = value
            return value
        return cells.parse_date(raw, lambda code, message: row.warn(self, code, message, raw))

    def format_note(self):
        note = _("Year-month-day, e.g. 2021-03-01 (also 2021/3/1, 2021年3月1日, 20210301 or an Excel date).")
        if self.past_only:
            note += " " + _("Not later than today.")
        return note


_BOOL_CACHE = {}


class BoolColumn(Column):
    kind = "bool"
    type_label = gettext_lazy("Yes or no")
    width = 8

    def convert(self, raw, row):
        if raw.__class__ is str:
            hit = _BOOL_CACHE.get(raw)
            if hit is not None:
                return hit
            value = cells.parse_bool(raw)
            if len(_BOOL_CACHE) < 1000:
                _BOOL_CACHE[raw] = value
            return value
        return cells.parse_bool(raw)

    def allowed_values(self):
        return [("1", "是"), ("0", "否")]

    def dropdown(self):
        return ["是", "否"]

    def to_cell(self, value):
        if value is None:
            return ""
        return "是" if value else "否"


class EnumColumn(Column):
    """One of a fixed set: accepted as the stored value, the Chinese or English label, or an alias.

    ``choices`` is a Django ``TextChoices`` class or a list of (value, label); ``headers`` maps a value
    to the Chinese word that templates, dropdowns and exports use; ``value_aliases`` maps a value to
    more accepted spellings.
    """

    kind = "enum"
    type_label = gettext_lazy("One of a list")

    def __init__(self, *args, choices, words=None, value_aliases=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = list(getattr(choices, "choices", choices))
        self.words = dict(words or {})
        self.value_aliases = dict(value_aliases or {})
        self._lookup = None
        self._cache = {}

    def _table(self):
        if self._lookup is None:
            table = {}
            for value, label in self.choices:
                spellings = {value, self.words.get(value, "")}
                spellings.update(self.value_aliases.get(value, ()))
                for language in ("zh-hans", "en"):
                    with translation.override(language):
                        spellings.add(str(label))
                for spelling in spellings:
                    key = header_key(spelling)
                    if key:
                        table.setdefault(key, value)
            self._lookup = table
        return self._lookup

    def convert(self, raw, row):
        if raw.__class__ is str:
            hit = self._cache.get(raw)
            if hit is not None:
                return hit
        text = cells.clean_text(raw)
        value = self._table().get(header_key(text))
        if value is not None and raw.__class__ is str and len(self._cache) < CACHE_LIMIT:
            self._cache[raw] = value
        if value is None:
            raise CellError(
                "not_in_list",
                _("%(value)s is not one of: %(allowed)s.") % {"value": text, "allowed": "、".join(self.dropdown())},
            )
        return value

    def word(self, value):
        if value in self.words:
            return self.words[value]
        return str(dict(self.choices).get(value, value))

    def dropdown(self):
        return [self.word(value) for value, _label in self.choices]

    def allowed_values(self):
        return [(value, self.word(value)) for value, _label in self.choices]

    def to_cell(self, value):
        return "" if value in (None, "") else self.word(value)


class IdNumberColumn(Column):
    """公民身份号码 (and the residence permits sharing its layout).

    The parsed value is an ``identifiers.IdNumber``. Excel numbers that lost digits, scientific
    notation and failed checks are refused; a 15-digit number is converted with a warning.
    """

    placeholders = True
    kind = "id_number"
    type_label = gettext_lazy("ID number")
    text_format = True
    width = 22

    def convert(self, raw, row):
        if raw.__class__ is str and len(raw) == 18 and raw.isascii() and raw[:17].isdigit():
            text = raw  # the clean case: straight to the fast path of the parser
        else:
            text = cells.identifier_text(raw, what=self.header)
        try:
            parsed = row.context.id_parser.parse(text)
        except identifiers.IdentifierError as exc:
            message = " ".join(exc.messages)
            compact = identifiers.normalise(text)
            if exc.code == "id_bad_check" and compact.isdigit() and compact.endswith("00"):
                message += " " + _(
                    "The number ends in zeros, as when Excel stores an ID number as a number and drops its last digits: "
                    "format the column as text and enter the number again."
                )
            raise CellError(exc.code or "bad_id", message) from exc
        if parsed.converted_from_15:
            row.warn(
                self,
                "id_converted_15",
                _("The 15-digit ID number was converted to the 18-digit number %(number)s.")
                % {"number": identifiers.mask_id_number(parsed.number)},
                raw,
            )
        return parsed

    def format_note(self):
        return _("18 characters (old 15-digit numbers are converted); enter it as text, never as a number.")


# Headers found in the wild for 身份证号码, in every table that has an ID number column.
ID_NUMBER_ALIASES = ("身份证号", "公民身份号码", "身份证件号码", "证件号码", "证件号", "身份证", "居民身份证号码")


def id_number_column(*, help="", example="440106199001011234", required=True):
    """The 身份证号码 column, the same in every table: header, aliases, example."""
    return IdNumberColumn(
        "id_number",
        "身份证号码",
        gettext_lazy("ID number"),
        required=required,
        aliases=ID_NUMBER_ALIASES,
        example=example,
        help=help,
    )


class CreditCodeColumn(Column):
    """统一社会信用代码: refused when it cannot be a code; a failed check character is a warning."""

    placeholders = True
    kind = "credit_code"
    type_label = gettext_lazy("Unified social credit code")
    text_format = True
    width = 22

    def __init__(self, *args, expected_kind_column=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected_kind_column = expected_kind_column

    def convert(self, raw, row):
        text = cells.identifier_text(raw, what=self.header)
        try:
            credit = identifiers.validate_credit_code(text)
        except identifiers.IdentifierError as exc:
            raise CellError(exc.code or "bad_credit_code", " ".join(exc.messages)) from exc
        for warning in credit.warnings:
            row.warn(self, "credit_code_check", str(warning), raw)
        return credit

    def format_note(self):
        return _("18 characters; a code failing its check character is accepted with a warning.")


class RegionColumn(Column):
    """A division given by its six-digit code or by its name (with the full path when names repeat)."""

    placeholders = True
    kind = "region"
    type_label = gettext_lazy("Division (code or name)")
    text_format = True
    width = 24

    def __init__(self, *args, level=3, **kwargs):
        super().__init__(*args, **kwargs)
        self.level = level

    def convert(self, raw, row):
        context = row.context
        cache = context.cache.setdefault(("region", self.level), {})
        hit = cache.get(raw) if raw.__class__ is str else None
        if hit is None:
            text = cells.identifier_text(raw, what=self.header) if isinstance(raw, float) else cells.clean_text(raw)
            hit = context.regions.resolve(text, level=self.level, scope=context.scope)  # raises CellError
            if raw.__class__ is str and len(cache) < CACHE_LIMIT:
                cache[raw] = hit
        code, warning = hit
        if warning:
            row.warn(self, "region_guessed", warning, raw)
        return code

    def format_note(self):
        return _(
            "The six-digit division code (e.g. 440106) or the full name (广东省广州市天河区); a short name such as "
            "天河区 is enough when it is unique."
        )

    def to_cell(self, value):
        return value or ""

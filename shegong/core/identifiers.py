"""Personal and organization identifiers: validate, normalise, mask.

- 公民身份号码 (GB 11643-1999, check character ISO 7064 MOD 11-2): citizens, the residence permits
  of Hong Kong, Macao and Taiwan residents (810000/820000/830000) and the 2023 foreign
  permanent-resident ID (first digit 9) share the 18-character layout and check. First-generation
  15-digit numbers are converted (``19`` inserted, check computed).
- 统一社会信用代码 (GB 32100-2015, check character GB/T 17710): a failed check is a warning, not a
  rejection, because some legally issued pilot-region codes fail it.
- 行政区划代码 (GB/T 2260): six digits that exist in the division table.

The functions here are pure (no database) except ``validate_division_code``. Masking functions are
applied in exactly two places: the ``masking`` template filters and ``serializers.MaskedIdField``.
See docs/domain.md, Identifiers.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdentifierError(ValidationError):
    """A ``ValidationError`` with a specific, translated message and a stable ``code``.

    Forms and serializers can let it propagate as an ordinary validation error.
    """


# --- normalisation ---------------------------------------------------------------------------------------

# Characters that copy-and-paste from spreadsheets, PDFs and chat programs leave in identifiers.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACE_RE = re.compile(r"\s+")


def normalise(value):
    """Full-width to half-width (NFKC), invisible characters and all white space removed, upper case."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).translate(_INVISIBLE)
    return _SPACE_RE.sub("", text).upper()


# --- 公民身份号码 --------------------------------------------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

# First two digits of GB/T 2260 province-level units (including 71 Taiwan, 81 Hong Kong, 82 Macao).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


class IdKind(models.TextChoices):
    CITIZEN = "citizen", _("Resident identity card")
    HK_MACAO = "hk_macao", _("Residence permit for Hong Kong and Macao residents")
    TAIWAN = "taiwan", _("Residence permit for Taiwan residents")
    FOREIGN = "foreign", _("Foreign permanent resident ID card")


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


@dataclass(frozen=True)
class IdNumber:
    """A validated identity number. ``number`` is the normalised 18-character form."""

    number: str
    birth_date: date
    sex: str
    kind: str
    converted_from_15: bool = False

    def __str__(self):
        return self.number


def id_check_char(first17):
    """The MOD 11-2 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def _id_kind(number):
    if number[0] == "9":
        return IdKind.FOREIGN
    prefix = number[:2]
    if prefix in ("81", "82"):
        return IdKind.HK_MACAO
    if prefix == "83":
        return IdKind.TAIWAN
    if number[0] in "12345678" and prefix in PROVINCE_CODES:
        return IdKind.CITIZEN
    return None


def _birth_date(digits, *, today=None):
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError as exc:
        raise IdentifierError(
            _("The birth date in the ID number (%(date)s) is not a real calendar date."),
            code="id_bad_date",
            params={"date": f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"},
        ) from exc
    today = today or timezone.localdate()
    if born > today:
        raise IdentifierError(
            _("The birth date in the ID number (%(date)s) is in the future."),
            code="id_future_date",
            params={"date": born.isoformat()},
        )
    if born < EARLIEST_BIRTH_DATE:
        raise IdentifierError(
            _("The birth date in the ID number (%(date)s) is too early to be plausible."),
            code="id_bad_date",
            params={"date": born.isoformat()},
        )
    return born


def validate_id_number(value, *, allow_15=True, today=None):
    """Validate and normalise an identity number; return an ``IdNumber`` or raise ``IdentifierError``."""
    number = normalise(value)
    if not number:
        raise IdentifierError(_("Enter the ID number."), code="id_required")
    converted = False
    if len(number) == 15 and allow_15:
        if not number.isdigit() or not number.isascii():
            raise IdentifierError(
                _("A 15-digit ID number may contain only digits."),
                code="id_bad_character",
            )
        first17 = number[:6] + "19" + number[6:]
        number = first17 + id_check_char(first17)
        converted = True
    elif len(number) != 18:
        raise IdentifierError(
            _("An ID number has 18 characters (old numbers have 15 digits); this one has %(length)d."),
            code="id_length",
            params={"length": len(number)},
        )
    bad = next((c for c in number[:17] if not ("0" <= c <= "9")), None)
    if bad is not None or not ("0" <= number[17] <= "9" or number[17] == "X"):
        raise IdentifierError(
            _("The ID number may contain only digits, with X allowed as the last character (found “%(character)s”)."),
            code="id_bad_character",
            params={"character": bad if bad is not None else number[17]},
        )
    kind = _id_kind(number)
    if kind is None:
        raise IdentifierError(
            _("The ID number starts with %(prefix)s, which is not a known province code."),
            code="id_bad_region",
            params={"prefix": number[:2]},
        )
    born = _birth_date(number[6:14], today=today)
    if id_check_char(number[:17]) != number[17]:
        raise IdentifierError(
            # Translators: "check character" is 校验位.
            _(
                "The check character (the last character) does not match the other 17 digits: the number contains a typing error."
            ),
            code="id_bad_check",
        )
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    return IdNumber(number=number, birth_date=born, sex=sex, kind=kind, converted_from_15=converted)


def build_id_number(address_code, birth_date, sequence):
    """A valid 18-character number (demo data, tests): address code + birth date + 3-digit sequence + check."""
    first17 = f"{address_code}{birth_date:%Y%m%d}{sequence % 1000:03d}"
    return first17 + id_check_char(first17)


def is_valid_id_number(value):
    try:
        validate_id_number(value)
    except ValidationError:
        return False
    return True


# --- 统一社会信用代码 ----------------------------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}

# Position 1: the registration department (GB 32100-2015, table 1).
USCC_DEPARTMENTS = {
    "1": _("Institutional establishment"),
    "2": _("Foreign affairs"),
    "3": _("Judicial administration"),
    "4": _("Culture"),
    "5": _("Civil affairs"),
    "6": _("Tourism"),
    "7": _("Religious affairs"),
    "8": _("Trade unions"),
    "9": _("Market regulation"),
    "A": _("Central Military Commission establishment office"),
    "N": _("Agriculture"),
    "Y": _("Other"),
}
# Position 2 when position 1 is 5 (civil affairs).
CIVIL_AFFAIRS_TYPES = {
    "1": _("Social group"),
    "2": _("Private non-enterprise unit (social service organization)"),
    "3": _("Foundation"),
    "9": _("Other"),
}
# The soft prefix check: what an organization of each kind is expected to start with.
EXPECTED_PREFIXES = {
    "service_organization": "52",
    "association": "51",
}


@dataclass(frozen=True)
class CreditCode:
    """A unified social credit code that passed the hard checks (length and character set).

    ``valid_check`` is False when the check character or the embedded organization-code check
    fails; such a code is accepted only after manual confirmation. ``warnings`` lists translated
    messages for everything that needs a person's attention.
    """

    code: str
    valid_check: bool
    warnings: tuple = field(default_factory=tuple)

    def __str__(self):
        return self.code

    @property
    def department(self):
        return self.code[0]

    @property
    def department_label(self):
        return USCC_DEPARTMENTS.get(self.department, "")

    @property
    def entity_type(self):
        return self.code[1]

    @property
    def entity_type_label(self):
        if self.department == "5":
            return CIVIL_AFFAIRS_TYPES.get(self.entity_type, "")
        return ""

    @property
    def is_civil_affairs(self):
        return self.department == "5"

    @property
    def division_code(self):
        """The registering authority's administrative-division code (characters 3-8)."""
        return self.code[2:8]

    @property
    def organization_code(self):
        """The embedded organization code (GB 11714, characters 9-17)."""
        return self.code[8:17]


def uscc_check_char(first17):
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def organization_code_check_char(first8):
    total = sum(_ORG_CODE_VALUES[c] * w for c, w in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def validate_credit_code(value, *, expected_kind=None):
    """Validate a unified social credit code.

    Raises ``IdentifierError`` for what cannot be a credit code (empty, wrong length, characters
    outside the 31-symbol set). Returns a ``CreditCode`` otherwise, with ``valid_check`` and
    warnings for a failed check character, a failed organization-code check, a division code that
    is not six digits, and (when ``expected_kind`` is "service_organization" or "association") an
    unexpected prefix.
    """
    code = normalise(value)
    if not code:
        raise IdentifierError(_("Enter the unified social credit code."), code="uscc_required")
    if len(code) != 18:
        raise IdentifierError(
            _("A unified social credit code has 18 characters; this one has %(length)d."),
            code="uscc_length",
            params={"length": len(code)},
        )
    bad = next((c for c in code if c not in USCC_ALPHABET), None)
    if bad is not None:
        raise IdentifierError(
            _(
                "A unified social credit code may contain only digits and capital letters other than "
                "I, O, S, V and Z (found “%(character)s”)."
            ),
            code="uscc_bad_character",
            params={"character": bad},
        )
    warnings = []
    valid = True
    if uscc_check_char(code[:17]) != code[17]:
        valid = False
        warnings.append(
            _(
                "The check character (the last character) does not match: the code may contain a typing "
                "error. Some codes issued in early pilot regions fail this check legitimately; confirm it "
                "against the registration certificate."
            )
        )
    org = code[8:17]
    if all(c in _ORG_CODE_VALUES for c in org) and organization_code_check_char(org[:8]) != org[8]:
        valid = False
        warnings.append(_("The embedded organization code (characters 9-17) fails its own check; confirm it manually."))
    if not code[2:8].isdigit():
        warnings.append(_("Characters 3-8 should be the registering authority's division code (six digits)."))
    if expected_kind is not None:
        expected = EXPECTED_PREFIXES[expected_kind]
        if not code.startswith(expected):
            warnings.append(
                _(
                    "Codes of this kind of organization normally start with %(expected)s; this one starts with %(actual)s."
                )
                % {"expected": expected, "actual": code[:2]}
            )
    return CreditCode(code=code, valid_check=valid, warnings=tuple(warnings))


# --- 行政区划代码 --------------------------------------------------------------------------------------------


def validate_division_code(value, *, include_inactive=False):
    """Return the ``Region`` for a six-digit division code, or raise ``IdentifierError``.

    ``include_inactive=True`` also accepts abolished divisions (old records, identity numbers).
    """
    from django.apps import apps

    code = normalise(value)
    if not (len(code) == 6 and code.isdigit() and code.isascii()):
        raise IdentifierError(_("A division code has six digits."), code="division_format")
    Region = apps.get_model("regions", "Region")
    regions = Region.objects.filter(code=code)
    if not include_inactive:
        regions = regions.filter(active=True)
    region = regions.first()
    if region is None:
        raise IdentifierError(
            _("%(code)s is not a division code in the division table."),
            code="division_unknown",
            params={"code": code},
        )
    return region


# --- masking (used only by templatetags.masking and serializers.MaskedIdField) ---------------------------

MASK = "*"


def mask_id_number(value):
    """440106199001011234 -> 440106********1234: the first six and the last four characters stay."""
    text = normalise(value)
    if not text:
        return ""
    if len(text) > 10:
        return text[:6] + MASK * (len(text) - 10) + text[-4:]
    if len(text) > 4:
        return MASK * (len(text) - 4) + text[-4:]
    return MASK * len(text)


def mask_name(value):
    """张三丰 -> 张*丰, 张三 -> 张*, 欧阳娜娜 -> 欧**娜: the first and (for three or more) the last character stay."""
    text = str(value or "").strip()
    if not text:
        return ""
    if len(text) == 1:
        return MASK
    if len(text) == 2:
        return text[0] + MASK
    return text[0] + MASK * (len(text) - 2) + text[-1]


def mask_phone(value):
    """13812345678 -> 138****5678: the first three and the last four digits stay."""
    text = normalise(value)
    if not text:
        return ""
    if len(text) >= 8:
        return text[:3] + MASK * (len(text) - 7) + text[-4:]
    if len(text) > 2:
        return MASK * (len(text) - 2) + text[-2:]
    return MASK * len(text)

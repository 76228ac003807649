"""Bulk verbs of the workers app, used by the import engine (core/tabular) for large files.

They apply the rules of ``services.register_person`` and ``services.add_certificate`` to many rows
at once: the same identifier checks (core.identifiers), the same name, phone and management-number
normalisation (imported from services), the same scope rule, the same uniqueness (the ID number's
blind index, the management number). Rows are checked in Python one by one, without a query;
what needs the database (existing records, the holder of a certificate) is decided by set-based SQL
over the staging table; the write is ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` and
``UPDATE ... FROM`` from the staging table, one transaction per batch, in which the engine also
advances the import's watermark and writes the batch's audit event (with the batch id).
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.tabular.keys import BlindIndexer, Encryptor, refuse_during_rotation
from shegong.workers import queries

from . import services
from .holder_tables import holder_staged
from .models import Certificate, Person


def prepare(context):
    refuse_during_rotation()
    context.cache["blind_index"] = BlindIndexer()
    context.cache["encrypt"] = Encryptor()


_NAME_SPECIALS = set("\u2022\u2027\u30fb\uff65\uff0e.\u22c5\u2219 ")


def _plain_name(name):
    """A name queries.normalise_name would leave as it is (the column already folded it with NFKC)."""
    return not _NAME_SPECIALS.intersection(name)


def _region_in_scope(row, context, column, code):
    if code is not None and not context.scope.contains(code):
        row.error(
            column, "out_of_scope", context.scope.refusal(code, lambda c: f"{context.regions.full_name(c)} ({c})"), code
        )
        return False
    return True


# --- persons -----------------------------------------------------------------------------------------------

PERSON_STAGE_ORDER = (
    "name",
    "sex",
    "birth_date",
    "id_kind",
    "phone",
    "household_region_id",
    "region_id",
    "checked",
    "email",
    "education",
    "major",
    "address",
    "id_encrypted",  # volatile: a fresh nonce on every import
)


def clean_person(values, row):
    """(blind index, masked ID, staged values) for one row of the social-worker table, or None."""
    context = row.context
    parsed = values["id_number"]
    if parsed is None:
        return None
    ok = True
    name = values.get("name")
    if name is not None and not _plain_name(name):
        name = queries.normalise_name(name)
    if name is not None:
        if not name:
            row.error("name", "required", _("Enter the name."))
            ok = False
    sex = values.get("sex")
    if sex is not None and sex != parsed.sex:
        row.error(
            "sex",
            "sex_contradicts_id",
            _("The ID number belongs to a %(id_sex)s person (its 17th digit), but the sex column says %(sex)s.")
            % {"id_sex": _label_sex(parsed.sex), "sex": _label_sex(sex)},
            _label_sex(sex),
        )
        ok = False
    born = values.get("birth_date")
    if born is not None and born != parsed.birth_date:
        row.error(
            "birth_date",
            "birth_contradicts_id",
            _("The ID number gives the birth date %(id_date)s, but the birth-date column says %(date)s.")
            % {"id_date": parsed.birth_date.isoformat(), "date": born.isoformat()},
            born,
        )
        ok = False
    region = values.get("region")
    ok = _region_in_scope(row, context, "region", region) and ok
    household = values.get("household_region")
    phone = values.get("phone")
    if phone is not None:
        if not (len(phone) == 11 and phone.isdigit()):
            phone = queries.normalise_phone(phone)
        if not services.MOBILE_RE.match(phone):
            row.error("phone", "bad_phone", _("Enter an 11-digit mainland mobile phone number starting with 1."), phone)
            ok = False
    email = values.get("email")
    if email is not None:
        try:
            validate_email(email)
        except ValidationError:
            row.error("email", "bad_email", _("Enter a valid e-mail address."), email)
            ok = False
    if not ok:
        return None
    number = parsed.number
    major, address = values.get("major"), values.get("address")
    staged = (
        name,
        parsed.sex,
        parsed.birth_date,
        parsed.kind,
        phone,
        household,
        region,
        values.get("checked"),
        email,
        values.get("education"),
        queries.normalise_name(major)[:100] if major else None,
        queries.normalise_name(address)[:200] if address else None,
        context.cache["encrypt"](number),
    )
    return context.cache["blind_index"](number), f"{number[:6]}{'*' * 8}{number[14:]}", staged


def _label_sex(value):
    return {"male": _("male"), "female": _("female")}.get(value, value)


def commit_persons(stage, lo, hi, context):
    """Write one batch of staged persons; returns (inserted, updated)."""
    now = timezone.now()
    inserted = stage.insert_new(
        Person,
        {
            "id_blind_index": "s.skey",
            "id_encrypted": "s.id_encrypted",
            "id_kind": "s.id_kind",
            "name": "s.name",
            "sex": "s.sex",
            "birth_date": "s.birth_date",
            "phone": "COALESCE(s.phone, '')",
            "household_region_id": "s.household_region_id",
            "region_id": "s.region_id",
            "checked": "COALESCE(s.checked, FALSE)",
            "email": "COALESCE(s.email, '')",
            "education": "COALESCE(s.education, '')",
            "major": "COALESCE(s.major, '')",
            "address": "COALESCE(s.address, '')",
        },
        lo,
        hi,
        constants={"created_at": now, "updated_at": now},
        conflict="id_blind_index",
    )
    keep = stage.keep
    updated = stage.update_existing(
        Person,
        {
            "name": keep(Person, "name"),
            "phone": keep(Person, "phone"),
            "household_region_id": keep(Person, "household_region_id"),
            "region_id": keep(Person, "region_id"),
            "checked": keep(Person, "checked"),
            "email": keep(Person, "email"),
            "education": keep(Person, "education"),
            "major": keep(Person, "major"),
            "address": keep(Person, "address"),
        },
        lo,
        hi,
        constants={"updated_at": now},
    )
    return inserted, updated


# --- certificates ------------------------------------------------------------------------------------------


def clean_certificate(values, row):
    """(management number, management number, staged values) for one certificate row, or None."""
    context = row.context
    parsed = values["id_number"]
    raw_number = values.get("management_no")
    if parsed is None or raw_number is None:
        return None
    try:
        management_no = services.validate_management_no(raw_number)
    except Exception as exc:  # ValidationError keyed by field
        messages = getattr(exc, "message_dict", {}).get("management_no") or getattr(exc, "messages", [str(exc)])
        row.error("management_no", "bad_management_no", " ".join(messages), raw_number)
        return None
    year = values.get("exam_year")
    this_year = context.today.year
    if year is not None and not services.FIRST_EXAM_YEAR <= year <= this_year:
        row.error(
            "exam_year",
            "bad_exam_year",
            _("The exam year must lie between %(first)d and this year.") % {"first": services.FIRST_EXAM_YEAR},
            year,
        )
        return None
    issued = values.get("issued_on")
    if issued is not None and year is not None and issued.year < year:
        row.error(
            "issued_on",
            "issued_before_exam",
            _("The certificate cannot be issued (%(date)s) before its exam year (%(year)s).")
            % {"date": issued.isoformat(), "year": year},
            issued,
        )
        return None
    staged = holder_staged(values, context) + (values.get("level"), year, issued)
    return management_no, management_no, staged


def commit_certificates(stage, lo, hi, context):
    now = timezone.now()
    inserted = stage.insert_new(
        Certificate,
        {
            "person_id": "s.person_id",
            "level": "s.level",
            "management_no": "s.skey",
            "exam_year": "s.exam_year",
            "issued_on": "s.issued_on",
        },
        lo,
        hi,
        constants={"created_at": now, "updated_at": now},
        conflict="management_no",
    )
    keep = stage.keep
    updated = stage.update_existing(
        Certificate,
        {
            "level": keep(Certificate, "level"),
            "exam_year": keep(Certificate, "exam_year"),
            "issued_on": keep(Certificate, "issued_on"),
        },
        lo,
        hi,
        constants={"updated_at": now},
    )
    return inserted, updated

"""The conversion rules of continuing education, as pure functions (no database).

National defaults (民发〔2009〕123号, see docs/domain.md, Continuing education):

* hours required per registration period (3 years): 72 for 助理社会工作师, 90 for 社会工作师 and
  高级社会工作师;
* training counts its actual hours; a social-work degree (diploma or degree obtained) counts 90 hours,
  once; degree courses passed without the degree count their actual teaching hours.

Caps per form, and the conversion of papers, research, supervision and other forms, are not set
nationally: provinces set them (``EducationPolicy`` and ``FormRule``). The defaults below for those
forms count the claimed hours with no cap, except papers, which default to 60 hours per item (the
lower tier of Jiangxi's rule table); every province can change all of them.
"""

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .models.choices import Conversion, StudyForm

ZERO = Decimal("0")
TENTH = Decimal("0.1")
MAX_HOURS_PER_ITEM = Decimal("999.9")

# Hours per registration period, by certificate level.
DEFAULT_REQUIRED = {"assistant": Decimal("72"), "intermediate": Decimal("90"), "senior": Decimal("90")}
# Level order, lowest first: a person is held to the requirement of their highest certificate.
LEVEL_ORDER = ("assistant", "intermediate", "senior")
DEGREE_HOURS = Decimal("90")
# Registration periods are 3 years (登记有效期).
PERIOD_YEARS = 3


@dataclass(frozen=True)
class Rule:
    """How one form is credited in one province."""

    form: str
    accepted: bool = True
    conversion: str = Conversion.ACTUAL
    value: Decimal | None = None  # fixed hours per item, or the rate
    record_cap: Decimal | None = None  # at most this many hours from one item
    period_cap: Decimal | None = None  # at most this many hours from this form per registration period
    once: bool = False  # counts once in a person's life (a degree)

    def with_changes(self, **changes):
        return replace(self, **changes)


DEFAULT_RULES = {
    StudyForm.TRAINING: Rule(StudyForm.TRAINING),
    StudyForm.AUTHORITY_TRAINING: Rule(StudyForm.AUTHORITY_TRAINING),
    StudyForm.CONFERENCE: Rule(StudyForm.CONFERENCE),
    StudyForm.ONLINE: Rule(StudyForm.ONLINE),
    StudyForm.DEGREE: Rule(StudyForm.DEGREE, conversion=Conversion.FIXED, value=DEGREE_HOURS, once=True),
    StudyForm.DEGREE_COURSES: Rule(StudyForm.DEGREE_COURSES),
    StudyForm.PAPER: Rule(StudyForm.PAPER, conversion=Conversion.FIXED, value=Decimal("60")),
    StudyForm.RESEARCH: Rule(StudyForm.RESEARCH),
    StudyForm.SUPERVISION_GIVEN: Rule(StudyForm.SUPERVISION_GIVEN),
    StudyForm.SUPERVISION_RECEIVED: Rule(StudyForm.SUPERVISION_RECEIVED),
    StudyForm.OTHER: Rule(StudyForm.OTHER),
}


def hours(value):
    """A Decimal rounded to one decimal place (half up); None and '' are zero."""
    if value in (None, ""):
        return ZERO
    return Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)


def format_hours(value):
    """``40`` rather than ``40.0``; ``12.5`` stays."""
    value = hours(value)
    return str(value.quantize(Decimal("1"))) if value == value.to_integral_value() else str(value)


def highest_level(levels):
    """The highest of some certificate levels, or None."""
    ranked = [level for level in LEVEL_ORDER if level in set(levels)]
    return ranked[-1] if ranked else None


@dataclass(frozen=True)
class Credit:
    """The outcome of applying a rule: the hours credited and, in words, why."""

    converted: Decimal  # after conversion and the per-item cap
    credited: Decimal  # after the once-only rule and the per-period cap
    explanation: str


def convert(rule, claimed):
    """Claimed hours → hours by the form's conversion, then the per-item cap. Returns (hours, words)."""
    claimed = hours(claimed)
    if rule.conversion == Conversion.FIXED:
        value = hours(rule.value)
        words = _("%(hours)s hours per item") % {"hours": format_hours(value)}
    elif rule.conversion == Conversion.RATE:
        rate = Decimal(str(rule.value if rule.value is not None else 1))
        value = hours(claimed * rate)
        words = _("%(claimed)s hours × %(rate)s") % {"claimed": format_hours(claimed), "rate": rate.normalize()}
    else:
        value = claimed
        words = _("actual hours")
    if rule.record_cap is not None and value > hours(rule.record_cap):
        value = hours(rule.record_cap)
        words += "; " + _("at most %(cap)s hours per item") % {"cap": format_hours(rule.record_cap)}
    return value, words


def apply_rule(rule, claimed, *, used_in_period=ZERO, already_once=False):
    """The hours to credit for one item of ``rule.form``.

    ``used_in_period``: hours of the same form already credited in the registration period the item
    falls in (for the per-period cap); ``already_once``: the person already had an item of a
    once-only form (a degree) credited.
    """
    if not rule.accepted:
        return Credit(ZERO, ZERO, _("this form is not recognised in the province"))
    value, words = convert(rule, claimed)
    if rule.once and already_once:
        return Credit(value, ZERO, words + "; " + _("counts only once and was already credited"))
    credited = value
    if rule.period_cap is not None:
        room = max(ZERO, hours(rule.period_cap) - hours(used_in_period))
        if credited > room:
            credited = room
            words += "; " + _(
                "at most %(cap)s hours of this form per registration period (%(used)s already credited)"
            ) % {
                "cap": format_hours(rule.period_cap),
                "used": format_hours(used_in_period),
            }
    return Credit(value, credited, words)

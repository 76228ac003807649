from django import template

from shegong.education import rules as R

register = template.Library()


@register.filter
def hours(value):
    """``40`` rather than ``40.0``."""
    return R.format_hours(value)


@register.filter
def level_label(value):
    from shegong.workers.models import CertificateLevel

    return CertificateLevel(value).label if value in CertificateLevel.values else "—"


@register.filter
def province_label(code):
    from django.utils.translation import gettext as _

    from shegong.regions.models import Region

    region = Region.objects.unscoped("division tree: public reference data").filter(code=code).first() if code else None
    return str(region) if region is not None else _("the national defaults")


@register.filter
def rule_for(policy, form):
    return policy.rule(form)


@register.filter
def rule_text(rule):
    """A rule in words: "Paper, survey report or case study: 60 hours per item; at most 80 hours per period"."""
    from django.utils.translation import gettext as _

    from shegong.education.models import Conversion, StudyForm

    label = StudyForm(rule.form).label if rule.form in StudyForm.values else rule.form
    if not rule.accepted:
        return _("%(form)s: not recognised") % {"form": label}
    if rule.conversion == Conversion.FIXED:
        words = _("%(hours)s hours per item") % {"hours": R.format_hours(rule.value)}
    elif rule.conversion == Conversion.RATE:
        words = _("hours × %(rate)s") % {"rate": rule.value}
    else:
        words = _("actual hours")
    parts = [words]
    if rule.record_cap is not None:
        parts.append(_("at most %(cap)s hours per item") % {"cap": R.format_hours(rule.record_cap)})
    if rule.period_cap is not None:
        parts.append(_("at most %(cap)s hours per registration period") % {"cap": R.format_hours(rule.period_cap)})
    if rule.once:
        parts.append(_("counts once"))
    return f"{label}: " + "; ".join(str(p) for p in parts)

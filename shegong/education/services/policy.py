"""Changing a province's continuing-education rules (province administrators; national ones for any province)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shegong.core import capabilities
from shegong.core.audit import record
from shegong.education import actions
from shegong.education import rules as R
from shegong.education.models import Conversion, EducationPolicy, FormRule, ReviewLevel, StudyForm
from shegong.education.queries import policy_for_province
from shegong.regions.models import Level


def can_edit_policy(user, province=None):
    if not capabilities.administers_region(user):
        return False
    if user.region.level > Level.PROVINCE:
        return False
    return province is None or user.region.contains(province.code)


def _rule_dict(rule):
    return {
        "accepted": rule.accepted,
        "conversion": rule.conversion,
        "value": str(rule.value) if rule.value is not None else None,
        "record_cap": str(rule.record_cap) if rule.record_cap is not None else None,
        "period_cap": str(rule.period_cap) if rule.period_cap is not None else None,
        "once": rule.once,
    }


@transaction.atomic
def save_policy(province, *, actor, required, annual_required=None, review_level=ReviewLevel.COUNTY, rules=None):
    """Set a province's rules. ``required``: {level: hours}; ``rules``: {form: Rule} (others unchanged)."""
    if province is None or province.level != Level.PROVINCE:
        raise ValidationError(_("Choose a province."))
    if not can_edit_policy(actor, province):
        raise PermissionDenied(
            _("Only administrators of %(province)s (or above) change its rules.") % {"province": province}
        )
    if review_level not in ReviewLevel.values:
        raise ValidationError({"review_level": _("Choose a review level.")})
    for level in R.LEVEL_ORDER:
        if R.hours(required.get(level)) < 0:
            raise ValidationError({f"required_{level}": _("Hours cannot be negative.")})
    before = policy_for_province(province.code)
    policy, _created = EducationPolicy.objects.select_for_update().get_or_create(
        province=province,
        defaults={
            "required_assistant": before.required_for("assistant"),
            "required_intermediate": before.required_for("intermediate"),
            "required_senior": before.required_for("senior"),
        },
    )
    policy.required_assistant = R.hours(required["assistant"])
    policy.required_intermediate = R.hours(required["intermediate"])
    policy.required_senior = R.hours(required["senior"])
    policy.annual_required = R.hours(annual_required) if annual_required not in (None, "") else None
    policy.review_level = review_level
    policy.updated_by = actor
    policy.save()
    for form, rule in (rules or {}).items():
        if form not in StudyForm.values:
            continue
        if rule.conversion in (Conversion.FIXED, Conversion.RATE) and rule.value is None:
            raise ValidationError({f"rule_{form}_value": _("Give the hours (fixed) or the rate.")})
        FormRule.objects.update_or_create(
            policy=policy,
            form=form,
            defaults={
                "accepted": rule.accepted,
                "conversion": rule.conversion,
                "value": rule.value,
                "record_cap": rule.record_cap,
                "period_cap": rule.period_cap,
                "once": rule.once,
            },
        )
    after = policy_for_province(province.code)
    changes = {}
    for level in R.LEVEL_ORDER:
        if before.required_for(level) != after.required_for(level):
            changes[f"required_{level}"] = [str(before.required_for(level)), str(after.required_for(level))]
    if before.annual_required != after.annual_required:
        changes["annual_required"] = [str(before.annual_required), str(after.annual_required)]
    if before.review_level != after.review_level:
        changes["review_level"] = [before.review_level, after.review_level]
    for form in StudyForm.values:
        old, new = _rule_dict(before.rule(form)), _rule_dict(after.rule(form))
        if old != new:
            changes[f"rule_{form}"] = [old, new]
    record(actor, actions.POLICY_CHANGE, policy, changes=changes, region_code=province.code)
    if changes:
        from shegong.education.tasks import refresh_region_standings

        code = province.code
        transaction.on_commit(lambda: refresh_region_standings.enqueue(region_code=code))
    return after

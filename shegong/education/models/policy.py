"""Province-level settings: hours required, the conversion of each form, caps, the review level.

A province without a row follows the national defaults (``shegong.education.rules``). The rules are
public to every signed-in user; administrators at province level (for their province) and at
national level change them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.roles import Role
from shegong.core.scoping import EDIT, ScopedQuerySet

from .choices import Conversion, StudyForm

PROVINCE_LEVEL = 1


class ReviewLevel(models.IntegerChoices):
    # The values are shegong.regions.models.Level's.
    PROVINCE = 1, _("Province")
    PREFECTURE = 2, _("Prefecture")
    COUNTY = 3, _("County")


def _policy_scope_q(user, purpose, field):
    if purpose != EDIT:
        return models.Q()
    if getattr(user, "role", None) != Role.ADMIN or not user.region_id or user.region.level > PROVINCE_LEVEL:
        return None
    return user.region.subtree_q(field)


class EducationPolicyQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        return _policy_scope_q(user, purpose, "province__code")


class EducationPolicy(models.Model):
    province = models.OneToOneField(
        "regions.Region",
        verbose_name=_("province"),
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": PROVINCE_LEVEL},
    )
    # Translators: 助理社会工作师 — hours per registration period
    required_assistant = models.DecimalField(
        _("hours required: assistant social worker"), max_digits=5, decimal_places=1
    )
    required_intermediate = models.DecimalField(_("hours required: social worker"), max_digits=5, decimal_places=1)
    required_senior = models.DecimalField(_("hours required: senior social worker"), max_digits=5, decimal_places=1)
    annual_required = models.DecimalField(
        _("hours expected per calendar year"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_(
            "Optional (e.g. 90 under 人社部令第25号); shown beside the yearly totals, not used for re-registration."
        ),
    )
    review_level = models.PositiveSmallIntegerField(
        _("declarations reviewed at"), choices=ReviewLevel.choices, default=ReviewLevel.COUNTY
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    objects = EducationPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("continuing-education rules")
        verbose_name_plural = _("continuing-education rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(required_assistant__gte=0, required_intermediate__gte=0, required_senior__gte=0),
                name="edu_policy_required_not_negative",
            )
        ]

    def __str__(self):
        return str(self.province)

    @property
    def region_id(self):
        return self.province_id


class FormRuleQuerySet(ScopedQuerySet):
    def scope_q(self, user, purpose):
        return _policy_scope_q(user, purpose, "policy__province__code")


class FormRule(models.Model):
    """How one form is credited in one province (a missing row means the national default)."""

    policy = models.ForeignKey(EducationPolicy, verbose_name=_("rules"), on_delete=models.CASCADE, related_name="forms")
    form = models.CharField(_("form"), max_length=24, choices=StudyForm.choices)
    accepted = models.BooleanField(_("recognised"), default=True)
    conversion = models.CharField(_("conversion"), max_length=8, choices=Conversion.choices, default=Conversion.ACTUAL)
    value = models.DecimalField(
        _("hours or rate"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Fixed hours per item, or the rate that multiplies the hours."),
    )
    record_cap = models.DecimalField(_("cap per item"), max_digits=6, decimal_places=1, null=True, blank=True)
    period_cap = models.DecimalField(_("cap per period"), max_digits=6, decimal_places=1, null=True, blank=True)
    once = models.BooleanField(_("counts once only"), default=False)

    objects = FormRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("form rule")
        verbose_name_plural = _("form rules")
        ordering = ["policy", "form"]
        constraints = [models.UniqueConstraint(fields=["policy", "form"], name="edu_form_rule_once_per_policy")]

    def __str__(self):
        return f"{self.policy} · {self.get_form_display()}"

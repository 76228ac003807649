"""The filter sets of the registry lists, shared by the pages, the API and the export jobs."""

import re
from datetime import date

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from shegong.core import crypto
from shegong.core.filters import BooleanFilter, IntegerFilter, RegionSubtreeFilter, year_filter
from shegong.core.identifiers import IdentifierError, validate_id_number

from .models import Certificate, CertificateLevel, EmployerType, Person
from .status import RegistrationStatus, status_q

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_range(value):
    """(first day, last day) of a "YYYY-MM" month, or None."""
    match = MONTH_RE.match((value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2200):
        return None
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def blind_indexes(value):
    """The blind-index values of an ID number in any accepted spelling, or None when it is not one."""
    try:
        parsed = validate_id_number(value)
    except IdentifierError:
        return None
    return crypto.blind_index_candidates(parsed.number)


class RegistryFilterBase(django_filters.FilterSet):
    """Filters common to persons and certificates; ``person_prefix`` is the path from the row to its person."""

    person_prefix = ""

    status = django_filters.ChoiceFilter(
        label=_("Registration status"), choices=RegistrationStatus.choices, method="filter_status"
    )
    expiry_month = django_filters.CharFilter(label=_("Registration expires in (YYYY-MM)"), method="filter_expiry_month")
    name = django_filters.CharFilter(label=_("Name starts with"), method="filter_name")
    id_number = django_filters.CharFilter(label=_("ID number"), method="filter_id_number")
    employer_type = django_filters.ChoiceFilter(
        label=_("Employer type"), choices=EmployerType.choices, method="filter_employer_type"
    )
    employer = django_filters.CharFilter(label=_("Employer starts with"), method="filter_employer")
    employer_organization = IntegerFilter(label=_("Employer (organization id)"), method="filter_employer_organization")

    def _p(self, field):
        return f"{self.person_prefix}{field}"

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_q(value, prefix=self.status_prefix))

    def filter_expiry_month(self, queryset, name, value):
        bounds = month_range(value)
        if bounds is None:
            return queryset.none()
        return queryset.filter(**{f"{self.status_prefix}registration_valid_to__range": bounds})

    def filter_name(self, queryset, name, value):
        value = " ".join(value.split())
        return queryset.filter(**{self._p("name__startswith"): value}) if value else queryset

    def filter_id_number(self, queryset, name, value):
        indexes = blind_indexes(value)
        if indexes is None:
            return queryset.none()
        return queryset.filter(**{self._p("id_blind_index__in"): indexes})

    def filter_employer_type(self, queryset, name, value):
        return queryset.filter(**{self._p("employer_type"): value})

    def filter_employer(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(**{self._p("employer_name__startswith"): value})
            | Q(**{self._p("employer_organization__name__startswith"): value})
        )

    def filter_employer_organization(self, queryset, name, value):
        return queryset.filter(**{self._p("employer_organization_id"): int(value)})


class PersonFilter(RegistryFilterBase):
    person_prefix = ""
    status_prefix = ""

    # A county's subtree is the county itself, written as an equality (see models.county_equality).
    within = RegionSubtreeFilter(field_name="region__code", county_field="region_id")
    level = django_filters.ChoiceFilter(
        label=_("Certificate level"), choices=CertificateLevel.choices, method="filter_level"
    )
    exam_year = year_filter(_("Exam year"), method="filter_exam_year")
    management_no = django_filters.CharFilter(label=_("Management number"), method="filter_management_no")
    checked = BooleanFilter(label=_("Checked"), field_name="checked")

    class Meta:
        model = Person
        fields = []

    def _with_certificate(self, queryset, **lookup):
        return queryset.filter(
            Exists(
                Certificate.objects.unscoped("subquery: narrows persons already in scope").filter(
                    person=OuterRef("pk"), **lookup
                )
            )
        )

    def filter_level(self, queryset, name, value):
        return self._with_certificate(queryset, level=value)

    def filter_exam_year(self, queryset, name, value):
        return self._with_certificate(queryset, exam_year=int(value))

    def filter_management_no(self, queryset, name, value):
        value = "".join(value.split())
        return self._with_certificate(queryset, management_no=value) if value else queryset


class CertificateFilter(RegistryFilterBase):
    person_prefix = "person__"
    status_prefix = ""

    within = RegionSubtreeFilter(field_name="person__region__code", county_field="person__region_id")
    level = django_filters.ChoiceFilter(label=_("Certificate level"), choices=CertificateLevel.choices)
    exam_year = year_filter(_("Exam year"), field_name="exam_year")
    management_no = django_filters.CharFilter(label=_("Management number"), method="filter_management_no")

    class Meta:
        model = Certificate
        fields = []

    def filter_management_no(self, queryset, name, value):
        value = "".join(value.split())
        return queryset.filter(management_no=value) if value else queryset


PERSON_FILTER_FIELDS = tuple(PersonFilter.base_filters)
CERTIFICATE_FILTER_FIELDS = tuple(CertificateFilter.base_filters)

"""Continuing education (继续教育): providers, activities, the ledger, declarations, province rules."""

from .activities import Activity, AttendanceImport, Enrolment
from .choices import (
    ACTIVITY_FORMS,
    ActivityKind,
    ActivityStatus,
    AttendanceMethod,
    ComplianceStatus,
    Conversion,
    EnrolmentStatus,
    ProviderStatus,
    Source,
    StudyForm,
)
from .declarations import Declaration, Evidence
from .ledger import StudyRecord, StudyStanding
from .policy import EducationPolicy, FormRule, ReviewLevel
from .providers import Provider, ProviderMembership

__all__ = [
    "ACTIVITY_FORMS",
    "Activity",
    "ActivityKind",
    "ActivityStatus",
    "AttendanceImport",
    "AttendanceMethod",
    "ComplianceStatus",
    "Conversion",
    "Declaration",
    "EducationPolicy",
    "Enrolment",
    "EnrolmentStatus",
    "Evidence",
    "FormRule",
    "Provider",
    "ProviderMembership",
    "ProviderStatus",
    "ReviewLevel",
    "Source",
    "StudyForm",
    "StudyRecord",
    "StudyStanding",
]

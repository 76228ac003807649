"""The fixed vocabularies of continuing education (继续教育)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StudyForm(models.TextChoices):
    """The forms of study a ledger row can come from (民发〔2009〕123号 art. 9 and the provincial rule tables)."""

    # Translators: 继续教育机构组织的培训
    TRAINING = "training", _("Training by a filed provider")
    # Translators: 继续教育主管部门组织的培训
    AUTHORITY_TRAINING = "authority_training", _("Training by the continuing-education authority")
    CONFERENCE = "conference", _("Conference or seminar")
    ONLINE = "online", _("Online course")
    # Translators: 取得学历或学位的社会工作学历教育
    DEGREE = "degree", _("Degree education (diploma or degree obtained)")
    # Translators: 未取得学历学位、已通过的课程
    DEGREE_COURSES = "degree_courses", _("Degree courses passed (no diploma or degree)")
    PAPER = "paper", _("Paper, survey report or case study")
    RESEARCH = "research", _("Research project")
    SUPERVISION_GIVEN = "supervision_given", _("Supervision given")
    SUPERVISION_RECEIVED = "supervision_received", _("Supervision received")
    OTHER = "other", _("Other recognised form")


class Conversion(models.TextChoices):
    """How claimed hours become credited hours."""

    ACTUAL = "actual", _("Actual hours")
    FIXED = "fixed", _("Fixed hours per item")
    RATE = "rate", _("Hours × rate")


class Source(models.TextChoices):
    """Where a ledger row came from."""

    ATTENDANCE = "attendance", _("Provider attendance")
    DECLARATION = "declaration", _("Declaration")
    IMPORT = "import", _("Import")


class ProviderStatus(models.TextChoices):
    # Translators: 已备案
    FILED = "filed", _("Filed")
    # Translators: 已公布
    PUBLISHED = "published", _("Published")
    # Translators: 已撤销
    REVOKED = "revoked", _("Revoked")


class ActivityKind(models.TextChoices):
    COURSE = "course", _("Training course")
    CONFERENCE = "conference", _("Conference")
    ONLINE = "online", _("Online course")
    OTHER = "other", _("Other recognised form")


# The ledger form an activity of each kind credits.
ACTIVITY_FORMS = {
    ActivityKind.COURSE: StudyForm.TRAINING,
    ActivityKind.CONFERENCE: StudyForm.CONFERENCE,
    ActivityKind.ONLINE: StudyForm.ONLINE,
    ActivityKind.OTHER: StudyForm.OTHER,
}


class ActivityStatus(models.TextChoices):
    OPEN = "open", _("Open for enrolment")
    CLOSED = "closed", _("Enrolment closed")
    CANCELLED = "cancelled", _("Cancelled")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    ATTENDED = "attended", _("Attended")
    CANCELLED = "cancelled", _("Enrolment cancelled")


class AttendanceMethod(models.TextChoices):
    SCREEN = "screen", _("Recorded by the provider")
    CODE = "code", _("Sign-in code")
    IMPORT = "import", _("Spreadsheet import")


class ComplianceStatus(models.TextChoices):
    COMPLETE = "complete", _("Complete")
    ON_TRACK = "on_track", _("On track")
    SHORT = "short", _("Short")

"""Organizations' models, one module per subdomain (the organization itself, its staff, ...)."""

from .employment import Employment, EmploymentQuerySet, EmploymentStatus  # noqa: F401
from .organization import (  # noqa: F401
    Membership,
    MembershipQuerySet,
    MembershipRole,
    Organization,
    OrganizationKind,
    OrganizationQuerySet,
    OrganizationStatus,
)

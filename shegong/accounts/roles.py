"""Roles: defined once in ``shegong.core.roles`` (core sits below accounts); re-exported here so that
the account model, forms and existing imports keep working. Migrations store roles by value only."""

from shegong.core.roles import (  # noqa: F401
    ACCOUNT_VIEWER_ROLES,
    BUSINESS_REGION_ROLES,
    CIVIL_AFFAIRS_ROLES,
    DUTY_ROLES,
    GUARDIAN_ROLES,
    MANAGER_ROLES,
    ORGANIZATION_READ_ONLY_ROLES,
    ORGANIZATION_ROLES,
    PERSON_ROLES,
    READ_ONLY_ROLES,
    REGION_ROLES,
    THREE_DUTIES,
    Role,
)

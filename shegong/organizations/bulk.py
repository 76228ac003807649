"""Bulk verbs of the organizations app, used by the import engine (core/tabular) for large files.

Organizations are matched on the unified social credit code. The code is checked with the same
function as the sign-up form (``identifiers.validate_credit_code``): a code that cannot be one is
refused, a legacy code failing its check character is accepted with a warning, kept on the record
(``credit_code_warning``) as the sign-up does; the prefix expected for the kind and the registering
authority in characters 3-8 are soft checks (warnings). Imported organizations are active unless
the file says otherwise (they come from the registration authority's records).
"""

import re

from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.identifiers import EXPECTED_PREFIXES

from .models import Organization, OrganizationStatus

PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()-]{5,28}$")


def division_warning(credit, region_code, regions):
    """The sign-up form's warning (forms.division_warning) on codes: characters 3-8 should be the region or above it."""
    division = credit.division_code
    if not division.isdigit() or not region_code:
        return ""
    chain, code = set(), region_code
    while code is not None:
        chain.add(code)
        node = regions.nodes.get(code)
        code = node[3] if node else None
    if division in chain:
        return ""
    return _(
        "Characters 3-8 of the code (%(division)s) name a registering authority that is not %(region)s "
        "or a unit above it."
    ) % {"division": division, "region": regions.full_name(region_code)}


def clean_organization(values, row):
    context = row.context
    credit = values["credit_code"]
    if credit is None:
        return None
    ok = True
    region = values.get("region")
    if region is not None and not context.scope.contains(region):
        row.error(
            "region",
            "out_of_scope",
            context.scope.refusal(region, lambda c: f"{context.regions.full_name(c)} ({c})"),
            region,
        )
        ok = False
    phone = values.get("contact_phone")
    if phone is not None and not PHONE_RE.match(phone):
        row.error(
            "contact_phone", "bad_phone", _("Enter a telephone number (digits, with an area code if needed)."), phone
        )
        ok = False
    if not ok:
        return None
    warnings = [str(w) for w in credit.warnings]
    kind = values.get("kind")
    expected = EXPECTED_PREFIXES.get(kind)
    if expected and not credit.code.startswith(expected):
        message = _(
            "Codes of this kind of organization normally start with %(expected)s; this one starts with %(actual)s."
        ) % {"expected": expected, "actual": credit.code[:2]}
        row.warn("credit_code", "credit_code_prefix", message, credit.code)
        warnings.append(message)
    extra = division_warning(credit, region, context.regions)
    if extra:
        row.warn("credit_code", "credit_code_division", extra, credit.code)
        warnings.append(extra)
    staged = (
        values.get("name"),
        kind,
        region,
        values.get("contact_name"),
        phone,
        values.get("address"),
        values.get("status"),
        "\n".join(warnings),
        context.cache.setdefault("now", timezone.now())
        if values.get("status") in (None, OrganizationStatus.ACTIVE)
        else None,
    )
    return credit.code, credit.code, staged


def commit_organizations(stage, lo, hi, context):
    now = timezone.now()
    inserted = stage.insert_new(
        Organization,
        {
            "credit_code": "s.skey",
            "name": "s.name",
            "kind": "s.kind",
            "region_id": "s.region_id",
            "contact_name": "COALESCE(s.contact_name, '')",
            "contact_phone": "COALESCE(s.contact_phone, '')",
            "address": "COALESCE(s.address, '')",
            "status": f"COALESCE(s.status, '{OrganizationStatus.ACTIVE}')",
            "credit_code_warning": "s.credit_code_warning",
            "approved_at": "s.approved_at",
        },
        lo,
        hi,
        constants={"created_at": now, "updated_at": now},
        conflict="credit_code",
    )
    keep = stage.keep
    updated = stage.update_existing(
        Organization,
        {
            "name": keep(Organization, "name"),
            "kind": keep(Organization, "kind"),
            "region_id": keep(Organization, "region_id"),
            "contact_name": keep(Organization, "contact_name"),
            "contact_phone": keep(Organization, "contact_phone"),
            "address": keep(Organization, "address"),
            "status": keep(Organization, "status"),
            "credit_code_warning": "s.credit_code_warning",
        },
        lo,
        hi,
        constants={"updated_at": now},
    )
    return inserted, updated

"""Who sees what in continuing education (the app's part of THE access rule, core/scoping.py).

* Providers belong to the province that filed them. Officials of that province's subtree see them, and
  so do officials *above* it and the officials of every region inside the province (a county needs to
  know the providers its social workers attend). Only administrators at province level or above, in
  whose subtree the province lies, change them. Published providers are public reference data.
* Activities follow their provider; the provider's own accounts manage them; social workers see the
  activities of published providers (the catalogue they enrol from).
* Ledger rows, declarations, enrolments and standings belong to the person: officials of the person's
  work region's subtree, the person themself, and (for the rows it produced) the provider.
"""

from django.db.models import Q

from shegong.core.roles import Role
from shegong.core.scoping import BUSINESS_REGION_ROLES, EDIT, READ_ONLY_ROLES, VIEW, standard_scope_q

PROVIDER_ROLE = Role.PROVIDER
WORKER_ROLE = Role.WORKER
PROVINCE_LEVEL = 1


def provider_id_of(user):
    membership = getattr(user, "provider_membership", None) if getattr(user, "is_authenticated", False) else None
    return membership.provider_id if membership is not None else None


def province_code_of(region):
    """The province-level unit containing ``region`` (itself at province level, None at national level)."""
    if region is None or region.level < PROVINCE_LEVEL:
        return None
    if region.level == PROVINCE_LEVEL:
        return region.code
    chain = region.ancestors()
    return chain[PROVINCE_LEVEL] if len(chain) > PROVINCE_LEVEL else None


def provider_scope_q(user, purpose, prefix=""):
    """Providers (``prefix`` "" for Provider itself, "provider__" for rows that belong to a provider)."""
    role = getattr(user, "role", None)
    province_field = f"{prefix}province"
    if role in BUSINESS_REGION_ROLES:
        region = user.region if user.region_id else None
        if region is None:
            return None
        if purpose == EDIT:
            if role in READ_ONLY_ROLES or role != Role.ADMIN or region.level > PROVINCE_LEVEL:
                return None
            return region.subtree_q(f"{province_field}__code")
        q = region.subtree_q(f"{province_field}__code")
        own_province = province_code_of(region)
        if own_province is not None:
            q |= Q(**{f"{province_field}_id": own_province})
        return q
    if role == PROVIDER_ROLE:
        provider_id = provider_id_of(user)
        if provider_id is None:
            return None
        return Q(**{f"{prefix}pk": provider_id})
    if role == WORKER_ROLE and purpose == VIEW:
        return Q(**{f"{prefix}status": "published"})
    return None


def activity_scope_q(user, purpose):
    role = getattr(user, "role", None)
    if role == PROVIDER_ROLE:
        provider_id = provider_id_of(user)
        return Q(provider_id=provider_id) if provider_id is not None else None
    if purpose == EDIT:
        return None  # only the provider's accounts change activities
    return provider_scope_q(user, purpose, prefix="provider__")


def person_row_scope_q(user, purpose, *, person="person", provider_field=None):
    """Rows that belong to a person: officials by the person's work region, the person themself, and
    (read-only, when ``provider_field`` is given) the provider that produced the row."""
    role = getattr(user, "role", None)
    if role == PROVIDER_ROLE:
        provider_id = provider_id_of(user)
        if provider_field is None or provider_id is None or purpose != VIEW:
            return None
        return Q(**{provider_field: provider_id})
    return standard_scope_q(user, purpose, region_field=f"{person}__region__code", person_field=person)

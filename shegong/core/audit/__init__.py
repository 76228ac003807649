"""The audit log: services call ``record`` inside their transaction; nothing else writes it."""

from shegong.core.audit.actions import is_declared
from shegong.core.audit.context import current_request_context


def record(actor, action, obj=None, *, changes=None, region_code=None, object_repr=None):
    """Write one audit event. ``action`` is a code declared with ``audit_actions.declare``."""
    from shegong.core.models import AuditEvent

    if not is_declared(action):
        raise ValueError(f"undeclared audit action {action!r}: declare it in the app's actions.py")
    context = current_request_context()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    if region_code is None:
        region_code = getattr(obj, "region_id", None) or (actor.region_id if authenticated else "") or ""
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated else "",
        role=getattr(actor, "role", "") if authenticated else "",
        region_code=region_code or "",
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        changes=changes or {},
        request_id=context["request_id"],
        address=context["address"],
    )

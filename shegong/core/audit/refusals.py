"""Refusals in the audit log: 403s, and the 404s of detail pages and downloads (a missing object and an
object outside the caller's scope get the same 404, so both are recorded).

A crawler must not flood the log: one event per caller (account, or address when anonymous), route
and minute, counted in the shared cache. The event carries the request id and the address like every
other (``core.audit.context``), the route, the path and the status.
"""

import time

from . import actions, record

REFUSED = {403, 404}
PER_SECONDS = 60


def is_refusal(request, response):
    if response.status_code not in REFUSED:
        return False
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False  # no route at all: a mistyped address, not a refusal
    if response.status_code == 404:
        return bool(match.kwargs or match.args)  # a detail page or a download: an object was asked for
    return True


def record_refusal(request, response):
    """Write the refusal's audit event, unless this caller had one for this route in this minute."""
    if not is_refusal(request, response):
        return None
    match = request.resolver_match
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    caller = f"user:{user.pk}" if signed_in else f"address:{getattr(request, 'client_address', '')}"
    route = match.route or match.view_name or request.path
    key = f"audit:refused:{caller}:{route}:{int(time.time() // PER_SECONDS)}"
    from shegong.core.limits import shared_cache

    # one count for all processes (Redis, or the database cache without it)
    if not shared_cache().add(key, 1, PER_SECONDS + 5):
        return None
    return record(
        user if signed_in else None,
        actions.ACCESS_REFUSED,
        changes={
            "status": response.status_code,
            "method": request.method,
            "route": route[:200],
            "path": request.path[:300],
        },
    )

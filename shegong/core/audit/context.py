"""The request id and client address of the current request, for services that write audit events."""

import contextvars

_EMPTY = ("", "")
_context: contextvars.ContextVar[tuple[str, str]] = contextvars.ContextVar("shegong_request_context", default=_EMPTY)


def set_request_context(*, request_id, address):
    _context.set((request_id, address))


def current_request_context():
    request_id, address = _context.get()
    return {"request_id": request_id, "address": address}

"""The request id and client address of the current request, for services that write audit events.

A background job carries the context of the request that started it: ``start_job`` stores it on the
TaskRun and ``job_task`` restores it while the job runs (``restored``); the import tasks get it as
arguments when they are queued (``current_request_context()``), so every event a job writes names
the request and the address that caused it.
"""

import contextvars
from contextlib import contextmanager

_EMPTY = ("", "")
_context: contextvars.ContextVar[tuple[str, str]] = contextvars.ContextVar("shegong_request_context", default=_EMPTY)


def set_request_context(*, request_id, address):
    _context.set((request_id, address))


def current_request_context():
    request_id, address = _context.get()
    return {"request_id": request_id, "address": address}


@contextmanager
def restored(*, request_id="", address=""):
    """Run a block (a background job) under the request id and address of the request that started it."""
    token = _context.set((request_id or "", address or ""))
    try:
        yield
    finally:
        _context.reset(token)

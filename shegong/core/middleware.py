import uuid

from shegong.core.addresses import client_address
from shegong.core.audit.context import set_request_context

from .scoping import scope_guard


class RequestIdMiddleware:
    """Give every request an id (reused from a proxy's X-Request-ID) for logs and the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming[:64] if incoming.isascii() and incoming else uuid.uuid4().hex
        # Only the entries our own proxies added to X-Forwarded-For count (core.addresses).
        request.client_address = client_address(request)
        set_request_context(request_id=request.request_id, address=request.client_address)
        try:
            response = self.get_response(request)
        finally:
            set_request_context(request_id="", address="")
        response["X-Request-ID"] = request.request_id
        return response


class ScopeGuardMiddleware:
    """While a request is handled, scoped querysets must pass the access rule (``core.scoping``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with scope_guard():
            return self.get_response(request)

import logging
import uuid

from shegong.core.addresses import client_address
from shegong.core.audit.context import set_request_context

from .scoping import scope_guard

logger = logging.getLogger(__name__)


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


# Browser features the app never uses are turned off for it and anything it might embed. Sign-in to
# an activity by QR code uses the phone's own camera app (the code is a link), not the camera here.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
NO_STORE = "no-store"
PERSONAL_CONTENT_TYPES = ("application/pdf", "image/", "text/csv", "application/vnd.", "application/octet-stream")


def carries_a_file(response):
    """Downloads, photos, PDFs and exports: anything served as a file rather than a page."""
    content_type = response.get("Content-Type", "")
    return (
        response.streaming
        or "attachment" in response.get("Content-Disposition", "")
        or content_type.startswith(PERSONAL_CONTENT_TYPES)
    )


class NoStoreMiddleware:
    """Nothing personal is left in a browser's or a proxy's cache (issue #20, item 4).

    Every dynamic answer is ``Cache-Control: no-store``: answers to a signed-in user, every file
    (downloads, ID photos, PDFs, exports) and the public pages and API (the public check shows a
    person's masked name and certificate). The one exception is an anonymous page that is not a file
    and whose view explicitly marked itself ``public``. Static files are served by WhiteNoise before
    this middleware and keep their long cache lifetime. Every answer also carries a
    ``Permissions-Policy``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        declared_public = "public" in response.get("Cache-Control", "")
        if signed_in or carries_a_file(response) or not declared_public:
            response["Cache-Control"] = NO_STORE
            if "Expires" in response:
                del response["Expires"]
        return response


class RefusalAuditMiddleware:
    """403s and the 404s of detail pages and downloads go into the audit log (``core.audit.refusals``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404):
            from shegong.core.audit.refusals import record_refusal

            try:
                record_refusal(request, response)
            except Exception:  # the refusal stands even if it cannot be recorded
                logger.exception("could not record a refusal of %s", request.path)
        return response


class ScopeGuardMiddleware:
    """While a request is handled, scoped querysets must pass the access rule (``core.scoping``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with scope_guard():
            return self.get_response(request)

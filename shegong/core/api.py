"""What every API route shares: the error answers, the throttles and the schema's error responses.

- ``exception_handler`` (REST_FRAMEWORK["EXCEPTION_HANDLER"]): every refusal is a JSON body in the
  language of the request (Accept-Language, zh-hans by default, English under ``en``):
  ``{"detail": "...", "code": "..."}`` for 403, 404, 405, 415 and 429, the fields and their reasons for
  a 400. Django's own 404s ("No Certificate matches the given query.") and permission errors become
  the translated DRF ones; a Django ``ValidationError`` raised below a view is a 400, not a 500.
- ``AccountRateThrottle`` / ``AnonymousRateThrottle`` (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]):
  ``SHEGONG_API_RATE`` per signed-in account, ``SHEGONG_API_ANON_RATE`` per client address, counted
  in the Django cache (Redis when configured: the store every process shares). A throttled request
  is a 429 with ``Retry-After`` and a Chinese message.
- ``document_error_responses`` (a drf-spectacular postprocessing hook): adds the 400, 403, 404, 415
  and 429 answers each route can give, with their body shape and the ``Retry-After`` header, so that
  the schema lists every status code and content type the API answers with.
"""

import math

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


def throttled_message(wait):
    if wait is None:
        return _("Too many requests; please try again later.")
    seconds = max(1, math.ceil(wait))
    return ngettext(
        "Too many requests; please try again in %(seconds)d second.",
        "Too many requests; please try again in %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}


def exception_handler(exc, context):
    """DRF's handler, with Django's exceptions translated and a ``code`` beside every ``detail``."""
    # rest_framework.views reads DEFAULT_THROTTLE_CLASSES (this module) when imported: import it late
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*([str(exc)] if str(exc) else []))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, exceptions.Throttled) and str(exc.detail).startswith(str(exceptions.Throttled.default_detail)):
        # DRF's own words ("Request was throttled. Expected available in 3 seconds.") become ours.
        exc = exceptions.Throttled(wait=exc.wait, detail=throttled_message(exc.wait))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(response.data, dict) and set(response.data) == {"detail"}:
        response.data["code"] = str(getattr(exc.detail, "code", "") or exc.default_code)
    elif isinstance(response.data, list):
        # ValidationError("one message") has no field: it is the request's.
        response.data = {"non_field_errors": response.data}
    return response


API_PREFIX = "/api/"
_STATUS_ERRORS = {
    403: exceptions.PermissionDenied,
    404: exceptions.NotFound,
    405: exceptions.MethodNotAllowed,
}


def is_api_request(request):
    return request.path.startswith(API_PREFIX)


def api_error_response(status):
    """The JSON answer of a refusal Django gives before a view of the API runs (an unknown path, a failed
    CSRF check, a server error): the same shape and language as the API's own refusals."""
    error = _STATUS_ERRORS.get(status, exceptions.APIException)
    detail = error.default_detail if error is not exceptions.MethodNotAllowed else _("Method not allowed.")
    return JsonResponse({"detail": str(detail), "code": error.default_code}, status=status)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend (REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]), refusing on a list any query
    parameter that is neither one of its filters nor the pagination's: ``?statu=registered`` is a 400
    that names it, not the whole list. A bad value of a filter is a 400 naming the filter and the reason."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", "list") == "list":
            filterset_class = self.get_filterset_class(view, queryset)
            known = set(filterset_class.base_filters) if filterset_class else set()
            paginator = getattr(view, "paginator", None)
            for name in ("cursor_query_param", "page_size_query_param"):
                if getattr(paginator, name, None):
                    known.add(getattr(paginator, name))
            unknown = sorted(set(request.query_params) - known)
            if unknown:
                raise exceptions.ValidationError({name: [_("Unknown parameter.")] for name in unknown})
        return super().filter_queryset(request, queryset, view)


# --- throttles -----------------------------------------------------------------------------------------


class _SettingsRate:
    """The rate is read from the settings at each request (``override_settings`` and a restart both work)."""

    rate_setting = ""

    def get_rate(self):
        return getattr(settings, self.rate_setting, None)

    def allow_request(self, request, view):
        from .limits import shared_cache

        self.cache = shared_cache()  # one count for all processes (Redis, or the database without it)
        self.rate = self.get_rate()
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_ident(self, request):
        # The address the request-id middleware resolved (proxy hops as configured), never a raw
        # X-Forwarded-For: a client must not pick a new address for every request.
        django_request = getattr(request, "_request", request)
        return getattr(django_request, "client_address", "") or django_request.META.get("REMOTE_ADDR", "")


class AccountRateThrottle(_SettingsRate, UserRateThrottle):
    """``SHEGONG_API_RATE`` (e.g. "600/min") per signed-in account; anonymous callers by address."""

    scope = "account"
    rate_setting = "SHEGONG_API_RATE"

    def __init__(self):  # the rate is read per request (see _SettingsRate)
        pass

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
        return None  # anonymous requests are AnonymousRateThrottle's


class AnonymousRateThrottle(_SettingsRate, AnonRateThrottle):
    """``SHEGONG_API_ANON_RATE`` (lower) per client address, for requests without an account."""

    scope = "anon"
    rate_setting = "SHEGONG_API_ANON_RATE"

    def __init__(self):
        pass


# --- the schema's error answers ------------------------------------------------------------------------

ERROR = {
    "type": "object",
    "description": "A refusal: the reason in the language of the request, and a stable code.",
    "required": ["detail"],
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
}
VALIDATION_ERROR = {
    "type": "object",
    "description": "The fields (query parameters or body fields) that were refused, each with its reasons; "
    "`non_field_errors` for the request as a whole.",
    "additionalProperties": {},
}
RETRY_AFTER = {
    "Retry-After": {"description": "Seconds to wait before the next request.", "schema": {"type": "integer"}}
}


def _json(ref, description, headers=None):
    answer = {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}
    if headers:
        answer["headers"] = headers
    return answer


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation's refusals, documented."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    error, invalid = "#/components/schemas/Error", "#/components/schemas/ValidationError"
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            _empty_means_any(operation, schemas)
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            public_route = operation.get("security") == [{}] or {} in operation.get("security", [])
            if parameters or "requestBody" in operation:
                responses.setdefault("400", _json(invalid, "Invalid parameters or body."))
            if "requestBody" in operation:
                responses.setdefault("415", _json(error, "Unsupported content type of the body."))
            if not public_route:
                responses.setdefault("403", _json(error, "Not signed in, or not allowed."))
            if "{" in path or any(p.get("name") == "cursor" for p in parameters):
                responses.setdefault("404", _json(error, "No such object in your scope, or an invalid cursor."))
            responses.setdefault("429", _json(error, "Too many requests.", RETRY_AFTER))
    return result


def _empty_means_any(operation, schemas):
    """A choice filter left empty (``?status=``, what the list pages' forms send) selects everything:
    the schema says so by allowing the empty string beside the choices."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") != "query":
            continue
        schema = parameter.get("schema", {})
        if "$ref" in schema:
            target = schemas.get(parameter["schema"]["$ref"].rsplit("/", 1)[-1], {})
            if "enum" in target and "" not in target["enum"]:
                parameter["schema"] = {"type": "string", "enum": ["", *target["enum"]]}
        elif "enum" in schema and "" not in schema["enum"]:
            schema["enum"] = ["", *schema["enum"]]
        elif schema.get("type") == "array" and "enum" in schema.get("items", {}):
            items = schema["items"]
            if "" not in items["enum"]:
                items["enum"] = ["", *items["enum"]]

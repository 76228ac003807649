"""API pagination on the same sort keys as the list pages (core.keyset): a multi-column keyset cursor.

DRF's ``CursorPagination`` seeks by its first ordering field only and, on ties in that field, falls
back to an offset inside the cursor (it reads and skips the tied rows: a page of 50 after 10,000 persons
called 王伟 reads 10,050 rows). Here the cursor holds every key's value of the last (or first) row
and the next page is ``WHERE (k1, k2, ..., pk) > (v1, v2, ..., vpk)`` written as in core.keyset: no
OFFSET, no COUNT, a total order because the keys end with the primary key. The cursor is opaque.

A viewset sets ``pagination_class`` to a subclass with ``keys`` (strings such as ``"-created_at"``
or ``core.keyset.Key`` objects; the primary key is added when missing) and, if it must differ,
``page_size``. ``?page_size=`` is honoured up to ``max_page_size``.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import remove_query_param, replace_query_param

from .keyset import Key, after_q, annotate_keys, decode_cursor, keyset_page, reverse_keys

PAGE_SIZE_RE = re.compile(r"[0-9]{1,6}")
PREVIOUS = "p"  # the cursor of a "previous" link starts with this letter, a "next" link's with NEXT
NEXT = "n"


def as_keys(spec, pk_name="id"):
    """Keys from a spec of strings ("-at") and Key objects, ending with the primary key."""
    keys = []
    for item in spec:
        if isinstance(item, Key):
            keys.append(item)
        else:
            keys.append(Key(item.lstrip("-"), item.startswith("-")))
    if keys and keys[-1].field in ("pk", pk_name):
        return keys
    descending = keys[-1].descending if keys else False
    return [*keys, Key("pk", descending)]


class KeysetPagination(BasePagination):
    """``{"next": url, "previous": url, "results": [...]}`` paged by a multi-column keyset cursor."""

    keys = ("-pk",)
    page_size = api_settings.PAGE_SIZE or 50
    max_page_size = 500
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"
    invalid_cursor_message = _("Invalid cursor")
    invalid_page_size_message = _("Enter a whole number from 1 to %(max)s.")

    #: Add ``"count"`` (an exact COUNT) to the response: only for lists that are narrow by nature.
    with_count = False

    def get_keys(self, queryset):
        return as_keys(self.keys, queryset.model._meta.pk.name)

    def get_page_size(self, request):
        """``?page_size=`` between 1 and ``max_page_size``; anything else is refused (400), as the schema says."""
        value = request.query_params.get(self.page_size_query_param) if self.page_size_query_param else None
        if value is None:  # an empty value is not a whole number: refused like any other
            return self.page_size
        if not PAGE_SIZE_RE.fullmatch(value) or not 1 <= int(value) <= self.max_page_size:
            raise APIValidationError(
                {self.page_size_query_param: [self.invalid_page_size_message % {"max": self.max_page_size}]}
            )
        return int(value)

    def decode(self, request, keys):
        """``(cursor, before)`` token for core.keyset, or NotFound when the cursor is not one of ours."""
        token = request.query_params.get(self.cursor_query_param)
        if not token:
            return None, None
        direction, values = token[:1], token[1:]
        if direction not in (NEXT, PREVIOUS) or decode_cursor(values, len(keys)) is None:
            raise NotFound(self.invalid_cursor_message)
        return (values, None) if direction == NEXT else (None, values)

    def check_cursor(self, queryset, keys, cursor, before):
        """A cursor whose values do not fit the columns (a date that is not one) is not ours either."""
        token = cursor or before
        if not token:
            return
        seek_keys = keys if cursor else reverse_keys(keys)
        try:
            annotate_keys(queryset, seek_keys).filter(after_q(seek_keys, decode_cursor(token, len(keys))))
        except (ValueError, TypeError, ValidationError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        keys = self.get_keys(queryset)
        self.page_size_now = self.get_page_size(request)
        cursor, before = self.decode(request, keys)
        self.check_cursor(queryset, keys, cursor, before)
        self.page = keyset_page(queryset, keys, cursor, self.page_size_now, before=before)
        self.count = queryset.order_by().count() if self.with_count else None
        return list(self.page.rows)

    def _link(self, prefix, token):
        if token is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, prefix + token)

    def get_next_link(self):
        return self._link(NEXT, self.page.next_cursor)

    def get_previous_link(self):
        if self.page.previous_cursor is None and not self.page.is_first:
            # A backward page that reached the start: the previous link is the first page.
            return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        return self._link(PREVIOUS, self.page.previous_cursor)

    def get_paginated_response(self, data):
        body = {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        if self.with_count:
            body = {"count": self.count, **body}
        return Response(body)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                **({"count": {"type": "integer"}} if self.with_count else {}),
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The pagination cursor value (from a next or previous link).",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Number of results to return per page (at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]

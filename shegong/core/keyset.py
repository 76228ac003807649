"""Keyset ("seek") pagination for long lists at national scale: no OFFSET, and no COUNT unless the
scope is narrow (docs/architecture.md, Data at national scale).

A page is the first ``size`` rows after the cursor in a fixed total order (the sort keys end with
the primary key, so the order is total). The cursor is the last row's key values, opaque to the
user. The condition is written as ``k1 >= v1 AND (k1 > v1 OR (k1 = v1 AND pk > v2))`` so that the
database can start an index range scan at the cursor.
"""

import base64
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.views.generic import TemplateView

from .scoping import ORGANIZATION_ROLES, ScopedViewMixin


@dataclass(frozen=True)
class Key:
    """One sort key. ``null`` is the value that stands for NULL in a nullable column (a cursor holds no
    None, and databases disagree on where NULLs sort): the page then orders by ``COALESCE(field, null)``.
    Choose it at the end where PostgreSQL puts NULLs (last ascending, first descending)."""

    field: str
    descending: bool = False
    null: object = None

    @property
    def name(self):
        """The name the query orders and compares by: the field, or its coalesced annotation."""
        return self.field if self.null is None else f"keyset_{self.field}"

    @property
    def order_by(self):
        return f"-{self.name}" if self.descending else self.name

    def compare(self, value, strict=True):
        op = ("lt" if strict else "lte") if self.descending else ("gt" if strict else "gte")
        return Q(**{f"{self.name}__{op}": value})

    def annotation(self, model):
        from django.db.models import Value
        from django.db.models.functions import Coalesce

        output = model._meta.get_field(self.field)
        return Coalesce(self.field, Value(self.null, output_field=output), output_field=output)


def annotate_keys(queryset, keys):
    """The queryset with the coalesced annotations the nullable keys order by."""
    extra = {key.name: key.annotation(queryset.model) for key in keys if key.null is not None}
    return queryset.annotate(**extra) if extra else queryset


def _plain(value):
    """A key value as a string or an integer (dates in ISO form; UUIDs and decimals as text)."""
    if isinstance(value, int | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def encode_cursor(values):
    text = json.dumps([_plain(v) for v in values], ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor, length):
    """The values in a cursor, or None when it is not one of ours (then the first page is shown)."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != length or any(v is None for v in values):
        return None
    if not all(isinstance(v, str | int) for v in values):
        return None
    return values


def after_q(keys, values):
    """Rows strictly after ``values`` in the order of ``keys``."""
    strictly_after = Q(pk__in=[])
    equal_so_far = Q()
    for key, value in zip(keys, values, strict=True):
        strictly_after |= equal_so_far & key.compare(value)
        equal_so_far &= Q(**{key.name: value})
    return keys[0].compare(values[0], strict=False) & strictly_after


def reverse_keys(keys):
    """The same keys in the opposite direction: rows "after" in this order are those before in ``keys``."""
    return [Key(key.field, not key.descending, key.null) for key in keys]


def order_by(keys):
    return [key.order_by for key in keys]


def key_values(row, keys):
    return [_value(row, key.name) for key in keys]


def _value(row, field):
    if isinstance(row, dict):
        return row[field]
    obj = row
    for part in field.split("__"):
        obj = getattr(obj, part)
    return obj


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    is_first: bool
    previous_cursor: str | None = None

    @property
    def has_next(self):
        return self.next_cursor is not None

    @property
    def has_previous(self):
        return self.previous_cursor is not None

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


def _seek(queryset, keys, cursor):
    """``(queryset after the cursor, whether the cursor was one of ours)``."""
    values = decode_cursor(cursor, len(keys))
    if values is None:
        return queryset, False
    try:
        return queryset.filter(after_q(keys, values)), True
    except (ValueError, TypeError, ValidationError):
        return queryset, False


def keyset_page(queryset, keys, cursor=None, size=50, before=None):
    """One page of ``queryset`` ordered by ``keys`` (a list of Key, ending with the primary key).

    ``cursor`` gives the page after a row (the "next" link); ``before`` the page before a row (the
    "previous" link), read in the reverse order and turned round. Either way one query of at most
    ``size + 1`` rows, no OFFSET and no COUNT. ``previous_cursor`` is set when rows precede the page
    (known for certain on a backward page; assumed on a forward page reached by a cursor).
    """
    keys = list(keys)
    queryset = annotate_keys(queryset, keys)
    if before and not cursor:
        backward = reverse_keys(keys)
        seeked, valid = _seek(queryset, backward, before)
        if valid:
            rows = list(seeked.order_by(*order_by(backward))[: size + 1])
            more_before = len(rows) > size
            rows = list(reversed(rows[:size]))
            if rows:  # else nothing is before the cursor: the first page follows
                return KeysetPage(
                    rows=rows,
                    next_cursor=encode_cursor(key_values(rows[-1], keys)),
                    is_first=not more_before,
                    previous_cursor=encode_cursor(key_values(rows[0], keys)) if more_before else None,
                )
    seeked, valid = _seek(queryset, keys, cursor)
    rows = list(seeked.order_by(*order_by(keys))[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor(key_values(rows[-1], keys))
    previous_cursor = encode_cursor(key_values(rows[0], keys)) if valid and rows else None
    return KeysetPage(rows=rows, next_cursor=next_cursor, is_first=not valid, previous_cursor=previous_cursor)


def exact_count_is_cheap(user, within=""):
    """Whether a list may show its exact total: only where the scope is narrow, a county (the user's,
    or the one chosen in the ``within`` filter) or an organization's own rows. A province or national
    scope is not counted: at national scale a COUNT reads the whole scope (docs/architecture.md)."""
    from shegong.regions.models import Level, Region

    if getattr(user, "role", None) in ORGANIZATION_ROLES:  # their own organization's rows: always few
        return True
    region = (
        Region.objects.unscoped("division tree: public reference data").filter(code=within).first() if within else None
    )
    region = region or getattr(user, "region", None)
    return region is not None and region.level == Level.COUNTY


class KeysetListMixin:
    """A filtered list paged by keyset, counted only when cheap: the one list machinery of every long list.

    Subclasses set ``template_name``, ``filterset_class`` (or none), the order: ``keys`` (ending with the
    primary key, matching an index) or ``sorts`` (``{name: (label, [Key, ...])}`` chosen by ``?sort=``,
    ``default_sort`` otherwise), and ``context_object_name``. Hooks: ``base_queryset()`` (what the user
    may see), ``prepare(queryset, sort)`` (joins, a sort's own condition), ``decorate(rows)`` (per-page
    work on the rows, e.g. labels: one query for the page, never one per row) and ``count_is_cheap()``.

    The template includes ``_pagination.html`` (it uses ``page``, ``total``, ``query_string`` and the
    cursor parameter names); ``total`` is None where a count would read a national or provincial scope.
    """

    filterset_class = None
    keys = (Key("pk"),)
    sorts = None
    default_sort = ""
    page_size = 50
    context_object_name = "rows"
    total_context_name = "total"
    #: What a bound filter set with invalid values shows: "ignore" drops the invalid fields (django-filter's
    #: own way), "unfiltered" shows the list as if unfiltered, "none" shows nothing.
    invalid_filters = "ignore"
    #: "cheap" (exact_count_is_cheap), "always" (a list that is few by nature) or "never".
    count = "cheap"
    cursor_param = "cursor"
    before_param = "before"

    def get_filter_data(self):
        from shegong.regions.forms import fold_picker

        return fold_picker(self.request.GET)

    def base_queryset(self):
        return self.get_queryset()

    def prepare(self, queryset, sort):
        return queryset

    def decorate(self, rows):
        return rows

    def current_sort(self, data):
        if not self.sorts:
            return ""
        value = data.get("sort")
        return value if value in self.sorts else self.default_sort

    def sort_keys(self, sort):
        return list(self.sorts[sort][1]) if self.sorts else list(self.keys)

    def count_is_cheap(self):
        if self.count == "always":
            return True
        if self.count == "never":
            return False
        return exact_count_is_cheap(self.request.user, self.within)

    def filtered(self, data, queryset):
        if self.filterset_class is None:
            return None, queryset
        filterset = self.filterset_class(data or None, queryset=queryset)
        if not filterset.is_bound:
            return filterset, queryset
        if not filterset.is_valid():
            if self.invalid_filters == "none":
                return filterset, queryset.none()
            if self.invalid_filters == "unfiltered":
                return filterset, queryset
        return filterset, filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.get_filter_data()
        cursor, before = data.pop(self.cursor_param, [None])[-1], data.pop(self.before_param, [None])[-1]
        self.within = data.get("within", "")
        self.sort = self.current_sort(data)
        self.filterset, queryset = self.filtered(data, self.base_queryset())
        queryset = self.prepare(queryset, self.sort)
        page = keyset_page(queryset, self.sort_keys(self.sort), cursor, self.page_size, before=before)
        self.decorate(page.rows)
        query = self.request.GET.copy()
        query.pop(self.cursor_param, None)
        query.pop(self.before_param, None)
        context.update(
            {
                "filter": self.filterset,
                "page": page,
                self.context_object_name: page.rows,
                "query_string": query.urlencode(),
                self.total_context_name: queryset.order_by().count() if self.count_is_cheap() else None,
                "cursor_param": self.cursor_param,
                "before_param": self.before_param,
            }
        )
        if self.sorts:
            context["sort"] = self.sort
            context["sort_options"] = [(key, label) for key, (label, _keys) in self.sorts.items()]
        return context


class KeysetListView(KeysetListMixin, ScopedViewMixin, TemplateView):
    """A keyset list of what the user may see (``model.objects.visible_to(user)``)."""

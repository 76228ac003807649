"""Keyset ("seek") pagination for long lists at national scale: no OFFSET, and no COUNT unless the
scope is narrow (DESIGN.md, Data at national scale).

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
    field: str
    descending: bool = False

    @property
    def order_by(self):
        return f"-{self.field}" if self.descending else self.field

    def compare(self, value, strict=True):
        op = ("lt" if strict else "lte") if self.descending else ("gt" if strict else "gte")
        return Q(**{f"{self.field}__{op}": value})


def encode_cursor(values):
    text = json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values], ensure_ascii=False)
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
        equal_so_far &= Q(**{key.field: value})
    return keys[0].compare(values[0], strict=False) & strictly_after


def _value(row, field):
    obj = row
    for part in field.split("__"):
        obj = getattr(obj, part)
    return obj


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    is_first: bool

    @property
    def has_next(self):
        return self.next_cursor is not None

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


def keyset_page(queryset, keys, cursor=None, size=50):
    """One page of ``queryset`` ordered by ``keys`` (a list of Key, ending with the primary key)."""
    values = decode_cursor(cursor, len(keys))
    if values is not None:
        try:
            queryset = queryset.filter(after_q(keys, values))
        except (ValueError, TypeError, ValidationError):
            values = None
    rows = list(queryset.order_by(*[key.order_by for key in keys])[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor([_value(rows[-1], key.field) for key in keys])
    return KeysetPage(rows=rows, next_cursor=next_cursor, is_first=values is None)


def exact_count_is_cheap(user, within=""):
    """Whether a list may show its exact total: only where the scope is narrow, a county (the user's,
    or the one chosen in the ``within`` filter) or an organization's own rows. A province or national
    scope is not counted: at national scale a COUNT reads the whole scope (DESIGN.md)."""
    from shegong.regions.models import Level, Region

    if getattr(user, "role", None) in ORGANIZATION_ROLES:  # their own organization's rows: always few
        return True
    region = (
        Region.objects.unscoped("division tree: public reference data").filter(code=within).first() if within else None
    )
    region = region or getattr(user, "region", None)
    return region is not None and region.level == Level.COUNTY


class KeysetListView(ScopedViewMixin, TemplateView):
    """A filtered list of what the user may see, paged by keyset, counted only when the scope is narrow.

    Subclasses set ``model``, ``template_name``, ``filterset_class``, ``keys`` (ending with the primary
    key, matching an index) and ``context_object_name``. The template includes
    ``core/_keyset_pagination.html`` (it uses ``page``, ``total`` and ``query_string``).
    """

    filterset_class = None
    keys = (Key("pk"),)
    page_size = 50
    context_object_name = "rows"

    def get_context_data(self, **kwargs):
        from shegong.regions.forms import fold_picker

        context = super().get_context_data(**kwargs)
        data = fold_picker(self.request.GET)
        self.within = data.get("within", "")
        queryset = self.get_queryset()
        filterset = self.filterset_class(data or None, queryset=queryset)
        if filterset.is_bound:
            queryset = filterset.qs
        page = keyset_page(queryset, list(self.keys), data.get("cursor"), self.page_size)
        query = self.request.GET.copy()
        query.pop("cursor", None)
        cheap = exact_count_is_cheap(self.request.user, self.within)
        context.update(
            {
                "filter": filterset,
                "page": page,
                self.context_object_name: page.rows,
                "query_string": query.urlencode(),
                "total": queryset.order_by().count() if cheap else None,
            }
        )
        return context

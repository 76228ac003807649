"""The audit log's filter set, shared by the page and its export."""

from datetime import datetime, time, timedelta

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.audit import actions
from shegong.core.filters import RegionSubtreeFilter
from shegong.core.models import AuditEvent


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def action_choices():
    """Every declared action by its words, sorted as they read (codes are never shown)."""
    return sorted(((code, label) for code, label in actions.declared().items()), key=lambda item: str(item[1]))


class AuditEventFilter(django_filters.FilterSet):
    """Time range, action, account, object, region and request. Always applied on top of
    ``AuditEvent.objects.visible_to(user)``: the filters narrow, never widen.

    Every filter is an exact match or a range on the time, so that a search over a long log stays
    on its indexes (time, action, region, object); ``q`` (the object's description contains) is the
    exception and is best combined with a time range."""

    start = django_filters.DateFilter(label=_("From (date)"), method="filter_start")
    end = django_filters.DateFilter(label=_("To (date, inclusive)"), method="filter_end")
    action = django_filters.ChoiceFilter(label=_("Action"), method="filter_action")
    actor = django_filters.CharFilter(label=_("Account (user name)"), field_name="actor_name")
    object_type = django_filters.CharFilter(label=_("Object type"), field_name="object_type")
    object_id = django_filters.CharFilter(label=_("Object id"), field_name="object_id")
    within = RegionSubtreeFilter(field_name="region_code")
    request_id = django_filters.CharFilter(label=_("Request id"), field_name="request_id")
    q = django_filters.CharFilter(
        label=_("Object description contains"), field_name="object_repr", lookup_expr="icontains"
    )

    class Meta:
        model = AuditEvent
        fields = ["start", "end", "action", "actor", "object_type", "object_id", "within", "request_id", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["action"].extra["choices"] = action_choices()  # apps declare theirs at import

    def filter_action(self, queryset, name, value):
        return queryset.filter(action__in=actions.codes_matching(value))

    def filter_start(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of(value))

    def filter_end(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of(value + timedelta(days=1)))

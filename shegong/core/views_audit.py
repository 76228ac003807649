"""The audit log pages, for audit administrators only (三员分立), each within their region's subtree.

The log grows without end, so the list pages by keyset on ``(at, id)`` (newest first) and never
counts the whole selection; filters are exact matches or time ranges that stay on the indexes.
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from .filters_audit import AuditEventFilter
from .models import AuditEvent
from .scoping import SCOPED, LoginRequiredMixin, get_visible_or_404
from .tasks import start_job
from .tasks_audit import EXPORT_FORMATS, export_audit_events

PAGE_SIZE = 50


def can_read_audit_log(user):
    """Audit administrators (role ``auditor``) with a region; nobody else reads the log."""
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "is_auditor", False)
        and user.region_id is not None
    )


class AuditorMixin(LoginRequiredMixin):
    scope_policy = SCOPED

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_read_audit_log(request.user):
            raise PermissionDenied(_("Only audit administrators read the audit log."))
        return super().dispatch(request, *args, **kwargs)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def keyset_page(queryset, *, older=None, newer=None, size=PAGE_SIZE):
    """One page of ``queryset`` newest first, after (``older``) or before (``newer``) the event with that id.

    Returns ``(rows, older_cursor, newer_cursor)``; a cursor is the id to pass on, or None at an end.
    """
    anchor_id = older or newer
    anchor = queryset.filter(pk=anchor_id).values("at", "pk").first() if anchor_id else None
    if anchor is not None and older:
        at, pk = anchor["at"], anchor["pk"]
        rows = list(queryset.filter(at__lte=at).filter(Q(at__lt=at) | Q(pk__lt=pk)).order_by("-at", "-pk")[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        return rows, (rows[-1].pk if more else None), (rows[0].pk if rows else None)
    if anchor is not None and newer:
        at, pk = anchor["at"], anchor["pk"]
        rows = list(queryset.filter(at__gte=at).filter(Q(at__gt=at) | Q(pk__gt=pk)).order_by("at", "pk")[: size + 1])
        more = len(rows) > size
        rows = list(reversed(rows[:size]))
        return rows, (rows[-1].pk if rows else None), (rows[0].pk if more and rows else None)
    rows = list(queryset.order_by("-at", "-pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].pk if more else None), None


class AuditListView(AuditorMixin, TemplateView):
    template_name = "audit/list.html"

    def get_context_data(self, **kwargs):
        from shegong.regions.forms import RegionPickerWidget, fold_picker

        context = super().get_context_data(**kwargs)
        user = self.request.user
        params = fold_picker(self.request.GET)
        older, newer = _int(params.pop("older", [None])[-1]), _int(params.pop("newer", [None])[-1])
        filterset = AuditEventFilter(params or None, queryset=AuditEvent.objects.visible_to(user))
        queryset = filterset.qs if filterset.is_bound else filterset.queryset
        if filterset.is_bound and not filterset.is_valid():
            queryset = queryset.none()
        rows, older_cursor, newer_cursor = keyset_page(queryset, older=older, newer=newer)
        label_events(rows)
        context.update(
            {
                "filter": filterset,
                "events": rows,
                "older_cursor": older_cursor,
                "newer_cursor": newer_cursor,
                "paged": bool(older or newer),
                "query_string": params.urlencode(),
                "within_picker": RegionPickerWidget(root=user.region).render(
                    "within", params.get("within", ""), attrs={"id": "f-within"}
                ),
                "object_types": _object_types(),
            }
        )
        return context


def label_events(events):
    """Readable role and region names beside the stored codes (one query for the page's regions)."""
    from django.contrib.auth import get_user_model

    from shegong.regions.models import Region

    try:
        roles = dict(get_user_model()._meta.get_field("role").flatchoices)
    except Exception:  # a user model without roles
        roles = {}
    codes = {event.region_code for event in events if event.region_code}
    regions = (
        dict(
            Region.objects.unscoped("division tree: public reference data")
            .filter(code__in=codes)
            .values_list("code", "full_name")
        )
        if codes
        else {}
    )
    for event in events:
        event.role_label = roles.get(event.role, event.role)
        event.region_name = regions.get(event.region_code, "")
    return events


def _object_types():
    from django.apps import apps

    return sorted(model._meta.label for model in apps.get_models())


def _display(value):
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str | int | float):
        return str(value) if value != "" else "—"
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


def change_rows(changes):
    """``(fields, others)``: before/after per field when the change has them, and the remaining keys."""
    changes = changes if isinstance(changes, dict) else {"value": changes}
    before = changes.get("before") if isinstance(changes.get("before"), dict) else None
    after = changes.get("after") if isinstance(changes.get("after"), dict) else None
    fields = []
    if before is not None or after is not None:
        before, after = before or {}, after or {}
        for key in list(dict.fromkeys([*before, *after])):
            fields.append(
                {
                    "name": key,
                    "before": _display(before.get(key)) if key in before else "",
                    "after": _display(after.get(key)) if key in after else "",
                    "changed": before.get(key) != after.get(key),
                }
            )
    others = [
        (key, _display(value))
        for key, value in changes.items()
        if not (key in ("before", "after") and isinstance(value, dict))
    ]
    return fields, others


class AuditDetailView(AuditorMixin, TemplateView):
    template_name = "audit/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = get_visible_or_404(AuditEvent.objects, self.request.user, pk=self.kwargs["pk"])
        label_events([event])
        fields, others = change_rows(event.changes)
        context.update({"event": event, "change_fields": fields, "change_others": others})
        return context


class AuditExportView(AuditorMixin, View):
    """Start a background export of the filtered events; the job re-applies the scope and is itself audited."""

    def post(self, request):
        from shegong.regions.forms import fold_picker

        fmt = request.POST.get("format", "xlsx")
        if fmt not in EXPORT_FORMATS:
            messages.error(request, _("Unknown export format."))
            return redirect("audit:list")
        filters = {k: v for k, v in fold_picker(request.POST).items() if k in AuditEventFilter.base_filters and v}
        if not AuditEventFilter(filters, queryset=AuditEvent.objects.none()).is_valid():
            messages.error(request, _("Some filters are not valid."))
            return redirect("audit:list")
        run = start_job(
            request.user,
            export_audit_events,
            kind="audit.export",
            title=gettext_lazy("Export of the audit log (%(format)s)") % {"format": fmt},
            filters=filters,
            fmt=fmt,
        )
        return redirect("core:task-detail", pk=run.pk)


def register_navigation():
    from . import navigation

    navigation.register(
        navigation.NavItem(
            key="audit",
            label=gettext_lazy("Audit log"),
            url_name="audit:list",
            order=850,
            visible=can_read_audit_log,
            group=navigation.ADMINISTRATION,
        )
    )

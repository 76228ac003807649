"""The audit log pages, for audit administrators only (三员分立), each within their region's subtree.

The log grows without end, so the list pages by keyset (core.keyset) on ``(at, id)`` (newest first) and never
counts the whole selection; filters are exact matches or time ranges that stay on the indexes.
"""

from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from shegong.core import capabilities
from shegong.core.audit import words
from shegong.core.audit.filters import AuditEventFilter
from shegong.core.capabilities import CapabilityRequiredMixin
from shegong.core.keyset import Key, KeysetListMixin
from shegong.core.models import AuditEvent
from shegong.core.scoping import SCOPED, get_visible_or_404
from shegong.core.tabular.views import ListExportView

PAGE_SIZE = 50


class AuditListView(CapabilityRequiredMixin, KeysetListMixin, TemplateView):
    """Newest first by ``(at, id)``; "older" and "newer" cursors (core.keyset), never a count."""

    capability = capabilities.reads_audit_log
    scope_policy = SCOPED

    template_name = "audit/list.html"
    filterset_class = AuditEventFilter
    context_object_name = "events"
    keys = (Key("at", descending=True), Key("pk", descending=True))
    page_size = PAGE_SIZE
    invalid_filters = "none"
    count = "never"
    cursor_param = "older"
    before_param = "newer"

    def base_queryset(self):
        return AuditEvent.objects.visible_to(self.request.user)

    def decorate(self, rows):
        return label_events(rows)

    def get_context_data(self, **kwargs):
        from shegong.regions.forms import RegionPickerWidget

        context = super().get_context_data(**kwargs)
        page = context["page"]
        context.update(
            {
                "older_cursor": page.next_cursor,
                "newer_cursor": page.previous_cursor,
                "paged": not page.is_first,
                "within_picker": RegionPickerWidget(root=self.request.user.region).render(
                    "within", self.within, attrs={"id": "f-within"}
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
        event.object_type_label = words.object_type_label(event.object_type)
    return events


def _object_types():
    return words.object_type_choices()


def change_rows(changes, object_type=""):
    """``(fields, others)`` in words: before/after per field when the change has them, and the remaining keys."""
    return words.describe_changes(changes, object_type)


class AuditDetailView(CapabilityRequiredMixin, TemplateView):
    capability = capabilities.reads_audit_log
    scope_policy = SCOPED
    template_name = "audit/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = get_visible_or_404(AuditEvent.objects, self.request.user, pk=self.kwargs["pk"])
        label_events([event])
        fields, others = change_rows(event.changes, event.object_type)
        context.update({"event": event, "change_fields": fields, "change_others": others})
        return context


class AuditExportView(ListExportView):
    """Start a background export of the filtered events (core/tables.py); the export is itself audited."""

    capability = capabilities.reads_audit_log
    table = "audit_log"
    filterset_class = AuditEventFilter
    list_url = "audit:list"
    title = gettext_lazy("Export of the audit log (%(format)s)")


def register_navigation():
    from shegong.core import navigation

    navigation.register(
        navigation.NavItem(
            key="audit",
            label=gettext_lazy("Audit log"),
            url_name="audit:list",
            order=850,
            visible=capabilities.reads_audit_log,
            group=navigation.ADMINISTRATION,
        )
    )

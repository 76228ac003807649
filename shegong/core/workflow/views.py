"""Pages of the review engine: the to-do list (待办), application pages with the decision log, notices."""

from datetime import UTC, date, datetime

import django_filters
from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView

from shegong.core import capabilities, dashboard, navigation
from shegong.core import workflow as wf
from shegong.core.capabilities import CapabilityRequiredMixin
from shegong.core.filters import RegionSubtreeFilter
from shegong.core.forms import StyledFormMixin
from shegong.core.keyset import Key, KeysetListMixin, KeysetListView
from shegong.core.models import Application, ApplicationState, Notification
from shegong.core.scoping import OwnViewMixin, ScopedViewMixin, get_visible_or_404
from shegong.regions.forms import RegionPickerWidget


def flow_choices():
    return [(flow.key, flow.title) for flow in wf.flows()]


class ApplicationFilter(django_filters.FilterSet):
    """One filter set for the to-do list, the applications of an area and an applicant's own."""

    flow = django_filters.ChoiceFilter(label=gettext_lazy("Process"), choices=flow_choices)
    state = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=ApplicationState.choices)
    overdue = django_filters.BooleanFilter(label=gettext_lazy("Overdue only"), method="filter_overdue")
    within = RegionSubtreeFilter(field_name="region__code")
    q = django_filters.CharFilter(label=gettext_lazy("Title contains"), field_name="title", lookup_expr="contains")
    sort = django_filters.OrderingFilter(
        label=gettext_lazy("Sort by"),
        fields=(("due_on", "due_on"), ("submitted_at", "submitted_at"), ("created_at", "created_at")),
        field_labels={
            "due_on": gettext_lazy("Due date"),
            "submitted_at": gettext_lazy("Submitted"),
            "created_at": gettext_lazy("Created"),
        },
    )

    class Meta:
        model = Application
        fields = ["flow", "state", "overdue", "within", "q"]

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.filter(state=ApplicationState.PENDING, due_on__lt=timezone.localdate())
        return queryset


# Nullable sort columns stand at the end PostgreSQL gives NULLs (core.keyset.Key.null).
NO_DATE = date(9999, 12, 31)
NO_TIME = datetime(9999, 12, 31, tzinfo=UTC)


class ApplicationListBase(KeysetListView):
    capability = capabilities.signed_in  # the to-do list, the area's and one's own applications: visible_to() decides
    model = Application
    template_name = "workflow/application_list.html"
    context_object_name = "applications"
    filterset_class = ApplicationFilter
    page_size = 25
    default_sort = "-created_at"
    sorts = {
        "due_on": (gettext_lazy("Due date, earliest first"), [Key("due_on", null=NO_DATE), Key("pk")]),
        "-due_on": (
            gettext_lazy("Due date, latest first"),
            [Key("due_on", True, null=NO_DATE), Key("pk", True)],
        ),
        "-submitted_at": (
            gettext_lazy("Newest submissions first"),
            [Key("submitted_at", True, null=NO_TIME), Key("pk", True)],
        ),
        "submitted_at": (
            gettext_lazy("Oldest submissions first"),
            [Key("submitted_at", null=NO_TIME), Key("pk")],
        ),
        "-created_at": (gettext_lazy("Newest first"), [Key("created_at", True), Key("pk", True)]),
    }
    mode = "all"
    title = gettext_lazy("Applications")
    show_region_filter = True

    def base_queryset(self):
        return super().get_queryset()

    def current_sort(self, data):
        # The sort chosen on the page, else this list's own order (the form's "Default order").
        return data.get("sort") if data.get("sort") in self.sorts else self.default_sort

    def prepare(self, queryset, sort):
        return queryset.select_related("applicant", "region", "acting_region")

    def decorate(self, rows):
        flows = {flow.key: flow for flow in wf.flows()}
        for application in rows:
            flow = flows.get(application.flow)
            step = flow.step(application.current_step) if flow else None
            application.flow_title = flow.title if flow else application.flow
            application.step_title = step.title if step else ""
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            {
                "mode": self.mode,
                "page_title": self.title,
                "flow_choices": flow_choices(),
                "states": ApplicationState.choices,
                "today": timezone.localdate(),
            }
        )
        if self.show_region_filter and capabilities.is_official(user):
            context["within_picker"] = RegionPickerWidget(root=user.region).render(
                "within", self.within, attrs={"id": "f-within"}
            )
        return context


class InboxView(ApplicationListBase):
    """待办: what the signed-in reviewer can act on now, most urgent first."""

    mode = "inbox"
    title = gettext_lazy("To-do")
    default_sort = "due_on"

    def base_queryset(self):
        return wf.inbox_for(self.request.user)


class AreaApplicationsView(ApplicationListBase):
    """Every application of the official's area, in any state (read-only for staff)."""

    mode = "all"
    title = gettext_lazy("Applications in my area")


class MyApplicationsView(ApplicationListBase):
    mode = "mine"
    title = gettext_lazy("My applications")
    show_region_filter = False
    count = "always"  # the applicant's own: few

    def base_queryset(self):
        return super().base_queryset().filter(applicant=self.request.user)


class OpinionForm(StyledFormMixin, forms.Form):
    opinion = forms.CharField(
        label=gettext_lazy("Opinion"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when returning or rejecting: the applicant will see it."),
    )


class ApplicationDetailView(ScopedViewMixin, DetailView):
    capability = capabilities.signed_in
    model = Application
    template_name = "workflow/application_detail.html"
    context_object_name = "application"

    def get_object(self, queryset=None):
        return get_visible_or_404(
            Application.objects.select_related("applicant", "region", "acting_region"),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.object
        flow = wf.flow_for(application)
        user = self.request.user
        actions = wf.available_actions(user, application)
        step = flow.step(application.current_step)
        refusal = ""
        if application.state == ApplicationState.PENDING and not actions & {"approve", "return", "reject"}:
            try:
                wf.check_can_act(user, application, flow)
            except wf.WorkflowError as exc:
                refusal = exc.message
        context.update(
            {
                "flow": flow,
                "step": step,
                "progress": wf.step_progress(application),
                "decisions": application.decisions.visible_to(user).select_related("actor").order_by("at", "id"),
                "actions": actions,
                "review_actions": bool(actions & {"approve", "return", "reject"}),
                "refusal": refusal,
                "opinion_form": kwargs.get("opinion_form") or OpinionForm(),
                "days_left": wf.days_left(application),
                "is_applicant": application.applicant_id == user.pk,
            }
        )
        if "edit" in actions and flow.edit_url is not None:
            context["edit_url"] = flow.edit_url(application)
        if flow.detail_template:
            context["detail_template"] = flow.detail_template
            if flow.detail_context is not None:
                context.update(flow.detail_context(application, self.request) or {})
        return context


REVIEW_SERVICES = {
    "approve": lambda app, user, text: wf.approve(app, text, actor=user),
    "return": lambda app, user, text: wf.return_for_revision(app, text, actor=user),
    "reject": lambda app, user, text: wf.reject(app, text, actor=user),
}
APPLICANT_SERVICES = {
    "submit": lambda app, user, text: wf.submit(app, text, actor=user),
    "resubmit": lambda app, user, text: wf.resubmit(app, text, actor=user),
    "withdraw": lambda app, user, text: wf.withdraw(app, text, actor=user),
}
DONE_MESSAGES = {
    "approve": gettext_lazy("Approved."),
    "return": gettext_lazy("Returned to the applicant for revision."),
    "reject": gettext_lazy("Rejected."),
    "submit": gettext_lazy("Submitted for review."),
    "resubmit": gettext_lazy("Resubmitted for review."),
    "withdraw": gettext_lazy("Withdrawn."),
}


class ApplicationActionView(CapabilityRequiredMixin, View):
    """POST one action on an application; every refusal is shown to the user, nothing changes."""

    capability = capabilities.signed_in  # the flow's step decides who acts (core.workflow.services)
    scope_policy = ScopedViewMixin.scope_policy

    def post(self, request, pk):
        application = get_visible_or_404(Application.objects.all(), request.user, pk=pk)
        action = request.POST.get("action", "")
        service = REVIEW_SERVICES.get(action) or APPLICANT_SERVICES.get(action)
        if service is None:
            messages.error(request, _("Unknown action."))
            return redirect(application)
        form = OpinionForm(request.POST)
        if not form.is_valid():
            return self.show_again(request, application, form)
        try:
            service(application, request.user, form.cleaned_data["opinion"])
        except wf.ReasonRequired as exc:
            form.add_error("opinion", exc.message)
            return self.show_again(request, application, form)
        except wf.WorkflowError as exc:
            messages.error(request, exc.message)
            return redirect(application)
        messages.success(request, DONE_MESSAGES[action])
        if action in REVIEW_SERVICES:
            return redirect("workflow:inbox")
        return redirect(application)

    def show_again(self, request, application, form):
        view = ApplicationDetailView()
        view.setup(request, pk=application.pk)
        view.object = view.get_object()
        response = view.render_to_response(view.get_context_data(opinion_form=form))
        response.status_code = 400
        return response


# --- notifications ---------------------------------------------------------------------------
class NotificationListView(OwnViewMixin, KeysetListMixin, TemplateView):
    capability = capabilities.signed_in
    template_name = "workflow/notification_list.html"
    context_object_name = "notifications"
    keys = (Key("created_at", True), Key("pk", True))
    page_size = 30
    count = "always"  # the user's own

    def base_queryset(self):
        queryset = Notification.objects.visible_to(self.request.user)
        if self.request.GET.get("unread"):
            queryset = queryset.unread()
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unread_count"] = Notification.objects.visible_to(self.request.user).unread().count()
        context["only_unread"] = bool(self.request.GET.get("unread"))
        context["query_string"] = "unread=1" if context["only_unread"] else ""
        return context


class NotificationReadView(OwnViewMixin, View):
    """Mark one notice (``pk``) or all of the user's notices as read; then follow the notice's link if asked."""

    capability = capabilities.signed_in

    def post(self, request, pk=None):
        notices = Notification.objects.visible_to(request.user).unread()
        now = timezone.now()
        if pk is None:
            notices.update(read_at=now)
            messages.success(request, _("All notifications are marked as read."))
            return redirect("workflow:notifications")
        notice = Notification.objects.visible_to(request.user).filter(pk=pk).first()
        if notice is None:
            raise Http404
        if notice.read_at is None:
            notice.read_at = now
            notice.save(update_fields=["read_at"])
        if request.POST.get("open") and notice.link.startswith("/"):
            return redirect(notice.link)
        return redirect("workflow:notifications")


# --- registration in the shell ----------------------------------------------------------------
def todo_panel(request):
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    todo = wf.inbox_for(user) if capabilities.may_review(user) else None
    context = {
        "template": "workflow/_panel_todo.html",
        "unread": Notification.objects.visible_to(user).unread().count(),
        "reviewer": todo is not None,
    }
    if todo is not None:
        today = timezone.localdate()
        counts = todo.order_by().aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        context.update(counts)
    else:
        context["mine"] = (
            Application.objects.visible_to(user)
            .filter(applicant=user)
            .exclude(state__in=[ApplicationState.APPROVED, ApplicationState.REJECTED, ApplicationState.WITHDRAWN])
            .count()
        )
    return context


def register_ui():
    """Menu entries and the home panel (called from CoreConfig.ready)."""
    navigation.register(
        navigation.NavItem(
            key="workflow-inbox",
            label=gettext_lazy("To-do"),
            url_name="workflow:inbox",
            order=20,
            visible=capabilities.may_review,
        ),
        navigation.NavItem(
            key="workflow-area",
            label=gettext_lazy("Applications"),
            url_name="workflow:applications",
            order=25,
            visible=capabilities.is_civil_affairs,
        ),
        navigation.NavItem(
            key="workflow-mine",
            label=gettext_lazy("My applications"),
            url_name="workflow:mine",
            order=30,
            visible=lambda user: user.is_authenticated and not capabilities.is_official(user),
        ),
        navigation.NavItem(
            key="notifications",
            label=gettext_lazy("Notifications"),
            url_name="workflow:notifications",
            order=880,
            visible=capabilities.signed_in,
            group=navigation.ACCOUNT,
        ),
    )
    dashboard.register(order=5)(todo_panel)

"""Activity pages: the catalogue, enrolment and sign-in (workers), and the provider's own pages."""

import os
import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from shegong.core import capabilities
from shegong.core.keyset import Key, KeysetListView
from shegong.core.models import ImportJob
from shegong.core.scoping import OwnViewMixin, ScopedViewMixin, get_visible_or_404
from shegong.core.tabular import engine
from shegong.core.tabular import tasks as tabular_tasks
from shegong.education import attendance_table
from shegong.education import rules as R
from shegong.education.filters import ActivityFilter
from shegong.education.forms import ActivityForm, ImportForm, SignInForm
from shegong.education.models import Activity, ActivityKind, ActivityStatus, Enrolment, EnrolmentStatus
from shegong.education.services import activities
from shegong.education.services.providers import provider_of
from shegong.education.views.ledger import add_errors
from shegong.workers.queries import own_person

is_provider = capabilities.acts_for_provider  # the rule is a capability; the old name stays for the pages below


class ProviderHomeView(OwnViewMixin, TemplateView):
    """The provider account's start page: its provider and its activities."""

    capability = capabilities.acts_for_provider
    template_name = "education/provider_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        provider = provider_of(self.request.user)
        context["provider"] = provider
        context["activities"] = (
            Activity.objects.visible_to(self.request.user)
            .annotate(
                enrolled=Count("enrolments", filter=~Q(enrolments__status=EnrolmentStatus.CANCELLED)),
                attended=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ATTENDED)),
            )
            .order_by("-starts_at")[:100]
        )
        return context


class ActivityListView(KeysetListView):
    """The catalogue: activities of published providers (workers), one's own (providers), or of the area."""

    capability = capabilities.signed_in
    model = Activity
    template_name = "education/activity_list.html"
    context_object_name = "activities"
    filterset_class = ActivityFilter
    keys = (Key("starts_at"), Key("pk"))
    page_size = 30
    invalid_filters = "none"

    def get_filter_data(self):
        data = self.request.GET.copy()
        if capabilities.is_social_worker(self.request.user) and "upcoming" not in data:
            data["upcoming"] = "true"
        return data

    def prepare(self, queryset, sort):
        return queryset.select_related("provider", "provider__province")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "kinds": ActivityKind.choices,
                "statuses": ActivityStatus.choices,
                "is_provider": is_provider(self.request.user),
            }
        )
        return context


class ActivityDetailView(ScopedViewMixin, DetailView):
    capability = capabilities.signed_in
    model = Activity
    template_name = "education/activity_detail.html"
    context_object_name = "activity"

    def get_queryset(self):
        return super().get_queryset().select_related("provider", "provider__province")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        activity = self.object
        person = own_person(user)
        enrolment = (
            Enrolment.objects.unscoped("the signed-in worker's own enrolment")
            .filter(activity=activity, person=person)
            .first()
            if person
            else None
        )
        taken = activity.enrolments.unscoped("seats taken: a count, no enrolment shown").active().count()
        context.update(
            {
                "person": person,
                "enrolment": enrolment,
                "taken": taken,
                "full": activity.capacity is not None and taken >= activity.capacity,
                "is_owner": is_provider(user) and provider_of(user).pk == activity.provider_id,
                "sign_in_form": kwargs.get("sign_in_form") or SignInForm(),
                "in_window": activity.in_window(),
                "over": activity.ends_at < timezone.now(),
            }
        )
        return context


class _ActivityFormView(ScopedViewMixin, FormView):
    capability = capabilities.acts_for_provider
    template_name = "education/activity_form.html"
    form_class = ActivityForm
    activity = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["activity"] = self.activity
        return context

    def save(self, data):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            activity = self.save(form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The activity is saved."))
        return redirect(activity)


class ActivityCreateView(_ActivityFormView):
    def save(self, data):
        return activities.create_activity(**data, actor=self.request.user)


class ActivityEditView(_ActivityFormView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.activity = get_visible_or_404(Activity.objects, request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {name: getattr(self.activity, name) for name in activities.ACTIVITY_FIELDS}

    def save(self, data):
        return activities.update_activity(self.activity, **data, actor=self.request.user)


class ActivityActionView(ScopedViewMixin, View):
    """POST actions on an activity: a worker enrols, cancels or signs in; its provider changes its
    status or the sign-in code. Every refusal is shown as a message; nothing changes."""

    capability = capabilities.signed_in  # enrol, sign in, publish...: the services decide per action

    def post(self, request, pk, action):
        activity = get_visible_or_404(Activity.objects.select_related("provider"), request.user, pk=pk)
        handlers = {
            "enrol": self.enrol,
            "cancel": self.cancel,
            "sign-in": self.sign_in,
            "close": lambda r, a: self.status(r, a, ActivityStatus.CLOSED),
            "reopen": lambda r, a: self.status(r, a, ActivityStatus.OPEN),
            "cancel-activity": lambda r, a: self.status(r, a, ActivityStatus.CANCELLED),
            "code": self.code,
        }
        handler = handlers.get(action)
        if handler is None:
            raise Http404
        try:
            response = handler(request, activity)
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            if action == "sign-in" and isinstance(exc, ValidationError):
                form = SignInForm(request.POST)
                form.is_valid()
                form.add_error("code", text)
                view = ActivityDetailView()
                view.setup(request, pk=pk)
                view.object = view.get_object()
                return view.render_to_response(view.get_context_data(sign_in_form=form), status=400)
            messages.error(request, text)
            return redirect(activity)
        return response or redirect(activity)

    def enrol(self, request, activity):
        activities.enrol(activity, actor=request.user)
        messages.success(request, _("You are enrolled."))

    def cancel(self, request, activity):
        person = own_person(request.user)
        enrolment = (
            Enrolment.objects.unscoped("the signed-in worker's own enrolment")
            .filter(activity=activity, person=person)
            .first()
            if person
            else None
        )
        if enrolment is None:
            raise ValidationError(_("You are not enrolled in this activity."))
        activities.cancel_enrolment(enrolment, actor=request.user)
        messages.success(request, _("Your enrolment is cancelled."))

    def sign_in(self, request, activity):
        form = SignInForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Enter the sign-in code."))
        row = activities.sign_in_with_code(activity, form.cleaned_data["code"], actor=request.user)
        messages.success(
            request,
            _("Signed in: %(hours)s hours credited to your ledger.") % {"hours": R.format_hours(row.hours_credited)},
        )

    def status(self, request, activity, status):
        activities.set_activity_status(activity, status, actor=request.user)
        messages.success(
            request, _("The activity's status is now: %(status)s.") % {"status": ActivityStatus(status).label}
        )

    def code(self, request, activity):
        activities.renew_sign_in_code(activity, actor=request.user)
        messages.success(request, _("A new sign-in code is shown."))
        return redirect("education:attendance", pk=activity.pk)


class AttendanceView(ScopedViewMixin, TemplateView):
    """The provider records attendance on screen, shows the sign-in code, and imports sheets."""

    capability = capabilities.acts_for_provider
    template_name = "education/attendance.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and is_provider(request.user):
            self.activity = get_visible_or_404(
                Activity.objects.select_related("provider"), request.user, pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enrolments = list(
            Enrolment.objects.visible_to(self.request.user)
            .filter(activity=self.activity)
            .exclude(status=EnrolmentStatus.CANCELLED)
            .select_related("person")
            .order_by("person__name", "pk")
        )
        context.update(
            {
                "activity": self.activity,
                "enrolments": enrolments,
                "attended": sum(1 for e in enrolments if e.status == EnrolmentStatus.ATTENDED),
                "import_form": kwargs.get("import_form") or ImportForm(),
                "imports": ImportJob.objects.visible_to(self.request.user).filter(
                    table=attendance_table.TABLE, options__activity=self.activity.pk
                )[:10],
                "started": self.activity.starts_at <= timezone.now(),
                "in_window": self.activity.in_window(),
                "errors": kwargs.get("errors", []),
            }
        )
        return context

    def post(self, request, pk):
        enrolments = {
            e.pk: e
            for e in Enrolment.objects.visible_to(request.user).filter(activity=self.activity).select_related("person")
        }
        entries, errors = [], []
        for key in request.POST.getlist("attended"):
            try:
                enrolment = enrolments[int(key)]
            except (KeyError, ValueError):
                continue
            hours = request.POST.get(f"hours_{enrolment.pk}") or self.activity.hours
            entries.append((enrolment, hours))
        if not entries:
            errors.append(_("Tick the social workers who attended."))
        else:
            try:
                rows = activities.record_attendance(self.activity, entries, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                errors.extend(exc.messages if isinstance(exc, ValidationError) else [str(exc)])
            else:
                messages.success(
                    request,
                    _("Attendance recorded for %(count)s social workers; their hours are credited.")
                    % {"count": len(rows)},
                )
                return redirect("education:attendance", pk=self.activity.pk)
        return self.render_to_response(self.get_context_data(errors=errors), status=400)


class ImportUploadView(ScopedViewMixin, View):
    """The activity page's upload form: the list is staged in the import engine (validated in the
    background) and the provider follows it on the engine's pages: progress, preview, confirmation."""

    capability = capabilities.acts_for_provider

    def post(self, request, pk):
        activity = get_visible_or_404(Activity.objects.select_related("provider"), request.user, pk=pk)
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "upload")
                with open(path, "wb") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                try:
                    with transaction.atomic():
                        job = engine.stage_file(
                            request.user,
                            attendance_table.TABLE,
                            path,
                            original_name=upload.name,
                            region=activity.provider.province,
                            options={"activity": activity.pk},
                            language=request.LANGUAGE_CODE,
                        )
                        tabular_tasks.enqueue_validation(job)
                except engine.ImportRefused as exc:
                    form.add_error("file", str(exc))
                else:
                    return redirect(job.get_absolute_url())
        view = AttendanceView()
        view.setup(request, pk=pk)
        view.activity = activity
        return view.render_to_response(view.get_context_data(import_form=form), status=400)


class ImportDetailView(ScopedViewMixin, View):
    """An attendance list staged from the activity page: its record is the engine's import page."""

    capability = capabilities.acts_for_provider
    model = ImportJob

    def get(self, request, pk):
        job = get_visible_or_404(ImportJob.objects, request.user, pk=pk, table=attendance_table.TABLE)
        return redirect(job.get_absolute_url())


class ImportTemplateView(OwnViewMixin, View):
    """The blank attendance list: the engine's template of the table (headers, notes, text ID column)."""

    capability = capabilities.signed_in

    def get(self, request):
        return redirect("tabular:template", name=attendance_table.TABLE)

import hmac
import ipaddress

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from shegong.core.audit import actions

from . import capabilities
from .addresses import client_address
from .api import api_error_response, is_api_request
from .capabilities import requires
from .dashboard import panels_for
from .keyset import Key, KeysetListView
from .models import TaskRun
from .scoping import PUBLIC, OwnViewMixin, PublicViewMixin, ScopedViewMixin, scope_policy
from .tasks import worker_state


def monitoring_may_see_details(request):
    """Monitoring sees the health details: from SHEGONG_HEALTHZ_ALLOWED_IPS, or with SHEGONG_HEALTHZ_TOKEN."""
    token = getattr(settings, "HEALTHZ_TOKEN", "") or ""
    offered = request.headers.get("X-Healthz-Token", "")
    if token and offered and hmac.compare_digest(offered.encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    for allowed in getattr(settings, "HEALTHZ_ALLOWED_IPS", []):
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


@scope_policy(PUBLIC)
@requires(capabilities.public)
def healthz(request):
    """Liveness and readiness: ``ok`` or ``fail`` for anyone (load balancers); the database vendor and
    the workers' state only for monitoring (``monitoring_may_see_details``)."""
    body = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # the point of a health check is to report, not to raise
        body["status"] = "error"
        body["database"] = {"status": "error", "error": type(exc).__name__}
    if body["status"] == "ok":
        try:
            body["worker"] = worker_state()
        except Exception as exc:
            body["worker"] = {"status": "unknown", "error": type(exc).__name__}
        if body["worker"].get("status") != "ok":
            body["status"] = "degraded"
        from . import pdf

        body["pdf_fonts"] = pdf.font_in_use()  # TrueType, or the GBK-only CID fallback
    status = 503 if body["status"] == "error" else 200
    if not monitoring_may_see_details(request):
        body = {"status": "ok" if status == 200 else "fail"}
    return JsonResponse(body, status=status)


class TaskRunListView(KeysetListView):
    capability = capabilities.signed_in
    model = TaskRun
    template_name = "core/task_list.html"
    context_object_name = "runs"
    keys = (Key("created_at", True), Key("pk", True))
    page_size = 20
    count = "always"  # the user's own jobs


class TaskRunDetailView(ScopedViewMixin, DetailView):
    capability = capabilities.signed_in
    model = TaskRun
    template_name = "core/task_detail.html"
    context_object_name = "run"

    def get_template_names(self):
        if self.request.htmx:
            return ["core/_task_progress.html"]
        return [self.template_name]


class TaskRunDownloadView(ScopedViewMixin, DetailView):
    capability = capabilities.signed_in
    model = TaskRun

    def get(self, request, *args, **kwargs):
        from .audit import record

        run = self.get_object()
        if not run.result_file:
            raise Http404(_("This job has no result file."))
        record(request.user, actions.DOWNLOAD, run, changes={"file": run.result_name})
        return FileResponse(run.result_file.open("rb"), as_attachment=True, filename=run.result_name)


def error_view(template, status):
    @scope_policy(PUBLIC)
    @requires(capabilities.public)
    def view(request, exception=None):
        if is_api_request(request):
            return api_error_response(status)
        return render(request, template, status=status)

    return view


class HomeView(OwnViewMixin, TemplateView):
    capability = capabilities.signed_in
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["panels"] = panels_for(self.request)
        context["recent_runs"] = TaskRun.objects.visible_to(self.request.user)[:5]
        return context


class FrontDoorView(PublicViewMixin, TemplateView):
    """``/``: visitors see the public landing page (what the system is, sign-up, the public check, sign-in);
    signed-in users their home page."""

    capability = capabilities.public  # the signed-in branch is HomeView, which asks its own capability
    template_name = "core/landing.html"

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return HomeView.as_view()(request, *args, **kwargs)
        return super().get(request, *args, **kwargs)


@scope_policy(PUBLIC)
@requires(capabilities.public)
def csrf_failure(request, reason=""):
    """A friendly page instead of Django's technical one when a form's security token is missing or stale."""
    if is_api_request(request):
        return api_error_response(403)
    return render(request, "403_csrf.html", status=403)


class HolidayCalendarView(OwnViewMixin, TemplateView):
    """The holiday calendar deadlines count working days by: the years it covers, a year's exceptions,
    and the upload of a new year's file (core.workdays). The operator's own tool: the calendar is
    reference data with no personal data."""

    capability = capabilities.manages_calendar
    template_name = "core/holiday_calendar.html"

    def get_context_data(self, **kwargs):
        from django.utils import timezone

        from . import workdays
        from .models import WorkdayOverride

        context = super().get_context_data(**kwargs)
        covered = workdays.coverage()
        try:
            year = int(self.request.GET.get("year", ""))
        except ValueError:
            year = max(covered) if covered else timezone.localdate().year
        context.update(
            {
                "covered": covered,
                "missing": [str(y) for y in workdays.missing_years()],
                "year": year,
                "days": WorkdayOverride.objects.filter(date__year=year).order_by("date"),
                "example": "date,is_workday,note\n2027-01-01,0,元旦\n2027-02-06,1,春节调休上班",
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        from . import workdays

        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a calendar file (CSV) to upload."))
            return redirect("holiday-calendar")
        if upload.size > 256 * 1024:
            messages.error(request, _("A calendar file is a few kilobytes; this file is too large."))
            return redirect("holiday-calendar")
        try:
            report = workdays.load_uploaded_calendar(upload, actor=request.user)
        except workdays.CalendarFileError as exc:
            if exc.row is None:
                message = _("The calendar was not loaded: the file is not a UTF-8 CSV file with calendar rows.")
            else:
                message = _(
                    "The calendar was not loaded: data row %(row)s is not “date,is_workday,note” "
                    "(a date as 2027-01-01, then 0 for a holiday or 1 for a make-up workday)."
                ) % {"row": exc.row}
            messages.error(request, message)
            return redirect("holiday-calendar")
        messages.success(
            request,
            _("Calendar loaded for %(years)s: %(created)s added, %(updated)s changed, %(removed)s removed.")
            % {
                "years": "、".join(str(y) for y in report["years"]),
                "created": report["created"],
                "updated": report["updated"],
                "removed": report["removed"],
            },
        )
        return redirect(f"{request.path}?year={report['years'][-1]}")


def calendar_panel(request):
    """Operators see on their home page that this year's or next year's holiday calendar is missing."""
    from . import workdays

    if not capabilities.manages_calendar(request.user):
        return None
    missing = workdays.missing_years()
    if not missing:
        return None
    return {
        "template": "core/_panel_calendar.html",
        "title": _("Holiday calendar"),
        "missing": "、".join(str(y) for y in missing),
    }

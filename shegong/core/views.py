import hmac
import ipaddress

from django.conf import settings
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from shegong.core.audit import actions

from . import capabilities
from .addresses import client_address
from .capabilities import requires
from .dashboard import panels_for
from .keyset import Key, KeysetListView
from .models import TaskRun
from .scoping import PUBLIC, OwnViewMixin, ScopedViewMixin, scope_policy
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


@scope_policy(PUBLIC)
@requires(capabilities.public)
def csrf_failure(request, reason=""):
    """A friendly page instead of Django's technical one when a form's security token is missing or stale."""
    return render(request, "403_csrf.html", status=403)

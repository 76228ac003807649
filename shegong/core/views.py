from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from shegong.core.audit import actions

from . import capabilities
from .api import api_error_response, is_api_request
from .capabilities import requires
from .dashboard import panels_for
from .keyset import Key, KeysetListView
from .models import TaskRun
from .scoping import PUBLIC, OwnViewMixin, ScopedViewMixin, scope_policy
from .tasks import worker_state


@scope_policy(PUBLIC)
@requires(capabilities.public)
def healthz(request):
    """Liveness and readiness for load balancers and monitoring: database and worker state."""
    body = {"status": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        body["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # the point of a health check is to report, not to raise
        body["status"] = "error"
        body["database"] = {"status": "error", "error": type(exc).__name__}
        return JsonResponse(body, status=503)
    try:
        body["worker"] = worker_state()
    except Exception as exc:
        body["worker"] = {"status": "unknown", "error": type(exc).__name__}
    if body["worker"].get("status") != "ok":
        body["status"] = "degraded"
    return JsonResponse(body)


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


@scope_policy(PUBLIC)
@requires(capabilities.public)
def csrf_failure(request, reason=""):
    """A friendly page instead of Django's technical one when a form's security token is missing or stale."""
    if is_api_request(request):
        return api_error_response(403)
    return render(request, "403_csrf.html", status=403)

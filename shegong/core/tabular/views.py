"""Pages of the import flow (upload, preview, confirm, record), the table documentation and exports."""

import os
import tempfile

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from shegong.core import capabilities
from shegong.core.audit import actions, record
from shegong.core.capabilities import CapabilityRequiredMixin
from shegong.core.keyset import Key, KeysetListView, keyset_page
from shegong.core.models import ImportIssue, ImportJob
from shegong.core.scoping import OwnViewMixin, ScopedViewMixin, get_visible_or_404
from shegong.regions.forms import fold_picker

from . import engine, tasks
from .export import FORMATS, start_export
from .forms import ConfirmForm, UploadForm
from .spec import STRATEGY_LABELS, all_specs, get_spec, importable_specs
from .template import template_bytes

ISSUES_PER_PAGE = 50


may_import = capabilities.imports_data  # the rule is a capability (the list page asks it to offer "New import")


class ImportListView(KeysetListView):
    capability = capabilities.signed_in
    model = ImportJob
    template_name = "tabular/import_list.html"
    context_object_name = "jobs"
    keys = (Key("created_at", True), Key("pk", True))
    page_size = 30

    def prepare(self, queryset, sort):
        return queryset.select_related("user", "region")

    def decorate(self, rows):
        titles = {spec.name: spec.title for spec in all_specs()}
        for job in rows:
            job.table_title = titles.get(job.table, job.table)
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_import"] = may_import(self.request.user)
        return context


class ImportCreateView(ScopedViewMixin, FormView):
    """Upload a file: it is stored with its hash and validated in the background."""

    capability = capabilities.imports_data
    model = ImportJob
    template_name = "tabular/import_new.html"
    form_class = UploadForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        table = self.request.GET.get("table")
        if table:
            kwargs.setdefault("initial", {})["table"] = table
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["specs"] = importable_specs(self.request.user)
        context["limit_mb"] = engine.max_upload_bytes() // (1024 * 1024)
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        data = form.cleaned_data
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "upload")
            with open(path, "wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            try:
                with transaction.atomic():
                    job = engine.stage_file(
                        self.request.user,
                        data["table"],
                        path,
                        original_name=upload.name,
                        strategy=data["strategy"],
                        mode=data["mode"],
                        language=self.request.LANGUAGE_CODE,
                    )
                    tasks.enqueue_validation(job)
            except engine.ImportRefused as exc:
                form.add_error("file", str(exc))
                return self.form_invalid(form)
        return redirect(job.get_absolute_url())


class ImportDetailView(ScopedViewMixin, DetailView):
    """The import record: progress while it runs, then the preview with every issue, then the result."""

    capability = capabilities.signed_in
    model = ImportJob
    template_name = "tabular/import_detail.html"
    context_object_name = "job"

    def get_queryset(self):
        return super().get_queryset().select_related("user", "region")

    def get_template_names(self):
        if self.request.htmx and self.request.GET.get("part") == "status":
            return ["tabular/_import_status.html"]
        return [self.template_name]

    def render_to_response(self, context, **kwargs):
        if self.request.htmx and self.request.GET.get("part") == "status" and not self.object.is_active:
            # The validation or commit has finished: reload the whole page for the preview or the result.
            response = HttpResponse(status=200)
            response["HX-Refresh"] = "true"
            return response
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        try:
            spec = get_spec(job.table)
        except LookupError:
            spec = None
        severity = self.request.GET.get("severity", "")
        issues = job.issues.order_by("row", "id")
        if severity in ImportIssue.Severity.values:
            issues = issues.filter(severity=severity)
        # A file of a million rows can have a million problems: keyset pages, no COUNT or OFFSET.
        page = keyset_page(
            issues,
            [Key("row"), Key("pk")],
            self.request.GET.get("cursor"),
            ISSUES_PER_PAGE,
            before=self.request.GET.get("before"),
        )
        context.update(
            {
                "spec": spec,
                "is_owner": job.user_id == self.request.user.pk,
                "issues": page.rows,
                "page": page,
                "severity": severity,
                "query_string": f"severity={severity}" if severity else "",
                "strategy_label": STRATEGY_LABELS.get(job.strategy, job.strategy),
                "same_file": ImportJob.objects.visible_to(self.request.user)
                .filter(sha256=job.sha256, table=job.table, status=ImportJob.Status.COMMITTED)
                .exclude(pk=job.pk)
                .order_by("-finished_at")
                .first(),
                "modes": ImportJob.Mode.choices,
            }
        )
        return context


class _OwnerActionView(ScopedViewMixin, View):
    capability = capabilities.signed_in
    model = ImportJob

    def get_job(self, pk):
        return get_visible_or_404(ImportJob.objects, self.request.user, pk=pk)

    def act(self, job):
        raise NotImplementedError

    def post(self, request, pk):
        job = self.get_job(pk)
        try:
            with transaction.atomic():
                message = self.act(job)
        except engine.ImportRefused as exc:
            messages.error(request, str(exc))
        else:
            if message:
                messages.success(request, message)
        return redirect(job.get_absolute_url())


class ImportConfirmView(_OwnerActionView):
    def act(self, job):
        form = ConfirmForm(self.request.POST)
        mode = form.cleaned_data.get("mode") if form.is_valid() else None
        engine.confirm(job, actor=self.request.user, mode=mode or None)
        tasks.enqueue_commit(job)
        return _("The import is confirmed; it runs in the background.")


class ImportDiscardView(_OwnerActionView):
    def act(self, job):
        engine.discard(job, actor=self.request.user)
        return _("The import is discarded; nothing was written.")


class ImportResumeView(_OwnerActionView):
    def act(self, job):
        if job.status == ImportJob.Status.VALIDATING and job.stalled:
            if job.user_id != self.request.user.pk:
                raise engine.ImportRefused(_("Only the person who uploaded the file can do this."))
            ImportJob.objects.unscoped("the job this view fetched in scope").filter(pk=job.pk).update(
                status=ImportJob.Status.STAGED
            )
            tasks.enqueue_validation(job)
            return _("The validation starts again.")
        engine.resume(job, actor=self.request.user)
        tasks.enqueue_commit(job)
        return _("The import resumes where it stopped.")


class _DownloadView(ScopedViewMixin, View):
    capability = capabilities.signed_in
    model = ImportJob
    field = "file"
    action = actions.DOWNLOAD

    def get(self, request, pk):
        job = get_visible_or_404(ImportJob.objects, request.user, pk=pk)
        stored = getattr(job, self.field)
        if not stored:
            raise Http404(_("This file is not available (any more)."))
        name = self.filename(job)
        record(
            request.user, self.action, job, changes={"file": name, "batch_id": job.batch_id}, region_code=job.region_id
        )
        return FileResponse(stored.open("rb"), as_attachment=True, filename=name)

    def filename(self, job):
        return job.original_name


class AnnotatedDownloadView(_DownloadView):
    field = "annotated_file"

    def filename(self, job):
        return os.path.splitext(job.original_name)[0] + "-annotated" + os.path.splitext(job.annotated_file.name)[1]


class OriginalDownloadView(_DownloadView):
    field = "file"


class TablesView(OwnViewMixin, TemplateView):
    """Every column of every importable table: the documentation of the file formats."""

    capability = capabilities.signed_in
    template_name = "tabular/tables.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tables"] = [
            {
                "spec": spec,
                "keys": [spec.by_name[name].header for name in spec.key],
                "strategies": [STRATEGY_LABELS[name] for name in spec.strategies],
            }
            for spec in all_specs()
            if spec.importable  # export-only tables (divisions, accounts, audit log...) have no file format to learn
        ]
        return context


class TemplateDownloadView(OwnViewMixin, View):
    capability = capabilities.signed_in

    def get(self, request, name):
        try:
            spec = get_spec(name)
        except LookupError as exc:
            raise Http404 from exc
        if not spec.importable:
            raise Http404
        response = HttpResponse(
            template_bytes(spec), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        filename = f"{spec.name}-template.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class ExportView(CapabilityRequiredMixin, View):
    """POST the list page's filters and a format: the export runs in the background (scope re-applied then)."""

    capability = capabilities.signed_in  # each table's spec decides who exports it (403 otherwise)
    scope_policy = ScopedViewMixin.scope_policy

    def post(self, request, name):
        try:
            spec = get_spec(name)
        except LookupError as exc:
            raise Http404 from exc
        fmt = request.POST.get("format", "xlsx")
        if fmt not in FORMATS:
            messages.error(request, _("Unknown export format."))
            return redirect(request.META.get("HTTP_REFERER") or "home")
        allowed = set(spec.filterset_class.base_filters) if spec.filterset_class else set()
        filters = {k: v for k, v in fold_picker(request.POST).items() if k in allowed and v}
        run = start_export(request.user, spec.name, filters, fmt)
        return redirect("core:task-detail", pk=run.pk)


class ListExportView(CapabilityRequiredMixin, View):
    """The export button of a list page: POST starts the engine's export of the list's filtered rows
    (the table spec re-applies the scope when the job runs, audits it, expires the file) and follows
    the job's progress. A list names its ``table``, its ``filterset_class``, its page (``list_url``)
    and the job's ``title`` (with ``%(format)s``)."""

    scope_policy = ScopedViewMixin.scope_policy
    table = ""
    filterset_class = None
    list_url = ""
    title = ""

    def post(self, request):
        fmt = request.POST.get("format", "xlsx")
        if fmt not in FORMATS:
            messages.error(request, _("Unknown export format."))
            return redirect(self.list_url)
        fields = self.filterset_class.base_filters
        filters = {k: v for k, v in fold_picker(request.POST).items() if k in fields and v}
        model = self.filterset_class._meta.model
        if not self.filterset_class(filters, queryset=model._default_manager.none()).is_valid():
            messages.error(request, _("Some filters are not valid."))
            return redirect(self.list_url)
        run = start_export(request.user, self.table, filters, fmt, title=self.title % {"format": fmt})
        return redirect("core:task-detail", pk=run.pk)

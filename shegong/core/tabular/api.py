"""The import flow and exports over the API: the same engine, the same scope, the same audit.

POST   /api/v1/imports/                 upload (multipart: table, file, strategy, mode) -> 201, validation queued
GET    /api/v1/imports/                 the imports visible to the caller
GET    /api/v1/imports/{id}/            status, progress, counts
GET    /api/v1/imports/{id}/issues/     every problem (row, column, value, reason), paginated
GET    /api/v1/imports/{id}/annotated/  the file with the problems marked
POST   /api/v1/imports/{id}/confirm/    commit (body: optional mode)
POST   /api/v1/imports/{id}/discard/
POST   /api/v1/imports/{id}/resume/
GET    /api/v1/import-tables/           every table and column (the documentation page as data)
POST   /api/v1/exports/                 {table, format, filters} -> the background job
"""

import os
import tempfile

from django.db import transaction
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from shegong.core import capabilities
from shegong.core.audit import actions, record
from shegong.core.capabilities import CapabilityAPIMixin
from shegong.core.models import ImportIssue, ImportJob
from shegong.core.pagination import KeysetPagination
from shegong.core.scoping import OWN, SCOPED, ScopedAPIMixin

from . import engine, tasks
from .export import FORMATS, start_export
from .spec import STRATEGIES, all_specs, get_spec


class ImportJobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    uploaded_by = serializers.CharField(source="user.username", read_only=True, default="")

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "url",
            "batch_id",
            "table",
            "status",
            "percent",
            "message",
            "error",
            "original_name",
            "file_format",
            "size",
            "sha256",
            "strategy",
            "mode",
            "region",
            "uploaded_by",
            "sheet",
            "header_row",
            "total_rows",
            "count_new",
            "count_updated",
            "count_unchanged",
            "count_rejected",
            "count_warnings",
            "committed_row",
            "committed_batches",
            "committed_new",
            "committed_updated",
            "committed_skipped",
            "created_at",
            "validated_at",
            "confirmed_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_url(self, job) -> str:
        return reverse("tabular:detail", args=[job.pk])


class UploadSerializer(serializers.Serializer):
    table = serializers.ChoiceField(choices=[])
    file = serializers.FileField()
    strategy = serializers.ChoiceField(choices=STRATEGIES, default="upsert")
    mode = serializers.ChoiceField(choices=ImportJob.Mode.values, default=ImportJob.Mode.VALID_ONLY)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["table"].choices = [spec.name for spec in all_specs() if spec.importable]


class ConfirmSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=ImportJob.Mode.values, required=False)


class ImportIssueSerializer(serializers.ModelSerializer):
    column_letter = serializers.CharField(read_only=True)

    class Meta:
        model = ImportIssue
        fields = ["row", "column", "column_letter", "value", "code", "message", "severity"]


class ImportPagination(KeysetPagination):
    keys = ("-created_at", "-id")


class IssuePagination(KeysetPagination):
    """One job's problems in file order; the count is kept (the response had it) and no OFFSET is read."""

    keys = ("row", "id")
    page_size = 100
    max_page_size = 1000
    with_count = True


class ImportJobViewSet(ScopedAPIMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Bulk imports (导入): upload, validation in the background, preview, confirm, commit."""

    capability = capabilities.signed_in  # each table's spec decides who imports it
    queryset = ImportJob.objects.all().select_related("user")
    serializer_class = ImportJobSerializer
    pagination_class = ImportPagination
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_serializer_class(self):
        if self.action == "create":
            return UploadSerializer
        if self.action == "confirm":
            return ConfirmSerializer
        if self.action == "issues":
            return ImportIssueSerializer
        return ImportJobSerializer

    @extend_schema(request=UploadSerializer, responses={201: ImportJobSerializer})
    def create(self, request, *args, **kwargs):
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        spec = get_spec(data["table"])
        if not spec.can_import(request.user):
            raise PermissionDenied(f"You may not import {spec.name}.")
        handle = data["file"]
        if handle.size > engine.max_upload_bytes():
            raise ValidationError(
                {"file": [f"The file is larger than {engine.max_upload_bytes() // (1024 * 1024)} MB."]}
            )
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "upload")
            with open(path, "wb") as out:
                for chunk in handle.chunks():
                    out.write(chunk)
            try:
                with transaction.atomic():
                    job = engine.stage_file(
                        request.user,
                        spec.name,
                        path,
                        original_name=handle.name,
                        strategy=data["strategy"],
                        mode=data["mode"],
                        language=getattr(request, "LANGUAGE_CODE", ""),
                    )
                    tasks.enqueue_validation(job)
            except engine.ImportRefused as exc:
                raise ValidationError({"file": [str(exc)]}) from exc
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    def _act(self, function, *args, **kwargs):
        job = self.get_object()
        try:
            with transaction.atomic():
                function(job, self.request.user, *args, **kwargs)
                return job
        except engine.ImportRefused as exc:
            raise ValidationError({"detail": str(exc)}) from exc

    @extend_schema(request=ConfirmSerializer, responses=ImportJobSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        body = ConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        def go(job, user):
            engine.confirm(job, actor=user, mode=body.validated_data.get("mode"))
            tasks.enqueue_commit(job)

        job = self._act(go)
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data)

    @extend_schema(request=None, responses=ImportJobSerializer)
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        job = self._act(engine.discard)
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data)

    @extend_schema(request=None, responses=ImportJobSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        def go(job, user):
            engine.resume(job, actor=user)
            tasks.enqueue_commit(job)

        job = self._act(go)
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data)

    @extend_schema(responses=ImportIssueSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=IssuePagination)
    def issues(self, request, pk=None):
        job = self.get_object()
        queryset = job.issues.order_by("row", "id")
        severity = request.query_params.get("severity")
        if severity in ImportIssue.Severity.values:
            queryset = queryset.filter(severity=severity)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ImportIssueSerializer(page, many=True).data)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def annotated(self, request, pk=None):
        job = self.get_object()
        if not job.annotated_file:
            raise Http404
        name = os.path.splitext(job.original_name)[0] + "-annotated" + os.path.splitext(job.annotated_file.name)[1]
        record(
            request.user,
            actions.DOWNLOAD,
            job,
            changes={"file": name, "batch_id": job.batch_id},
            region_code=job.region_id,
        )
        return FileResponse(job.annotated_file.open("rb"), as_attachment=True, filename=name)


class ColumnDocSerializer(serializers.Serializer):
    name = serializers.CharField()
    header = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    required = serializers.BooleanField()
    help = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    allowed_values = serializers.SerializerMethodField()

    def get_allowed_values(self, column) -> list[str]:
        return [word for _value, word in column.allowed_values()]


class TableDocSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    key = serializers.ListField(child=serializers.CharField())
    strategies = serializers.ListField(child=serializers.CharField())
    importable = serializers.BooleanField()
    columns = ColumnDocSerializer(many=True)
    template_url = serializers.SerializerMethodField()

    def get_template_url(self, spec) -> str:
        return reverse("tabular:template", args=[spec.name])


class ImportTableViewSet(CapabilityAPIMixin, viewsets.ViewSet):
    """The import/export tables and their columns (the documentation page as data)."""

    capability = capabilities.signed_in
    scope_policy = OWN
    pagination_class = None
    lookup_field = "name"

    @extend_schema(responses=TableDocSerializer(many=True))
    def list(self, request):
        return Response(TableDocSerializer(all_specs(), many=True).data)

    @extend_schema(responses=TableDocSerializer, parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH)])
    def retrieve(self, request, name=None):
        try:
            spec = get_spec(name)
        except LookupError as exc:
            raise Http404 from exc
        return Response(TableDocSerializer(spec).data)


class ExportRequestSerializer(serializers.Serializer):
    table = serializers.CharField()
    format = serializers.ChoiceField(choices=FORMATS, default="xlsx")
    filters = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False, default=dict)


class ExportJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    url = serializers.CharField()


class ExportViewSet(CapabilityAPIMixin, viewsets.ViewSet):
    """Start an export of a table's rows visible to the caller (filters as on the list page)."""

    capability = capabilities.signed_in  # each table's spec decides who exports it
    scope_policy = SCOPED

    @extend_schema(request=ExportRequestSerializer, responses={202: ExportJobSerializer})
    def create(self, request):
        body = ExportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            spec = get_spec(data["table"])
        except LookupError as exc:
            raise ValidationError({"table": ["Unknown table."]}) from exc
        allowed = set(spec.filterset_class.base_filters) if spec.filterset_class else set()
        unknown = set(data["filters"]) - allowed
        if unknown:
            raise ValidationError({"filters": [f"Unknown filters: {', '.join(sorted(unknown))}"]})
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

        try:
            with transaction.atomic():
                run = start_export(request.user, spec.name, data["filters"], data["format"])
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(
            {"id": str(run.pk), "status": run.status, "url": reverse("core:task-detail", args=[run.pk])},
            status=status.HTTP_202_ACCEPTED,
        )


# The engine's API routes (registered on the one router in shegong/urls.py).
routes = [
    ("imports", ImportJobViewSet, "import"),
    ("import-tables", ImportTableViewSet, "import-table"),
    ("exports", ExportViewSet, "export"),
]

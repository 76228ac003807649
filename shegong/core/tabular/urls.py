from django.urls import path

from . import views

app_name = "tabular"
urlpatterns = [
    path("", views.ImportListView.as_view(), name="list"),
    path("new/", views.ImportCreateView.as_view(), name="new"),
    path("tables/", views.TablesView.as_view(), name="tables"),
    path("tables/<slug:name>/template.xlsx", views.TemplateDownloadView.as_view(), name="template"),
    path("export/<slug:name>/", views.ExportView.as_view(), name="export"),
    path("<uuid:pk>/", views.ImportDetailView.as_view(), name="detail"),
    path("<uuid:pk>/confirm/", views.ImportConfirmView.as_view(), name="confirm"),
    path("<uuid:pk>/discard/", views.ImportDiscardView.as_view(), name="discard"),
    path("<uuid:pk>/resume/", views.ImportResumeView.as_view(), name="resume"),
    path("<uuid:pk>/annotated/", views.AnnotatedDownloadView.as_view(), name="annotated"),
    path("<uuid:pk>/file/", views.OriginalDownloadView.as_view(), name="file"),
]

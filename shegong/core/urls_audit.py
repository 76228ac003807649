from django.urls import path

from . import views_audit

app_name = "audit"
urlpatterns = [
    path("", views_audit.AuditListView.as_view(), name="list"),
    path("export/", views_audit.AuditExportView.as_view(), name="export"),
    path("<int:pk>/", views_audit.AuditDetailView.as_view(), name="detail"),
]

from django.urls import path

from . import views, views_activities, views_officials

app_name = "education"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    # the social worker
    path("me/", views.MyLedgerView.as_view(), name="me"),
    path("me/statement.pdf", views.StatementView.as_view(), name="statement"),
    path("declarations/new/", views.DeclarationCreateView.as_view(), name="declaration-new"),
    path("declarations/<int:pk>/", views.DeclarationDetailView.as_view(), name="declaration-detail"),
    path("declarations/<int:pk>/edit/", views.DeclarationEditView.as_view(), name="declaration-edit"),
    path("evidence/<int:pk>/", views.EvidenceView.as_view(), name="evidence"),
    # activities (catalogue, enrolment, the provider's pages)
    path("activities/", views_activities.ActivityListView.as_view(), name="activity-list"),
    path("activities/new/", views_activities.ActivityCreateView.as_view(), name="activity-new"),
    path("activities/<int:pk>/", views_activities.ActivityDetailView.as_view(), name="activity-detail"),
    path("activities/<int:pk>/edit/", views_activities.ActivityEditView.as_view(), name="activity-edit"),
    path("activities/<int:pk>/attendance/", views_activities.AttendanceView.as_view(), name="attendance"),
    path("activities/<int:pk>/import/", views_activities.ImportUploadView.as_view(), name="import-upload"),
    path("activities/<int:pk>/<slug:action>/", views_activities.ActivityActionView.as_view(), name="activity-action"),
    path("imports/<uuid:pk>/", views_activities.ImportDetailView.as_view(), name="import-detail"),
    path("imports/template.xlsx", views_activities.ImportTemplateView.as_view(), name="import-template"),
    path("provider/", views_activities.ProviderHomeView.as_view(), name="provider-home"),
    # officials
    path("providers/", views_officials.ProviderListView.as_view(), name="provider-list"),
    path("providers/public/", views_officials.PublicProviderListView.as_view(), name="public-providers"),
    path("providers/new/", views_officials.ProviderCreateView.as_view(), name="provider-new"),
    path("providers/<int:pk>/", views_officials.ProviderDetailView.as_view(), name="provider-detail"),
    path("providers/<int:pk>/edit/", views_officials.ProviderEditView.as_view(), name="provider-edit"),
    path("providers/<int:pk>/<slug:action>/", views_officials.ProviderActionView.as_view(), name="provider-action"),
    path("rules/", views_officials.PolicyView.as_view(), name="policy"),
    path("compliance/", views_officials.ComplianceView.as_view(), name="compliance"),
    path("compliance/export/", views_officials.ComplianceExportView.as_view(), name="compliance-export"),
    path("persons/<int:pk>/", views.PersonLedgerView.as_view(), name="person-ledger"),
    path("persons/<int:pk>/statement.pdf", views.PersonStatementView.as_view(), name="person-statement"),
]

from django.urls import path

from .views import activities, ledger, officials

app_name = "education"
urlpatterns = [
    path("", ledger.IndexView.as_view(), name="index"),
    # the social worker
    path("me/", ledger.MyLedgerView.as_view(), name="me"),
    path("me/statement.pdf", ledger.StatementView.as_view(), name="statement"),
    path("declarations/new/", ledger.DeclarationCreateView.as_view(), name="declaration-new"),
    path("declarations/<int:pk>/", ledger.DeclarationDetailView.as_view(), name="declaration-detail"),
    path("declarations/<int:pk>/edit/", ledger.DeclarationEditView.as_view(), name="declaration-edit"),
    path("evidence/<int:pk>/", ledger.EvidenceView.as_view(), name="evidence"),
    # activities (catalogue, enrolment, the provider's pages)
    path("activities/", activities.ActivityListView.as_view(), name="activity-list"),
    path("activities/new/", activities.ActivityCreateView.as_view(), name="activity-new"),
    path("activities/<int:pk>/", activities.ActivityDetailView.as_view(), name="activity-detail"),
    path("activities/<int:pk>/edit/", activities.ActivityEditView.as_view(), name="activity-edit"),
    path("activities/<int:pk>/attendance/", activities.AttendanceView.as_view(), name="attendance"),
    path("activities/<int:pk>/import/", activities.ImportUploadView.as_view(), name="import-upload"),
    path("activities/<int:pk>/<slug:action>/", activities.ActivityActionView.as_view(), name="activity-action"),
    path("imports/<uuid:pk>/", activities.ImportDetailView.as_view(), name="import-detail"),
    path("imports/template.xlsx", activities.ImportTemplateView.as_view(), name="import-template"),
    path("provider/", activities.ProviderHomeView.as_view(), name="provider-home"),
    # officials
    path("providers/", officials.ProviderListView.as_view(), name="provider-list"),
    path("providers/public/", officials.PublicProviderListView.as_view(), name="public-providers"),
    path("providers/new/", officials.ProviderCreateView.as_view(), name="provider-new"),
    path("providers/<int:pk>/", officials.ProviderDetailView.as_view(), name="provider-detail"),
    path("providers/<int:pk>/edit/", officials.ProviderEditView.as_view(), name="provider-edit"),
    path("providers/<int:pk>/<slug:action>/", officials.ProviderActionView.as_view(), name="provider-action"),
    path("rules/", officials.PolicyView.as_view(), name="policy"),
    path("compliance/", officials.ComplianceView.as_view(), name="compliance"),
    path("compliance/export/", officials.ComplianceExportView.as_view(), name="compliance-export"),
    path("persons/<int:pk>/", ledger.PersonLedgerView.as_view(), name="person-ledger"),
    path("persons/<int:pk>/statement.pdf", ledger.PersonStatementView.as_view(), name="person-statement"),
]

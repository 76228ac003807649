from django.urls import path

from . import views

app_name = "registration"
urlpatterns = [
    path("", views.MyRegistrationView.as_view(), name="mine"),
    path("apply/<slug:kind>/", views.ApplyView.as_view(), name="apply"),
    path("requests/<int:pk>/edit/", views.RequestEditView.as_view(), name="request-edit"),
    path("registrations/<int:pk>/certificate.pdf", views.CertificateDownloadView.as_view(), name="certificate"),
    path("registrations/<int:pk>/revoke/", views.RevokeView.as_view(), name="revoke"),
    path("check/", views.PublicCheckView.as_view(), name="public-check"),
    path("check/v/<str:token>/", views.PublicVerifyView.as_view(), name="verify"),
]

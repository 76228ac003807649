from django.urls import path

from . import views

app_name = "workers"
urlpatterns = [
    path("signup/", views.SignupView.as_view(), name="signup"),
    path("signup/done/", views.SignupDoneView.as_view(), name="signup-done"),
    path("signup/region-picker/", views.SignupRegionPickerView.as_view(), name="signup-region-picker"),
    path("signups/", views.PendingSignupListView.as_view(), name="signup-list"),
    path("signups/<int:pk>/", views.SignupDetailView.as_view(), name="signup-detail"),
    path("signups/<int:pk>/confirm/", views.ConfirmSignupView.as_view(), name="signup-confirm"),
    path("signups/<int:pk>/reject/", views.RejectSignupView.as_view(), name="signup-reject"),
    path("me/", views.MyRecordView.as_view(), name="me"),
    path("me/reveal/", views.RevealMyIdView.as_view(), name="me-reveal"),
]

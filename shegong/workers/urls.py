from django.urls import path

from . import views, views_profile, views_registry

app_name = "workers"
urlpatterns = [
    path("signup/", views.SignupView.as_view(), name="signup"),
    path("signup/done/", views.SignupDoneView.as_view(), name="signup-done"),
    path("signups/", views.PendingSignupListView.as_view(), name="signup-list"),
    path("signups/<int:pk>/", views.SignupDetailView.as_view(), name="signup-detail"),
    path("signups/<int:pk>/confirm/", views.ConfirmSignupView.as_view(), name="signup-confirm"),
    path("signups/<int:pk>/reject/", views.RejectSignupView.as_view(), name="signup-reject"),
    path("me/", views.MyRecordView.as_view(), name="me"),
    path("me/reveal/", views.RevealMyIdView.as_view(), name="me-reveal"),
    path("me/edit/", views_profile.ProfileEditView.as_view(), name="me-edit"),
    path("me/feedback/", views_profile.FeedbackCreateView.as_view(), name="feedback-new"),
    path("feedback/", views_profile.FeedbackListView.as_view(), name="feedback-list"),
    path("feedback/<int:pk>/", views_profile.FeedbackDecideView.as_view(), name="feedback-detail"),
    path("persons/", views_registry.PersonListView.as_view(), name="person-list"),
    path("persons/<int:pk>/", views_registry.PersonDetailView.as_view(), name="person-detail"),
    path("persons/<int:pk>/reveal/", views_registry.PersonRevealView.as_view(), name="person-reveal"),
    path("persons/<int:pk>/photo/", views_registry.PersonPhotoView.as_view(), name="person-photo"),
    path("persons/<int:pk>/check/", views_registry.PersonCheckView.as_view(), name="person-check"),
    path("certificates/", views_registry.CertificateListView.as_view(), name="certificate-list"),
    path("checking/", views_registry.CheckingListView.as_view(), name="checking"),
]

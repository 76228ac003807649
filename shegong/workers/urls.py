from django.urls import path

from .views import profile, registry, signup

app_name = "workers"
urlpatterns = [
    path("signup/", signup.SignupView.as_view(), name="signup"),
    path("signup/done/", signup.SignupDoneView.as_view(), name="signup-done"),
    path("signups/", signup.PendingSignupListView.as_view(), name="signup-list"),
    path("signups/<int:pk>/", signup.SignupDetailView.as_view(), name="signup-detail"),
    path("signups/<int:pk>/confirm/", signup.ConfirmSignupView.as_view(), name="signup-confirm"),
    path("signups/<int:pk>/reject/", signup.RejectSignupView.as_view(), name="signup-reject"),
    path("me/", signup.MyRecordView.as_view(), name="me"),
    path("me/reveal/", signup.RevealMyIdView.as_view(), name="me-reveal"),
    path("me/edit/", profile.ProfileEditView.as_view(), name="me-edit"),
    path("me/feedback/", profile.FeedbackCreateView.as_view(), name="feedback-new"),
    path("feedback/", profile.FeedbackListView.as_view(), name="feedback-list"),
    path("feedback/<int:pk>/", profile.FeedbackDecideView.as_view(), name="feedback-detail"),
    path("persons/", registry.PersonListView.as_view(), name="person-list"),
    path("persons/<int:pk>/", registry.PersonDetailView.as_view(), name="person-detail"),
    path("persons/<int:pk>/reveal/", registry.PersonRevealView.as_view(), name="person-reveal"),
    path("persons/<int:pk>/photo/", registry.PersonPhotoView.as_view(), name="person-photo"),
    path("persons/<int:pk>/check/", registry.PersonCheckView.as_view(), name="person-check"),
    path("certificates/", registry.CertificateListView.as_view(), name="certificate-list"),
    path("certificates/<int:pk>/correct/", registry.CertificateCorrectView.as_view(), name="certificate-correct"),
    path("checking/", registry.CheckingListView.as_view(), name="checking"),
    path("transfers/new/", registry.TransferRequestView.as_view(), name="transfer-new"),
]

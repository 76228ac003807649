from django.urls import path

from shegong.core.workflow import views

app_name = "workflow"
urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("applications/", views.AreaApplicationsView.as_view(), name="applications"),
    path("mine/", views.MyApplicationsView.as_view(), name="mine"),
    path("applications/<uuid:pk>/", views.ApplicationDetailView.as_view(), name="detail"),
    path("applications/<uuid:pk>/act/", views.ApplicationActionView.as_view(), name="act"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", views.NotificationReadView.as_view(), name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.NotificationReadView.as_view(), name="notification-read"),
]

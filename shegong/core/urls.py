from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.TaskRunListView.as_view(), name="task-list"),
    path("<uuid:pk>/", views.TaskRunDetailView.as_view(), name="task-detail"),
    path("<uuid:pk>/download/", views.TaskRunDownloadView.as_view(), name="task-download"),
]

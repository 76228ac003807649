from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.RegionListView.as_view(), name="list"),
    path("export/", views.RegionExportView.as_view(), name="export"),
    path("picker/", views.RegionPickerView.as_view(), name="picker"),
]

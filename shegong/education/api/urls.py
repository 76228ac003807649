"""Continuing education's API routes (registered on the one router in shegong/urls.py)."""

from .views import ActivityViewSet, ProviderViewSet, StudyRecordViewSet

routes = [
    ("education/providers", ProviderViewSet, "education-provider"),
    ("education/activities", ActivityViewSet, "education-activity"),
    ("education/records", StudyRecordViewSet, "education-record"),
]

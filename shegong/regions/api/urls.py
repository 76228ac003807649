"""The division tree's API routes (registered on the one router in shegong/urls.py)."""

from .views import RegionViewSet

routes = [("regions", RegionViewSet, "region")]

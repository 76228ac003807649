"""The accounts app's API routes (registered on the one router in shegong/urls.py)."""

from .views import UserViewSet

routes = [("users", UserViewSet, "user")]

"""The registry's API routes (registered on the one router in shegong/urls.py)."""

from .views import CertificateViewSet, PersonViewSet

routes = [("workers", PersonViewSet, "worker"), ("certificates", CertificateViewSet, "certificate")]

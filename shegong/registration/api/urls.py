"""Certificate registration's API routes (registered on the one router in shegong/urls.py; the public
check is a plain path there)."""

from .views import RegistrationViewSet

routes = [("registrations", RegistrationViewSet, "registration")]

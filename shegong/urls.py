from captcha import urls as captcha_urls
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import routers

from shegong.accounts.api import urls as accounts_api
from shegong.accounts.views import auth as account_views
from shegong.core import capabilities
from shegong.core import views as core_views
from shegong.core.capabilities import CapabilityAPIMixin
from shegong.core.scoping import OWN, PUBLIC
from shegong.core.tabular import api as tabular_api
from shegong.education.api import urls as education_api
from shegong.regions.api import urls as regions_api
from shegong.registration.api import urls as registration_api
from shegong.registration.api.views import PublicCertificateCheckView
from shegong.services.api import urls as services_api
from shegong.workers.api import urls as workers_api


class APIRootView(CapabilityAPIMixin, routers.APIRootView):
    """The API root lists route names only."""

    capability = capabilities.signed_in
    scope_policy = OWN


class Router(routers.DefaultRouter):
    APIRootView = APIRootView


router = Router()
# Every app's API routes, in one router (one API root); each app lists its own in api/urls.py.
API_ROUTES = [
    *regions_api.routes,
    *accounts_api.routes,
    *tabular_api.routes,
    *workers_api.routes,
    *registration_api.routes,
    *education_api.routes,
    *services_api.routes,
]
for prefix, viewset, basename in API_ROUTES:
    router.register(prefix, viewset, basename=basename)


def declare(view, policy, capability):
    """Third-party views: their scope policy and capability (enforced by the view itself or its wrapper)."""
    view.scope_policy = policy
    view.capability = capability
    return view


# The captcha image, audio and refresh views carry no personal data.
for _captcha_url in captcha_urls.urlpatterns:
    declare(_captcha_url.callback, PUBLIC, capabilities.public)

urlpatterns = [
    path("", core_views.FrontDoorView.as_view(), name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", account_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("shegong.accounts.urls")),
    path("captcha/", include("captcha.urls")),
    path("workers/", include("shegong.workers.urls")),
    path("regions/", include("shegong.regions.urls")),
    path("jobs/", include("shegong.core.urls")),
    path("calendar/", core_views.HolidayCalendarView.as_view(), name="holiday-calendar"),
    path("imports/", include("shegong.core.tabular.urls")),
    path("audit/", include("shegong.core.audit.urls")),
    path("workflow/", include("shegong.core.workflow.urls")),
    path("organizations/", include("shegong.organizations.urls")),
    path("registration/", include("shegong.registration.urls")),
    path("education/", include("shegong.education.urls")),
    path("services/", include("shegong.services.urls")),
    path("i18n/setlang/", declare(set_language, PUBLIC, capabilities.public), name="set_language"),
    path("api/v1/public/certificate-check/", PublicCertificateCheckView.as_view(), name="api-public-certificate-check"),
    path("api/v1/", include(router.urls)),
    path(
        "api/schema/",
        declare(login_required(SpectacularAPIView.as_view()), OWN, capabilities.signed_in),
        name="api-schema",
    ),
    path(
        "api/docs/",
        declare(login_required(SpectacularSwaggerView.as_view(url_name="api-schema")), OWN, capabilities.signed_in),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        declare(login_required(SpectacularRedocView.as_view(url_name="api-schema")), OWN, capabilities.signed_in),
        name="api-redoc",
    ),
]

handler403 = core_views.error_view("403.html", 403)
handler404 = core_views.error_view("404.html", 404)
handler500 = core_views.error_view("500.html", 500)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

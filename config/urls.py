"""Root URLs: the project API under /api/, allauth headless under /_allauth/, the admin site."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from common import views as common_views

api_patterns = [
    path("health/", common_views.health, name="health"),
    path("health/live/", common_views.health_live, name="health-live"),
    path("health/ready/", common_views.health_ready, name="health-ready"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file (?script), so the page needs no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("", include("accounts.urls")),
    path("", include("catalog.urls")),
    path("", include("assessments.urls")),
    path("", include("billing.urls")),
    path("", include("certificates.urls")),
    path("", include("gamification.urls")),
    path("", include("forum.urls")),
    path("", include("reviews.urls")),
    path("", include("notifications.urls")),
    path("", include("staff.urls")),
    # Anything else under /api/ is a JSON 404, never an HTML page (common.middleware.NOT_FOUND_ROUTE).
    re_path(r"^.*$", common_views.api_not_found, name="api-not-found"),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("_allauth/", include("allauth.headless.urls")),
    re_path(r"^_allauth/", common_views.api_not_found, name="api-not-found"),
    # Before allauth's routes: /auth/onboarding -> FRONTEND_URL, and the guarded Google callback.
    path("", include("accounts.frontend_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "common.views.handler400"
handler403 = "common.views.handler403"
handler404 = "common.views.handler404"
handler500 = "common.views.handler500"

"""Backend paths that belong to the frontend: sent on to FRONTEND_URL (e.g. after a Google login)."""

from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.google.views import oauth2_callback
from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import path, re_path


def onboarding_redirect(request):
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(f"{settings.FRONTEND_URL}/auth/onboarding" + (f"?{query}" if query else ""))


def google_callback(request):
    """allauth's Google callback, except that an unconfigured Google app sends the user back to the
    frontend's error page (as every other sign-in failure does) instead of a server error."""
    try:
        return oauth2_callback(request)
    except SocialApp.DoesNotExist:
        error_url = settings.HEADLESS_FRONTEND_URLS["socialaccount_login_error"]
        return HttpResponseRedirect(f"{error_url}?error=unknown")


urlpatterns = [
    re_path(r"^auth/onboarding/?$", onboarding_redirect, name="auth-onboarding-frontend"),
    # Shadows allauth's route of the same path (its name stays allauth's, so reverse() is unchanged).
    path("accounts/google/login/callback/", google_callback),
]

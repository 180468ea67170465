"""Backend paths that belong to the frontend: sent on to FRONTEND_URL (e.g. after a Google login)."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import re_path


def onboarding_redirect(request):
    query = request.META.get("QUERY_STRING", "")
    return HttpResponseRedirect(f"{settings.FRONTEND_URL}/auth/onboarding" + (f"?{query}" if query else ""))


urlpatterns = [re_path(r"^auth/onboarding/?$", onboarding_redirect, name="auth-onboarding-frontend")]

"""A view with an explicit public cache policy, next to the project's routes (PrivateResponseMiddleware test)."""

from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urlpatterns


@method_decorator(cache_control(public=True, max_age=60), name="dispatch")
class PublicView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [path("api/test/public/", PublicView.as_view()), *project_urlpatterns]

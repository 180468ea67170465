"""A cached public read of its own next to the project's routes (AnonymousReadMiddleware tests): it records each
time it builds its answer (the query string it built it for)."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.http_cache import ConditionalReadMixin, cached_read, scope_register
from config.urls import urlpatterns as project_urlpatterns

SCOPE = scope_register("front-test")
TIMEOUT = 60
BUILDS: list[str] = []
# When the answer stops being current (a datetime, like a leaderboard period's end), set by a test.
CURRENT_UNTIL: list = [None]


class CachedEchoView(ConditionalReadMixin, APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return cached_read(
            self,
            request,
            scope=SCOPE,
            variants=("echo",),
            timeout=TIMEOUT,
            build=self._build,
            public_data=lambda data: ("echo", data),
            current_until=CURRENT_UNTIL[0],
        )

    def _build(self) -> Response:
        BUILDS.append(self.request.META.get("QUERY_STRING", ""))
        return Response({"query": self.request.query_params})


class PlainView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("api/test/front/", CachedEchoView.as_view()),
    path("api/test/plain/", PlainView.as_view()),
    *project_urlpatterns,
]

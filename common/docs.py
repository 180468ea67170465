"""The API documentation pages (Swagger UI, Redoc): served from the project, they make no request off the machine."""

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

# Everything the pages need comes from this origin (the sidecar's bundles, the schema); the inline script
# and styles are the pages' own, blob: is Redoc's search worker. Anything else (fonts, logos, a spec
# validator) is refused by the browser, so a page that works here works without the internet.
DOCS_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "worker-src 'self' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)


class _OfflineDocsMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        return response


class SwaggerView(_OfflineDocsMixin, SpectacularSwaggerView):
    pass


class RedocView(_OfflineDocsMixin, SpectacularRedocView):
    pass

"""Certificate routes (relative to /api/)."""

from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    path("certificates/", views.CertificateListView.as_view(), name="list"),
    path("certificates/verify/<str:code>/", views.CertificateVerifyView.as_view(), name="verify"),
    path("certificates/<uuid:pk>/download/", views.CertificateDownloadView.as_view(), name="download"),
    path("admin/certificates/<uuid:pk>/revoke/", views.CertificateRevokeView.as_view(), name="revoke"),
    path("admin/certificates/<uuid:pk>/reinstate/", views.CertificateReinstateView.as_view(), name="reinstate"),
]

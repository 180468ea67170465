from django.urls import path, re_path

from staff import views
from staff.reports import REPORT_NAMES

urlpatterns = [
    path("admin/stats/", views.PlatformStatsView.as_view(), name="admin-stats"),
    re_path(rf"^admin/reports/(?P<name>{'|'.join(REPORT_NAMES)})/$", views.ReportView.as_view(), name="admin-report"),
    path("admin/audit-log/", views.AuditLogListView.as_view(), name="admin-audit-log"),
]

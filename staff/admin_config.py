"""The Django admin app, configured to use the project's staff-only site (``staff.admin_site``).

Listed in INSTALLED_APPS instead of ``django.contrib.admin`` so that every app's
``admin.site.register`` lands on :class:`staff.admin_site.StaffAdminSite`.
"""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "staff.admin_site.StaffAdminSite"
    # Never picked up automatically as the config of the ``staff`` app itself.
    default = False

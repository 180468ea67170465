"""The Django admin app, configured to use the project's staff-only site (``moderation.admin_site``).

Listed in INSTALLED_APPS instead of ``django.contrib.admin`` so that every app's
``admin.site.register`` lands on :class:`moderation.admin_site.StaffAdminSite`.
"""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "moderation.admin_site.StaffAdminSite"
    # Never picked up automatically as the config of the ``moderation`` app itself.
    default = False

"""Role and ownership permission classes shared by every app.

Roles live on ``accounts.User.role``. Suspended users never reach these checks: the authentication
classes refuse them first (403 ``account_suspended``).
"""

from rest_framework.permissions import BasePermission


def _user(request):
    """The signed-in user, or None (role checks go through the ``User.is_<role>`` properties)."""
    user = request.user
    return user if user and user.is_authenticated else None


class IsStudent(BasePermission):
    message = "Only students can do this."

    def has_permission(self, request, view) -> bool:
        user = _user(request)
        return bool(user and user.is_student)


class IsAdmin(BasePermission):
    message = "Only administrators can do this."

    def has_permission(self, request, view) -> bool:
        user = _user(request)
        return bool(user and user.is_admin)


class IsInstructorOrAdmin(BasePermission):
    message = "Only instructors and administrators can do this."

    def has_permission(self, request, view) -> bool:
        user = _user(request)
        return bool(user and (user.is_instructor or user.is_admin))

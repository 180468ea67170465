"""Role and ownership permission classes shared by every app.

Roles live on ``accounts.User.role``. Suspended users never reach these checks: the authentication
classes refuse them first (403 ``account_suspended``).
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission


def _user(request):
    """The signed-in user, or None (role checks go through the ``User.is_<role>`` properties)."""
    user = request.user
    return user if user and user.is_authenticated else None


class IsStudent(BasePermission):
    message = "Only students can do this."

    def has_permission(self, request, view) -> bool:
        user = _user(request)
        return bool(user and user.is_student)


class IsInstructor(BasePermission):
    message = "Only instructors can do this."

    def has_permission(self, request, view) -> bool:
        user = _user(request)
        return bool(user and user.is_instructor)


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


class IsOwnerOrAdmin(BasePermission):
    """Object access for its owner or an admin.

    The owner is found through ``view.owner_field`` (a dotted attribute path, default ``user``),
    e.g. ``"course.instructor"`` for a module.
    """

    message = "You do not have permission to act on this object."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.user.is_admin:
            return True
        owner = obj
        for part in getattr(view, "owner_field", "user").split("."):
            owner = getattr(owner, part, None)
        return owner is not None and getattr(owner, "pk", None) == request.user.pk


class ReadOnly(BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS

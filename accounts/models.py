"""Users: identity, role, onboarding profile and suspension.

Email is the login and is unique ignoring case (a database constraint). ``is_staff`` and
``is_superuser`` follow ``role``: only admins enter the Django admin site, so "staff" means role admin
(the accounts that must have two-factor authentication when ``STAFF_MFA_REQUIRED`` is on).
"""

from __future__ import annotations

import uuid

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models, router
from django.db.models import Q
from django.db.models.functions import Upper
from django.db.models.query import MAX_GET_RESULTS
from django.utils import timezone

from common.models import UUIDModel
from common.precompiled import PrecompiledQuery, get_one


class UserQuerySet(models.QuerySet):
    def course_owners(self) -> UserQuerySet:
        """People who may own a course: instructors and admins."""
        return self.filter(role__in=User.COURSE_OWNER_ROLES)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("role", User.Role.STUDENT)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["role"] = User.Role.ADMIN
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)

    def get(self, *args, **kwargs):
        """``QuerySet.get()``; ``get(pk=...)`` on the real model from SQL compiled once (``common.precompiled``).

        Django's ``ModelBackend.get_user`` loads the signed-in user this way on every authenticated request (the
        session and the JWT's session alike); the statement and the instance are the ORM's own.
        """
        if self.model is User and not args and len(kwargs) == 1:
            ((name, value),) = kwargs.items()
            if name in ("pk", "id") and isinstance(value, (str, uuid.UUID)):
                using = self._db or router.db_for_read(self.model, **self._hints)
                return get_one(USER_BY_PK.instances(value, using=using), User)
        return super().get(*args, **kwargs)


class User(UUIDModel, AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        STUDENT = "student", "Student"
        INSTRUCTOR = "instructor", "Instructor"
        ADMIN = "admin", "Admin"

    COURSE_OWNER_ROLES = (Role.INSTRUCTOR, Role.ADMIN)

    email = models.EmailField(max_length=254)
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STUDENT)
    domain = models.ForeignKey("catalog.Domain", null=True, blank=True, on_delete=models.SET_NULL, related_name="users")
    branch = models.CharField(max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    is_suspended = models.BooleanField(default=False)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.TextField(blank=True)
    onboarding_completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Upper() matches the SQL Django emits for email__iexact, so this index serves logins too.
            models.UniqueConstraint(Upper("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=Q(role="admin", is_staff=True) | (~Q(role="admin") & Q(is_staff=False)),
                name="accounts_user_staff_matches_role",
            ),
        ]
        indexes = [
            models.Index(fields=["role", "-created_at"], name="accounts_user_role_created"),
            # Sign-ups per day (admin dashboard) and the users report filter on created_at alone.
            models.Index(fields=["created_at"], name="accounts_user_created"),
            models.Index(fields=["is_suspended"], name="accounts_user_suspended", condition=Q(is_suspended=True)),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        # Staff flags always follow the role; change roles through accounts.services.user_change_role.
        self.is_staff = self.is_superuser = self.role == self.Role.ADMIN
        self.email = self.email.strip()
        super().save(*args, **kwargs)

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_instructor(self) -> bool:
        return self.role == self.Role.INSTRUCTOR

    @property
    def is_student(self) -> bool:
        return self.role == self.Role.STUDENT

    @property
    def onboarding_required(self) -> bool:
        # Onboarding (domain, branch, year of study) is for learners: staff are never held there.
        return self.is_student and self.onboarding_completed_at is None

    @property
    def has_totp(self) -> bool:
        """An authenticator app is enrolled (allauth.mfa); recovery codes alone never count."""
        return is_mfa_enabled(self, [Authenticator.Type.TOTP])

    @property
    def mfa_enrolment_required(self) -> bool:
        """An admin who must enrol TOTP before using the admin site or the API (``STAFF_MFA_REQUIRED``)."""
        return settings.STAFF_MFA_REQUIRED and self.is_admin and not self.has_totp

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class SpentRefreshToken(models.Model):
    """A refresh token of the app client that was exchanged once (rotation): presented again, it is a replay.

    One row per spent token, keyed by the token's ``jti``: inserting it is the atomic "spend", so of concurrent
    refreshes with one token exactly one inserts and wins. The row is useless once the token itself expires.
    """

    jti = models.UUIDField(primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # The Django session the token belongs to: every token rotated from one sign-in shares it.
    session_key = models.CharField(max_length=40)
    spent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return str(self.jti)


# ``User.objects.get(pk=...)``'s SQL (see ``UserManager.get``).
USER_BY_PK = PrecompiledQuery(
    lambda pk: User.objects.filter(pk=pk).order_by()[:MAX_GET_RESULTS],
    placeholder=uuid.UUID(int=0),
    field=User._meta.pk,
)

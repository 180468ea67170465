"""Writes on users: onboarding, profile, role changes and suspension (staff actions are audited); sign-in
sessions: spending a refresh token once, ending a session."""

from __future__ import annotations

import datetime
import uuid
from importlib import import_module

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import AccountsErrorCode
from accounts.models import SpentRefreshToken, User
from accounts.signals import user_suspended
from accounts.validators import display_name_clean
from audit.services import audit_record
from catalog.models import Domain
from common.exceptions import ApplicationError, ConflictError, ForbiddenError
from common.services import model_update

# The only fields a user may set on themselves; role, email, staff and suspension never pass through here.
PROFILE_FIELDS = ("full_name", "domain", "branch", "year")


def _locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _display_name(full_name: str) -> str:
    # The serializers already clean it; callers that are not views (seed, shell, admin) get the same rules.
    try:
        return display_name_clean(full_name)
    except ValidationError as exc:
        raise ApplicationError(
            "The name is not valid.", code=exc.error_list[0].code, errors={"full_name": exc.messages}
        ) from exc


@transaction.atomic
def user_onboarding_complete(*, user: User, full_name: str, domain: Domain, branch: str, year: int) -> User:
    locked = _locked(user)
    if not locked.is_student:
        raise ForbiddenError(
            "Onboarding is for learners; instructors and admins need none (set your name with PATCH /api/auth/me/).",
            code=AccountsErrorCode.ONBOARDING_NOT_FOR_STAFF,
        )
    locked.full_name = _display_name(full_name)
    locked.domain = domain
    locked.branch = branch
    locked.year = year
    # A repeated onboarding updates the profile but keeps the first completion time.
    locked.onboarding_completed_at = locked.onboarding_completed_at or timezone.now()
    locked.save(update_fields=[*PROFILE_FIELDS, "onboarding_completed_at"])
    return locked


@transaction.atomic
def user_profile_update(*, user: User, **changes) -> User:
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    if "full_name" in changes:
        changes["full_name"] = _display_name(changes["full_name"])
    locked, _ = model_update(instance=_locked(user), fields=PROFILE_FIELDS, data=changes)
    return locked


@transaction.atomic
def user_change_role(*, actor: User, user: User, role: str) -> User:
    if role not in User.Role.values:
        raise ValueError(f"Unknown role {role!r}")
    if actor.pk == user.pk and role != User.Role.ADMIN:
        raise ForbiddenError("You cannot remove your own administrator role.", code=AccountsErrorCode.SELF_DEMOTE)
    locked = _locked(user)
    previous = locked.role
    if previous != role:
        locked.role = role
        # save() keeps is_staff/is_superuser in step with the role (and the check constraint enforces it).
        locked.save(update_fields=["role", "is_staff", "is_superuser"])
        audit_record(actor=actor, action="user.role_change", target=locked, details={"from": previous, "to": role})
    return locked


@transaction.atomic
def user_suspend(*, actor: User, user: User, reason: str) -> User:
    if actor.pk == user.pk:
        raise ForbiddenError("You cannot suspend your own account.", code=AccountsErrorCode.SELF_SUSPEND)
    locked = _locked(user)
    if locked.is_suspended:
        raise ConflictError("This account is already suspended.", code=AccountsErrorCode.ALREADY_SUSPENDED)
    locked.is_suspended = True
    locked.suspended_at = timezone.now()
    locked.suspension_reason = reason
    locked.save(update_fields=["is_suspended", "suspended_at", "suspension_reason"])
    audit_record(actor=actor, action="user.suspend", target=locked, details={"reason": reason})
    user_suspended.send(sender=User, user=locked, actor=actor, reason=reason, suspended_at=locked.suspended_at)
    return locked


@transaction.atomic
def user_unsuspend(*, actor: User, user: User) -> User:
    locked = _locked(user)
    if not locked.is_suspended:
        raise ConflictError("This account is not suspended.", code=AccountsErrorCode.NOT_SUSPENDED)
    previous_reason = locked.suspension_reason
    locked.is_suspended = False
    locked.suspended_at = None
    locked.suspension_reason = ""
    # Sessions and tokens were never revoked, so access comes back without a new password.
    locked.save(update_fields=["is_suspended", "suspended_at", "suspension_reason"])
    audit_record(actor=actor, action="user.unsuspend", target=locked, details={"previous_reason": previous_reason})
    return locked


def refresh_token_spend(*, jti: uuid.UUID, user: User, session_key: str, expires_at: datetime.datetime) -> bool:
    """Record that a refresh token was exchanged; False if it already was (it is being replayed).

    The primary key makes this the one atomic step of a rotation: of concurrent spends of one token, one
    inserts and the others wait for its transaction, then fail (PostgreSQL) or run after it (SQLite).
    """
    try:
        with transaction.atomic():
            SpentRefreshToken.objects.create(jti=jti, user=user, session_key=session_key, expires_at=expires_at)
    except IntegrityError:
        return False
    return True


def refresh_token_is_spent(*, jti: uuid.UUID) -> bool:
    return SpentRefreshToken.objects.filter(pk=jti).exists()


def session_end(*, session_key: str) -> None:
    """End one sign-in: its Django session, and with it every access and refresh token minted for it."""
    for user_session in UserSession.objects.filter(session_key=session_key):
        user_session.end()
    import_module(settings.SESSION_ENGINE).SessionStore().delete(session_key)


def spent_refresh_tokens_prune(*, now: datetime.datetime | None = None) -> int:
    """Forget spent refresh tokens that have expired anyway (an expired token is refused on its own)."""
    deleted, _ = SpentRefreshToken.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


@transaction.atomic
def user_mfa_reset(*, actor: User, user: User) -> int:
    """Remove ``user``'s second factors (a lost phone and lost recovery codes); audited. Returns how many."""
    authenticators = Authenticator.objects.filter(user=user)
    types = sorted(authenticators.values_list("type", flat=True))
    deleted, _ = authenticators.delete()
    if deleted:
        audit_record(actor=actor, action="user.mfa_reset", target=user, details={"removed": types})
    return deleted

"""allauth adapters: who may sign in, what a new user looks like, where the browser lands.

- Suspended accounts are refused at every login (password, Google, after email verification...):
  every allauth login funnels through ``AccountAdapter.pre_login``.
- A first Google login creates a ``student`` with Google's name and (verified) email; a verified
  Google email that matches an existing account logs into that account (allauth's email
  authentication, which also wipes the password of an account whose email was never verified).
- In the browser redirect flow, a user who has not completed onboarding lands on
  ``FRONTEND_URL/auth/onboarding`` instead of the callback URL the frontend asked for.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.httpkit import add_query_params, get_frontend_url, is_headless_request
from allauth.headless.adapter import DefaultHeadlessAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse

from accounts import errors
from accounts.models import User

SUSPENDED_MESSAGE = "This account is suspended."


def suspended_response(request: HttpRequest | None = None) -> JsonResponse:
    """403 for allauth endpoints: the project's ``{detail, code}`` plus allauth's ``status``/``errors``."""
    return JsonResponse(
        {
            "status": 403,
            "detail": SUSPENDED_MESSAGE,
            "code": errors.ACCOUNT_SUSPENDED,
            "errors": [{"message": SUSPENDED_MESSAGE, "code": errors.ACCOUNT_SUSPENDED}],
        },
        status=403,
    )


def onboarding_url(next_url: str | None = None) -> str:
    url = f"{settings.FRONTEND_URL}/auth/onboarding"
    return add_query_params(url, {"next": next_url}) if next_url else url


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return settings.ACCOUNTS_PASSWORD_LOGIN_ENABLED

    def new_user(self, request: HttpRequest) -> User:
        user = super().new_user(request)
        user.role = User.Role.STUDENT
        return user

    def pre_login(self, request: HttpRequest, user, **kwargs: Any):
        if getattr(user, "is_suspended", False):
            clear_login(request)
            if is_headless_request(request):
                raise ImmediateHttpResponse(suspended_response(request))
            # The Google callback is a browser navigation: send it back to the frontend with an error.
            url = get_frontend_url(request, "socialaccount_login_error") or settings.FRONTEND_URL
            raise ImmediateHttpResponse(
                HttpResponseRedirect(
                    add_query_params(url, {"error": errors.ACCOUNT_SUSPENDED, "error_process": "login"})
                )
            )
        return super().pre_login(request, user, **kwargs)

    def is_safe_url(self, url: str) -> bool:
        # The SPA lives on FRONTEND_URL, usually another origin than the API.
        if url and url.startswith(f"{settings.FRONTEND_URL}/"):
            return True
        return super().is_safe_url(url)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        return True

    def populate_user(self, request: HttpRequest, sociallogin, data: dict[str, Any]) -> User:
        user = super().populate_user(request, sociallogin, data)
        extra = sociallogin.account.extra_data or {}
        full_name = extra.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.full_name = (full_name or "").strip()[: User._meta.get_field("full_name").max_length]
        user.role = User.Role.STUDENT
        return user

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        # sociallogin.lookup() has run: the user is known if the Google account or its email is.
        state = sociallogin.state or {}
        if state.get("process") != "login" or not state.get("next"):
            return  # the token flow has no redirect; the app reads onboarding_required from /api/auth/me/
        user = sociallogin.user
        needs_onboarding = not sociallogin.is_existing or (user is not None and user.onboarding_required)
        if needs_onboarding:
            state["next"] = onboarding_url(state["next"])


class HeadlessAdapter(DefaultHeadlessAdapter):
    def serialize_user(self, user) -> dict[str, Any]:
        data = super().serialize_user(user)
        data.update(
            {
                "full_name": user.full_name,
                "role": user.role,
                "onboarding_required": user.onboarding_required,
                # An admin who must enrol an authenticator app before the API and the admin site accept them.
                "mfa_enrolment_required": user.mfa_enrolment_required,
            }
        )
        return data

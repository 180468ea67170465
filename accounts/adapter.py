"""allauth adapters: who may sign in, what a new user looks like, where the browser lands.

- Suspended accounts are refused at every login (password, Google, after email verification...):
  every allauth login funnels through ``AccountAdapter.pre_login``.
- A first Google login creates a ``student`` with Google's name and (verified) email; a verified
  Google email that matches an existing account logs into that account (allauth's email
  authentication, which also wipes the password of an account whose email was never verified).
- In the browser redirect flow, a user who has not completed onboarding lands on
  ``FRONTEND_URL/auth/onboarding`` instead of the callback URL the frontend asked for.
- Account mails name the academy (``ACADEMY_NAME``) and point at ``FRONTEND_URL``, not at the host the
  request happened to reach (allauth's default without the Sites framework).
- A password change through the app client answers with fresh tokens for the caller's sign-in (it moved to
  a new session key, which ends every token of the old one); every other sign-in of the user stays ended.
- A sign-up that loses the race for its address to a concurrent one is answered as allauth answers a taken
  address (with mandatory verification: exactly like a new address, plus the "you already have an account"
  mail), never with a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal import flows
from allauth.account.internal.stagekit import clear_login
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.httpkit import add_query_params, get_frontend_url, is_headless_request
from allauth.headless import app_settings as headless_settings
from allauth.headless.adapter import DefaultHeadlessAdapter
from allauth.headless.base.response import AuthenticationResponse
from allauth.headless.constants import Client
from allauth.headless.internal.restkit.response import ErrorResponse
from allauth.headless.tokens.strategies.jwt import internal as jwt_internal
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse

from accounts.models import User
from accounts.validators import display_name_sanitize
from common.errors import CommonErrorCode

SUSPENDED_MESSAGE = "This account is suspended."


def suspended_response(request: HttpRequest | None = None) -> JsonResponse:
    """403 for allauth endpoints: the project's ``{detail, code}`` plus allauth's ``status``/``errors``."""
    return JsonResponse(
        {
            "status": 403,
            "detail": SUSPENDED_MESSAGE,
            "code": CommonErrorCode.ACCOUNT_SUSPENDED,
            "errors": [{"message": SUSPENDED_MESSAGE, "code": CommonErrorCode.ACCOUNT_SUSPENDED}],
        },
        status=403,
    )


def onboarding_url(next_url: str | None = None) -> str:
    url = f"{settings.FRONTEND_URL}/auth/onboarding"
    return add_query_params(url, {"next": next_url}) if next_url else url


def _taken_address_response(request: HttpRequest, form) -> HttpResponse:
    """What allauth answers a sign-up with an address that already has an account."""
    email = form.cleaned_data.get("email")
    try:
        # Raises when taken addresses are answered openly (verification not mandatory: nothing to hide).
        flows.manage_email.email_already_exists(email)
    except ValidationError as exc:
        form.add_error("email", exc)
        return ErrorResponse(request, input=form)
    return AuthenticationResponse.from_response(request, flows.signup.prevent_enumeration(request, email=email))


# Set by accounts.tokens.AccountTokenStrategy.lookup_session: the session key the app client's token
# (access token or X-Session-Token) named when the request began.
TOKEN_SESSION_KEY_ATTR = "_accounts_token_session_key"  # noqa: S105 - an attribute name


def reissue_tokens_if_session_cycled(request: HttpRequest, meta: dict[str, Any]) -> None:
    """Give the app client fresh tokens when this request moved its own sign-in to a new session key.

    A password change (or set) cycles the session key (Django's ``update_session_auth_hash``), which kills
    every token naming the old key and, through the session hash, every other session of the user. The
    caller stays signed in under the new key, so it gets a new access and refresh token for it; the other
    sign-ins stay ended.
    """
    if "access_token" in meta or getattr(request.allauth.headless, "client", None) != Client.APP:
        return
    started_with = getattr(request, TOKEN_SESSION_KEY_ATTR, None)
    if not started_with or not request.user.is_authenticated or request.session.session_key == started_with:
        return
    jwt_internal.get_refresh_token_state(request.session).clear()  # tokens of the old key are dead anyway
    request.session.modified = True
    payload = headless_settings.TOKEN_STRATEGY.create_access_token_payload(request)
    if payload:
        meta.update(payload)


@dataclass(frozen=True)
class AcademySite:
    """What allauth's mail templates call ``current_site``: ``name`` and ``domain`` (here the frontend's URL,
    which the templates print as the place to go)."""

    name: str
    domain: str


def academy_site() -> AcademySite:
    return AcademySite(name=settings.ACADEMY_NAME, domain=settings.FRONTEND_URL)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        super().send_mail(template_prefix, email, {**context, "current_site": academy_site()})

    def format_email_subject(self, subject: str) -> str:
        if account_settings.EMAIL_SUBJECT_PREFIX is None:  # allauth would prefix the request's host
            return f"[{settings.ACADEMY_NAME}] {subject}"
        return super().format_email_subject(subject)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return settings.ACCOUNTS_PASSWORD_LOGIN_ENABLED

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        if not commit:
            return super().save_user(request, user, form, commit=False)
        try:
            with transaction.atomic():
                return super().save_user(request, user, form, commit=True)
        except IntegrityError:
            # The form checked the address was free, but a concurrent sign-up took it since (the address is
            # unique ignoring case in the database): answer as for any taken address.
            email = form.cleaned_data.get("email") or ""
            if not is_headless_request(request) or not User.objects.filter(email__iexact=email).exists():
                raise
            raise ImmediateHttpResponse(_taken_address_response(request, form)) from None

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
                    add_query_params(url, {"error": CommonErrorCode.ACCOUNT_SUSPENDED, "error_process": "login"})
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
        # Sanitised, never refused: what Google holds must not make signing in fail.
        user.full_name = display_name_sanitize(full_name or "")
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
    def populate_response_meta(self, request: HttpRequest, meta: dict[str, Any]) -> None:
        super().populate_response_meta(request, meta)
        reissue_tokens_if_session_cycled(request, meta)

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

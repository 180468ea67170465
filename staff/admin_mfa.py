"""Two-factor authentication on the admin site, on allauth.mfa's own forms and flows.

- Sign-in: an admin with an authenticator app is not signed in by the password form. The verified
  account is parked in the session and the second-factor page asks for a TOTP or recovery code
  (``allauth.mfa.base.forms.AuthenticateForm``: allauth checks the code, spends a recovery code, records
  the use); only then is the session signed in. No session exists on the strength of the password alone,
  so neither the headless API nor the REST API ever sees one.
- Enrolment: with ``STAFF_MFA_REQUIRED`` on, an admin without TOTP is sent to the set-up page from every
  other admin page (sign-out excepted). The page asks for the password again (allauth's re-authentication
  record, which its TOTP flow insists on) and a code from the app (``ActivateTOTPForm`` and allauth's
  ``activate_totp`` flow, which also creates the recovery codes), then shows the recovery codes.
- Code attempts (and the set-up page's password-and-code attempts) count against the same per-account and
  per-IP limits as the headless API (``accounts.mfa.mfa_code_attempt_count``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.reauthentication import reauthenticate_by_password
from allauth.core.exceptions import ReauthenticationRequired
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal.flows import activate_totp
from django import forms
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.mfa import mfa_code_attempt_count
from common.exceptions import RateLimitedError

if TYPE_CHECKING:
    from staff.admin_site import StaffAdminSite

PENDING_SESSION_KEY = "staff.admin_mfa_pending"


class StaffLoginView(LoginView):
    """The admin's password step: an admin with an authenticator app goes on to the second-factor page."""

    admin_site: StaffAdminSite | None = None

    def get_default_redirect_url(self) -> str:
        return reverse("admin:index", current_app=self.admin_site.name)

    def form_valid(self, form) -> HttpResponse:
        user = form.get_user()
        if not user.has_totp:
            return super().form_valid(form)
        self.request.session[PENDING_SESSION_KEY] = {
            "user": str(user.pk),
            "backend": user.backend,
            "next": self.get_success_url(),
            "at": time.time(),
        }
        return HttpResponseRedirect(reverse("admin:mfa_authenticate", current_app=self.admin_site.name))


def _pending_user(request: HttpRequest):
    """The admin who passed the password step and owes a code, within allauth's sign-in time limit."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > account_settings.LOGIN_TIMEOUT:
        request.session.pop(PENDING_SESSION_KEY, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True, is_suspended=False).first()
    return user, pending


def mfa_authenticate(site: StaffAdminSite, request: HttpRequest) -> HttpResponse:
    user, pending = _pending_user(request)
    if user is None:
        return HttpResponseRedirect(reverse("admin:login", current_app=site.name))
    form = AuthenticateForm(user=user, data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            mfa_code_attempt_count(request, user_pk=user.pk)
        except RateLimitedError as exc:
            response = _render(site, request, "admin/mfa_authenticate.html", {"form": form, "limited": True}, 429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        if form.is_valid():
            form.save()  # allauth: records the authenticator's use (a recovery code is spent)
            del request.session[PENDING_SESSION_KEY]
            auth_login(request, user, backend=pending["backend"])
            return HttpResponseRedirect(pending["next"])
    return _render(site, request, "admin/mfa_authenticate.html", {"form": form})


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(label="Your password", strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("The password is not correct.", code="incorrect_password")
        return password


def mfa_setup(site: StaffAdminSite, request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.has_totp:
        return _render(site, request, "admin/mfa_setup.html", {"enrolled": True})
    data = request.POST if request.method == "POST" else None
    password_form = ConfirmPasswordForm(data, user=user)
    totp_form = ActivateTOTPForm(data, user=user)  # keeps the offered secret in the session until activated
    if data is not None:
        # The password is checked here too: a borrowed session must not get unlimited guesses at it.
        try:
            mfa_code_attempt_count(request, user_pk=user.pk)
        except RateLimitedError as exc:
            response = _render(site, request, "admin/mfa_setup.html", {"limited": True}, 429)
            response["Retry-After"] = str(exc.retry_after)
            return response
    if data is not None and password_form.is_valid() and totp_form.is_valid():
        reauthenticate_by_password(request)
        try:
            activate_totp(request, totp_form)
        except ReauthenticationRequired:  # cannot happen right after re-authenticating; never enrol silently
            totp_form.add_error(None, "Confirm your password again.")
        else:
            codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
            context = {"recovery_codes": codes.wrap().get_unused_codes(), "next": _next_url(request)}
            return _render(site, request, "admin/mfa_recovery_codes.html", context)
    adapter = get_mfa_adapter()
    totp_url = adapter.build_totp_url(user, totp_form.secret)
    context = {
        "password_form": password_form,
        "totp_form": totp_form,
        "secret": totp_form.secret,
        "totp_url": totp_url,
        "qr_svg": adapter.build_totp_svg(totp_url),
        "next": _next_url(request),
    }
    return _render(site, request, "admin/mfa_setup.html", context)


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return reverse("admin:index")


def _render(site: StaffAdminSite, request: HttpRequest, template: str, context: dict, status: int = 200):
    request.current_app = site.name
    full_context = {**site.each_context(request), "title": "Two-factor authentication", **context}
    return TemplateResponse(request, template, full_context, status=status)

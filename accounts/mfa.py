"""Two-factor authentication (allauth.mfa): the limit on guessing second-factor codes, and the secrets
encrypted at rest (at the end of this module).

allauth.mfa checks TOTP and recovery codes itself, but its attempt limit rides on
``ACCOUNT_RATE_LIMITS["login_failed"]``, which this project replaces with its own limits. Code attempts
are limited per IP and per account (``ACCOUNTS_RATE_LIMITS["mfa_code"]``), one budget for:

- the headless API: ``POST /_allauth/{browser,app}/v1/auth/2fa/authenticate`` (the pending sign-in) and
  ``.../auth/2fa/reauthenticate``, guarded by ``accounts.middleware.AuthGuardMiddleware``;
- the admin site's second-factor pages (``staff.admin_mfa``), through ``mfa_code_attempt_count``.

Every attempt counts, right or wrong: counting before the code is checked is what stops a burst of
parallel guesses, and a person typing codes never comes near the per-account budget.
"""

from __future__ import annotations

import base64

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from accounts.middleware import limit_attempt


def mfa_code_attempt_count(request: HttpRequest, *, user_pk: object | None) -> None:
    """Count one second-factor code attempt; ``RateLimitedError`` once the IP or the account is over its rate."""
    limit_attempt(request, group="mfa_code", account=f"user:{user_pk}" if user_pk is not None else None)


# --- Second-factor secrets at rest -----------------------------------------------------------------
#
# allauth.mfa keeps each TOTP secret and recovery-code seed in ``Authenticator.data`` and passes them through
# its adapter's ``encrypt``/``decrypt`` hooks, which store them in the clear by default. Here they are Fernet
# tokens (AES-128-CBC + HMAC-SHA256, from ``cryptography``): a copy of the database or a backup alone no longer
# yields anyone's second factor. Keys are derived (HKDF-SHA256) from ``MFA_ENCRYPTION_KEYS`` when set, then
# from ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS``: the first key encrypts, every key decrypts, so either secret
# can be rotated by moving the old value to the end of its list and running ``manage.py mfa_secrets_rotate``.

ENCRYPTED_PREFIX = "fernet:"
# Where allauth keeps secrets in Authenticator.data, per type: single values and lists of values.
SECRET_FIELDS = {"totp": ("secret",), "recovery_codes": ("seed",)}
SECRET_LIST_FIELDS = {"recovery_codes": ("migrated_codes",)}


def _fernet_key(secret: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"dca.mfa.secrets.v1").derive(secret.encode())
    return base64.urlsafe_b64encode(derived)


def _keys() -> list[str]:
    keys = [*settings.MFA_ENCRYPTION_KEYS, settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return list(dict.fromkeys(key for key in keys if key))


def secret_box() -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in _keys()])


def secret_encrypt(text: str) -> str:
    return ENCRYPTED_PREFIX + secret_box().encrypt(text.encode()).decode()


def secret_decrypt(stored: str) -> str:
    """The secret in clear. A value stored before encryption was introduced is returned as it is."""
    if not stored.startswith(ENCRYPTED_PREFIX):
        return stored
    try:
        return secret_box().decrypt(stored.removeprefix(ENCRYPTED_PREFIX).encode()).decode()
    except InvalidToken as exc:
        # Never fall back to an empty secret (any code would then be checked against a known key).
        raise ImproperlyConfigured(
            "A second-factor secret cannot be decrypted: the key it was encrypted with is no longer in "
            "MFA_ENCRYPTION_KEYS, SECRET_KEY or SECRET_KEY_FALLBACKS."
        ) from exc


def authenticator_data_encrypted(*, kind: str, data: dict, rotate: bool = False) -> dict:
    """``data`` with every secret encrypted under the first key (plain ones encrypted; with ``rotate``,
    encrypted ones re-encrypted). Idempotent without ``rotate``."""

    def seal(value: str) -> str:
        if value.startswith(ENCRYPTED_PREFIX):
            if not rotate:
                return value
            value = secret_decrypt(value)
        return secret_encrypt(value)

    sealed = dict(data)
    for field in SECRET_FIELDS.get(kind, ()):
        if isinstance(sealed.get(field), str):
            sealed[field] = seal(sealed[field])
    for field in SECRET_LIST_FIELDS.get(kind, ()):
        if isinstance(sealed.get(field), list):
            sealed[field] = [seal(value) for value in sealed[field]]
    return sealed


def authenticator_data_decrypted(*, kind: str, data: dict) -> dict:
    """``data`` with every secret in clear (what allauth stored before encryption): the migration's reverse."""
    opened = dict(data)
    for field in SECRET_FIELDS.get(kind, ()):
        if isinstance(opened.get(field), str):
            opened[field] = secret_decrypt(opened[field])
    for field in SECRET_LIST_FIELDS.get(kind, ()):
        if isinstance(opened.get(field), list):
            opened[field] = [secret_decrypt(value) for value in opened[field]]
    return opened


def authenticators_encrypt(authenticator_model, *, rotate: bool = False, decrypt: bool = False) -> int:
    """Encrypt (or re-encrypt, or with ``decrypt`` store in clear again) the secrets of every authenticator;
    returns how many rows changed. ``authenticator_model`` is allauth's model or a migration's copy of it."""
    changed = 0
    for authenticator in authenticator_model.objects.filter(type__in=list(SECRET_FIELDS)).iterator():
        if decrypt:
            data = authenticator_data_decrypted(kind=authenticator.type, data=authenticator.data)
        else:
            data = authenticator_data_encrypted(kind=authenticator.type, data=authenticator.data, rotate=rotate)
        if data != authenticator.data:
            authenticator_model.objects.filter(pk=authenticator.pk).update(data=data)
            changed += 1
    return changed


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return secret_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return secret_decrypt(encrypted_text)

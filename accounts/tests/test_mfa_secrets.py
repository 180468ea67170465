"""Second-factor secrets are stored encrypted (accounts.mfa.MFAAdapter), survive key rotation, and the ones
stored in clear before are encrypted by the migration's function."""

from __future__ import annotations

import datetime
import json

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client

from accounts.mfa import ENCRYPTED_PREFIX, authenticators_encrypt, secret_decrypt, secret_encrypt
from accounts.tests.conftest import app_login, app_post, enrol_with_app_client, session_token, totp_code

pytestmark = pytest.mark.django_db

PLAIN_SECRET = "JBSWY3DPEHPK3PXP"  # a well-known example TOTP secret


def test_an_enrolled_authenticator_stores_no_secret_in_clear(clock, app_client, app_tokens, verified_student):
    # Given a learner who enrols an authenticator app and receives recovery codes
    secret = enrol_with_app_client(app_client, app_tokens["access_token"])
    totp = Authenticator.objects.get(user=verified_student, type=Authenticator.Type.TOTP)
    recovery = Authenticator.objects.get(user=verified_student, type=Authenticator.Type.RECOVERY_CODES)

    # Then the stored rows hold Fernet tokens, not the secret or the seed
    assert totp.data["secret"].startswith(ENCRYPTED_PREFIX)
    assert secret not in json.dumps(totp.data)
    assert recovery.data["seed"].startswith(ENCRYPTED_PREFIX)
    assert len(recovery.wrap().get_unused_codes()) == 10

    # And signing in with a code from the app still works (the adapter decrypts)
    clock.shift(datetime.timedelta(seconds=30))
    pending = session_token(app_login(Client(), verified_student.email).json()["meta"]["session_token"])
    done = app_post(Client(), "auth/2fa/authenticate", {"code": totp_code(secret)}, **pending)
    assert done.status_code == 200, done.content


def test_secrets_stored_in_clear_before_are_encrypted_once_and_still_work(clock, verified_student):
    # Given an authenticator stored in clear (as allauth did before this project encrypted secrets)
    totp = Authenticator.objects.create(
        user=verified_student, type=Authenticator.Type.TOTP, data={"secret": PLAIN_SECRET}
    )
    # It is read as it is
    assert secret_decrypt(PLAIN_SECRET) == PLAIN_SECRET

    # When the migration's function runs
    assert authenticators_encrypt(Authenticator) == 1

    # Then the secret is encrypted and decrypts to itself, and a second run changes nothing
    totp.refresh_from_db()
    assert totp.data["secret"].startswith(ENCRYPTED_PREFIX)
    assert secret_decrypt(totp.data["secret"]) == PLAIN_SECRET
    assert authenticators_encrypt(Authenticator) == 0
    # And the sign-in accepts a code of the original secret
    pending = session_token(app_login(Client(), verified_student.email).json()["meta"]["session_token"])
    assert app_post(Client(), "auth/2fa/authenticate", {"code": totp_code(PLAIN_SECRET)}, **pending).status_code == 200

    # And the migration's reverse stores it in clear again
    assert authenticators_encrypt(Authenticator, decrypt=True) == 1
    totp.refresh_from_db()
    assert totp.data == {"secret": PLAIN_SECRET}


def test_migrated_recovery_codes_are_encrypted_too(verified_student):
    recovery = Authenticator.objects.create(
        user=verified_student,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"migrated_codes": ["12345678", "87654321"], "used_mask": 0},
    )

    authenticators_encrypt(Authenticator)

    recovery.refresh_from_db()
    assert all(code.startswith(ENCRYPTED_PREFIX) for code in recovery.data["migrated_codes"])
    assert recovery.wrap().get_unused_codes() == ["12345678", "87654321"]


def test_a_rotated_key_keeps_secrets_readable_and_the_command_moves_them_to_the_new_key(settings, verified_student):
    # Given a secret encrypted under the old key
    settings.MFA_ENCRYPTION_KEYS = ["old-key-" + "o" * 40]
    stored = secret_encrypt(PLAIN_SECRET)
    Authenticator.objects.create(user=verified_student, type=Authenticator.Type.TOTP, data={"secret": stored})

    # When the operator puts a new key first and keeps the old one after it
    settings.MFA_ENCRYPTION_KEYS = ["new-key-" + "n" * 40, "old-key-" + "o" * 40]
    # Then the secret is still readable
    assert secret_decrypt(stored) == PLAIN_SECRET

    # When the rotation command runs and the old key is dropped
    call_command("mfa_secrets_rotate")
    settings.MFA_ENCRYPTION_KEYS = ["new-key-" + "n" * 40]
    # Then the stored secret is readable with the new key alone
    rotated = Authenticator.objects.get(user=verified_student).data["secret"]
    assert rotated != stored
    assert secret_decrypt(rotated) == PLAIN_SECRET
    # While the old token no longer is: a lost key is an operator's error, never an empty (guessable) secret
    with pytest.raises(ImproperlyConfigured):
        secret_decrypt(stored)


def test_rotating_secret_key_keeps_secrets_readable_through_its_fallbacks(settings):
    settings.MFA_ENCRYPTION_KEYS = []
    stored = secret_encrypt(PLAIN_SECRET)
    old_key = settings.SECRET_KEY

    settings.SECRET_KEY = "a-new-secret-key-" + "k" * 50
    settings.SECRET_KEY_FALLBACKS = [old_key]

    assert secret_decrypt(stored) == PLAIN_SECRET

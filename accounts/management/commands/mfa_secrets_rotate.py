"""Re-encrypt every stored second-factor secret under the current first key (after a key rotation)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.mfa import authenticators_encrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt TOTP secrets and recovery-code seeds with the first of MFA_ENCRYPTION_KEYS (else SECRET_KEY); "
        "run after putting a new key first and the old one later in its list, then drop the old key."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            changed = authenticators_encrypt(Authenticator, rotate=True)
        self.stdout.write(f"{changed} authenticator(s) re-encrypted.")

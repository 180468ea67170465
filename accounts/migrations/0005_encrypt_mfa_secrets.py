"""Encrypt the second-factor secrets allauth stored in clear (accounts.mfa.MFAAdapter encrypts new ones)."""

from django.db import migrations

from accounts.mfa import authenticators_encrypt


def encrypt(apps, schema_editor):
    authenticators_encrypt(apps.get_model("mfa", "Authenticator"))


def decrypt(apps, schema_editor):
    authenticators_encrypt(apps.get_model("mfa", "Authenticator"), decrypt=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_spentrefreshtoken"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt, elidable=True)]

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # allauth reaches these through a lazy proxy (allauth.core.internal.deferred) that only imports the
        # first level: once `cryptography.hazmat` is a real module, `...primitives.serialization` is an
        # AttributeError unless something imported it. Without these imports the first JWT login or Google
        # ID-token check in a fresh process is a 500.
        import cryptography.hazmat.backends
        import cryptography.hazmat.primitives.asymmetric.rsa
        import cryptography.hazmat.primitives.ciphers
        import cryptography.hazmat.primitives.serialization
        import cryptography.x509  # noqa: F401

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self) -> None:
        from billing.signals import payment_refunded
        from catalog.signals import course_completed
        from certificates.receivers import (
            certificate_issue_on_course_completed,
            certificate_revoke_on_payment_refunded,
        )

        course_completed.connect(
            certificate_issue_on_course_completed, dispatch_uid="certificates.issue_on_course_completed"
        )
        payment_refunded.connect(
            certificate_revoke_on_payment_refunded, dispatch_uid="certificates.revoke_on_payment_refunded"
        )

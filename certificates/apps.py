from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Certificates"

    def ready(self) -> None:
        from catalog.signals import course_completed
        from certificates.receivers import certificate_issue_on_course_completed

        course_completed.connect(
            certificate_issue_on_course_completed, dispatch_uid="certificates.issue_on_course_completed"
        )

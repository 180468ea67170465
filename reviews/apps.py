from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews and ratings"

    def ready(self) -> None:
        from catalog.signals import enrollment_restored, enrollment_revoked
        from reviews import receivers

        enrollment_revoked.connect(receivers.on_enrollment_revoked, dispatch_uid="reviews.enrollment_revoked")
        enrollment_restored.connect(receivers.on_enrollment_restored, dispatch_uid="reviews.enrollment_restored")

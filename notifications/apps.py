from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from accounts.signals import user_suspended
        from billing.signals import payment_refunded
        from catalog.signals import course_approved, course_rejected, course_submitted
        from certificates.signals import certificate_issued
        from forum.signals import reply_accepted, reply_created
        from notifications import receivers
        from reviews.signals import review_created

        pairs = [
            (course_submitted, receivers.on_course_submitted),
            (course_approved, receivers.on_course_approved),
            (course_rejected, receivers.on_course_rejected),
            (certificate_issued, receivers.on_certificate_issued),
            (reply_created, receivers.on_reply_created),
            (reply_accepted, receivers.on_reply_accepted),
            (payment_refunded, receivers.on_payment_refunded),
            (user_suspended, receivers.on_user_suspended),
            (review_created, receivers.on_review_created),
        ]
        for signal, receiver in pairs:
            signal.connect(receiver, dispatch_uid=f"notifications.{receiver.__name__}")

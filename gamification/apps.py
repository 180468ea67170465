from django.apps import AppConfig


class GamificationConfig(AppConfig):
    name = "gamification"
    verbose_name = "Gamification"

    def ready(self) -> None:
        from assessments.signals import module_quiz_passed
        from billing.signals import payment_refunded
        from catalog.signals import course_completed, lesson_completed
        from forum.signals import post_created, reply_accepted
        from gamification import receivers

        lesson_completed.connect(receivers.on_lesson_completed, dispatch_uid="gamification.lesson_completed")
        module_quiz_passed.connect(receivers.on_module_quiz_passed, dispatch_uid="gamification.module_quiz_passed")
        course_completed.connect(receivers.on_course_completed, dispatch_uid="gamification.course_completed")
        post_created.connect(receivers.on_post_created, dispatch_uid="gamification.post_created")
        reply_accepted.connect(receivers.on_reply_accepted, dispatch_uid="gamification.reply_accepted")
        payment_refunded.connect(receivers.on_payment_refunded, dispatch_uid="gamification.payment_refunded")

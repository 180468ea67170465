from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from assessments import receivers
        from assessments.models import Quiz, QuizAttempt

        post_save.connect(receivers.on_quiz_saved, sender=Quiz, dispatch_uid="assessments.quiz_saved")
        post_delete.connect(receivers.on_quiz_deleted, sender=Quiz, dispatch_uid="assessments.quiz_deleted")
        post_save.connect(receivers.on_attempt_saved, sender=QuizAttempt, dispatch_uid="assessments.attempt_saved")

"""Module quizzes: multiple-choice questions, attempts and per-question results.

A ``Quiz`` row is one question (the product owner's name for it). A ``QuizAttempt`` is one submission
of a module's whole quiz; its ``QuizResult`` rows record each answer as it was judged then, so editing
or deleting a question later never rewrites history.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from assessments.validators import quiz_content_errors
from common.models import TimeStampedModel, UUIDModel


class Quiz(TimeStampedModel):
    module = models.ForeignKey("catalog.Module", on_delete=models.CASCADE, related_name="quizzes")
    question = models.TextField(max_length=2000)
    options = models.JSONField(help_text="2–6 distinct non-empty strings")
    correct_option = models.PositiveSmallIntegerField(help_text="0-based index into options")
    position = models.PositiveIntegerField()
    explanation = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["module", "position"]
        verbose_name = "quiz question"
        constraints = [
            models.UniqueConstraint(fields=["module", "position"], name="assessments_quiz_module_position_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="assessments_quiz_position_positive"),
            models.CheckConstraint(condition=Q(correct_option__lte=5), name="assessments_quiz_correct_option_range"),
        ]

    def __str__(self) -> str:
        return self.question[:80]

    def clean(self) -> None:
        # The admin's forms get the same rules as the API (which validates in assessments.services).
        errors = quiz_content_errors(options=self.options, correct_option=self.correct_option)
        if errors:
            raise ValidationError(errors)


class QuizAttempt(UUIDModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    # PROTECT: learners' attempts outlive any edit of the content; content with learners is never deleted.
    module = models.ForeignKey("catalog.Module", on_delete=models.PROTECT, related_name="quiz_attempts")
    score = models.PositiveIntegerField()
    total = models.PositiveIntegerField()
    percentage = models.DecimalField(max_digits=5, decimal_places=2)
    pass_mark = models.PositiveSmallIntegerField(help_text="The module's pass mark when attempted")
    passed = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__lte=models.F("total")), name="assessments_attempt_score_le_total"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "module", "-created_at"], name="assess_attempt_user_module"),
            models.Index(fields=["user", "module"], name="assess_attempt_user_passed", condition=Q(passed=True)),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.module} {self.score}/{self.total}"


class QuizResult(UUIDModel):
    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="results")
    # Kept when a question is deleted: the attempt's history stays whole.
    quiz = models.ForeignKey(Quiz, null=True, on_delete=models.SET_NULL, related_name="results")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_results")
    question = models.TextField(help_text="The question's text when it was answered")
    # The question's position when answered, so an attempt's results keep their order after a reorder.
    position = models.PositiveIntegerField(default=0)
    selected_option = models.PositiveSmallIntegerField()
    is_correct = models.BooleanField()
    timestamp = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "quiz"], name="assessments_result_attempt_quiz_unique"),
        ]
        indexes = [
            models.Index(fields=["quiz", "is_correct"], name="assess_result_quiz_correct"),
            # Per-question statistics count distinct learners (and correct ones) from the index alone.
            models.Index(fields=["quiz", "user", "is_correct"], name="assess_result_quiz_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {'✓' if self.is_correct else '✗'}"

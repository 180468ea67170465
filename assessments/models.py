"""Module quizzes: multiple-choice questions, attempts and per-question results.

A ``Quiz`` row is one question (the product owner's name for it). A ``QuizAttempt`` is one sitting of
a module's quiz: started (questions drawn and options shuffled, fixed on the row), answers saved, then
submitted or closed at its deadline — or started and submitted in one call (the original API). Its
``QuizResult`` rows record each answer as it was judged then, so editing or deleting a question later
never rewrites history.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from assessments.validators import quiz_content_errors
from common.models import TimeStampedModel, UUIDModel

# What an author writes of a question (the API, the services and the admin share this list).
QUIZ_CONTENT_FIELDS = (
    "type",
    "question",
    "options",
    "correct_option",
    "correct_options",
    "partial_credit",
    "explanation",
)


class Quiz(TimeStampedModel):
    class Type(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        TRUE_FALSE = "true_false", "True or false"

    module = models.ForeignKey("catalog.Module", on_delete=models.CASCADE, related_name="quizzes")
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.SINGLE, db_default=Type.SINGLE)
    question = models.TextField(max_length=2000)
    options = models.JSONField(help_text="2–6 distinct non-empty strings")
    # Single choice and true/false: the one correct index. Multiple choice: the lowest correct index
    # (kept so older readers of this column stay right); ``correct_options`` is the whole set.
    correct_option = models.PositiveSmallIntegerField(help_text="0-based index into options")
    correct_options = models.JSONField(
        default=list, blank=True, help_text="Sorted 0-based indexes of every correct option"
    )
    # Multiple choice only: credit per question is (right picks − wrong picks) / correct options, at least 0.
    partial_credit = models.BooleanField(default=False, db_default=False)
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

    @property
    def answer_indexes(self) -> list[int]:
        """The correct option indexes: the set for multiple choice, else the one ``correct_option``."""
        return sorted(self.correct_options) if self.type == self.Type.MULTIPLE else [self.correct_option]

    def clean(self) -> None:
        # The admin's forms get the same rules as the API (which validates in assessments.services).
        errors = quiz_content_errors(
            options=self.options,
            correct_option=self.correct_option,
            type=self.type,
            correct_options=self.correct_options,
        )
        if errors:
            raise ValidationError(errors)


# An attempt's state and outcome as the API and the admin show it.
ATTEMPT_OUTCOME_FIELDS = (
    "status",
    "score",
    "points",
    "total",
    "percentage",
    "pass_mark",
    "passed",
    "created_at",
    "deadline",
    "submitted_at",
)


class QuizAttempt(UUIDModel):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        EXPIRED = "expired", "Closed at its deadline"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    # PROTECT: learners' attempts outlive any edit of the content; content with learners is never deleted.
    module = models.ForeignKey("catalog.Module", on_delete=models.PROTECT, related_name="quiz_attempts")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_default=Status.SUBMITTED
    )
    # Fixed at start: [{"quiz": id, "order": [stored option index shown at each position]}], in the order shown.
    draw = models.JSONField(default=list, db_default=[], blank=True)
    # Saved during the attempt: {quiz id: [shown positions]}; judged at submit or at the deadline.
    saved_answers = models.JSONField(default=dict, db_default={}, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveIntegerField(default=0, help_text="Questions answered fully right")
    points = models.DecimalField(max_digits=8, decimal_places=3, default=0, help_text="Credit, partial included")
    total = models.PositiveIntegerField()
    percentage = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    pass_mark = models.PositiveSmallIntegerField(help_text="The module's pass mark when attempted")
    passed = models.BooleanField(default=False)
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
            # The expiry sweep finds open attempts past their deadline.
            models.Index(fields=["deadline"], name="assess_attempt_open_deadline", condition=Q(status="in_progress")),
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
    # Stored option indexes (never the shuffled positions). ``selected_option`` is the lowest of them,
    # null when the question was left unanswered (an attempt closed at its deadline).
    selected_option = models.PositiveSmallIntegerField(null=True, blank=True)
    selected_options = models.JSONField(default=list, blank=True)
    # The correct options as judged then, so a later edit of the question never rewrites this review.
    correct_options = models.JSONField(default=list, blank=True)
    credit = models.DecimalField(max_digits=4, decimal_places=3, default=0, help_text="0–1")
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

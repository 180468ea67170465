"""Request and response shapes of assessments.

Answers never reach learners: ``QuizLearnerSerializer`` has no ``correct_option`` and no
``explanation``; only ``QuizStaffSerializer`` (course owner, admins) adds them. A result shows the
question's explanation only when the learner's own answer was the correct one, so it reveals nothing new.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.models import Quiz, QuizAttempt, QuizResult
from assessments.validators import MAX_OPTIONS
from catalog.models import Module
from common.serializers import PrimaryKeyRelatedField


class ModuleQuerySerializer(serializers.Serializer):
    module = serializers.UUIDField(help_text="The module whose questions to list.")


class OptionalModuleQuerySerializer(serializers.Serializer):
    module = serializers.UUIDField(required=False, help_text="Only attempts at this module.")


class QuizLearnerSerializer(serializers.ModelSerializer):
    """What an enrolled learner sees of a question: never the answer."""

    options = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Quiz
        fields = ["id", "module", "position", "question", "options"]
        read_only_fields = fields


class QuizStaffSerializer(serializers.ModelSerializer):
    """What the course owner and admins see: the answer and its explanation too."""

    options = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Quiz
        fields = [
            "id",
            "module",
            "position",
            "question",
            "options",
            "correct_option",
            "explanation",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class QuizCreateSerializer(serializers.Serializer):
    module = PrimaryKeyRelatedField(queryset=Module.objects.select_related("course"))
    question = serializers.CharField(max_length=2000)
    # Shapes only; the content rules (2–6 distinct non-empty options, index in range) are the service's.
    options = serializers.ListField(child=serializers.CharField(allow_blank=True), max_length=MAX_OPTIONS * 4)
    correct_option = serializers.IntegerField(min_value=0, help_text="0-based index into options.")
    explanation = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    position = serializers.IntegerField(
        min_value=1, required=False, help_text="1-based; omitted = at the end. Later questions move down."
    )


class QuizUpdateSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=2000, required=False)
    options = serializers.ListField(
        child=serializers.CharField(allow_blank=True), max_length=MAX_OPTIONS * 4, required=False
    )
    correct_option = serializers.IntegerField(min_value=0, required=False)
    explanation = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=1, required=False, help_text="Move to this 1-based position.")


class QuizReorderSerializer(serializers.Serializer):
    module = PrimaryKeyRelatedField(queryset=Module.objects.select_related("course"))
    order = serializers.ListField(
        child=serializers.UUIDField(), allow_empty=False, help_text="Every question id of the module, in order."
    )


class QuizStatsSerializer(serializers.ModelSerializer):
    attempted_learners = serializers.IntegerField(help_text="Learners who answered this question at least once.")
    correct_learners = serializers.IntegerField(help_text="Learners who answered it correctly at least once.")
    correct_share = serializers.SerializerMethodField(help_text="correct_learners / attempted_learners (0–1).")

    class Meta:
        model = Quiz
        fields = ["id", "position", "question", "attempted_learners", "correct_learners", "correct_share"]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_correct_share(self, quiz: Quiz) -> float | None:
        if not quiz.attempted_learners:
            return None
        return round(quiz.correct_learners / quiz.attempted_learners, 4)


class QuizAnswerSerializer(serializers.Serializer):
    quiz = serializers.UUIDField()
    selected_option = serializers.IntegerField(min_value=0, help_text="0-based index into the question's options.")


class QuizAttemptCreateSerializer(serializers.Serializer):
    # A ListField (not many=True) so list-level errors are reported under "answers" itself.
    answers = serializers.ListField(child=QuizAnswerSerializer(), allow_empty=False, max_length=500)


class QuizResultSerializer(serializers.ModelSerializer):
    explanation = serializers.SerializerMethodField(
        help_text="The question's explanation, only when this answer was correct (it then reveals nothing)."
    )

    class Meta:
        model = QuizResult
        fields = ["quiz", "position", "question", "selected_option", "is_correct", "explanation"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_explanation(self, result: QuizResult) -> str | None:
        quiz = result.quiz
        # Re-checked against the current answer: after an edit, an old "correct" may point elsewhere.
        if not result.is_correct or quiz is None or quiz.correct_option != result.selected_option:
            return None
        return quiz.explanation or None


class QuizAttemptSerializer(serializers.ModelSerializer):
    percentage = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)
    results = QuizResultSerializer(source="ordered_results", many=True)

    class Meta:
        model = QuizAttempt
        fields = ["id", "module", "score", "total", "percentage", "pass_mark", "passed", "created_at", "results"]
        read_only_fields = fields


class QuizAttemptResultSerializer(QuizAttemptSerializer):
    first_pass = serializers.BooleanField(help_text="True only for the learner's first passing attempt.")

    class Meta(QuizAttemptSerializer.Meta):
        fields = [*QuizAttemptSerializer.Meta.fields, "first_pass"]
        read_only_fields = fields

"""Request and response shapes of assessments.

Answers never reach learners: ``QuizLearnerSerializer`` and an attempt's questions have no correct
option and no explanation; only ``QuizStaffSerializer`` (course owner, admins) adds them. An attempt's
results show correctness, the correct options and explanations only when the module's ``reveal`` policy
allows (``selectors.attempt_reveals``); options and selections are given in the order the attempt showed
them, so a shuffled attempt never tells which stored index is correct.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.models import ATTEMPT_OUTCOME_FIELDS, QUIZ_CONTENT_FIELDS, Quiz, QuizAttempt, QuizResult
from assessments.selectors import attempt_reveals
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
        fields = ["id", "module", "position", "type", "question", "options"]
        read_only_fields = fields


class QuizStaffSerializer(serializers.ModelSerializer):
    """What the course owner and admins see: the answer and its explanation too."""

    options = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Quiz
        fields = ["id", "module", "position", *QUIZ_CONTENT_FIELDS, "created_at", "updated_at"]
        read_only_fields = fields


class QuizUpdateSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=Quiz.Type.choices, required=False)
    question = serializers.CharField(max_length=2000, required=False)
    # Shapes only; the content rules (2–6 distinct non-empty options, indexes in range) are the service's.
    options = serializers.ListField(
        child=serializers.CharField(allow_blank=True), max_length=MAX_OPTIONS * 4, required=False
    )
    correct_option = serializers.IntegerField(
        min_value=0, required=False, help_text="Single choice and true/false: the 0-based index of the answer."
    )
    correct_options = serializers.ListField(
        child=serializers.IntegerField(min_value=0),
        max_length=MAX_OPTIONS * 4,
        required=False,
        help_text="Multiple choice: the 0-based indexes of every correct option.",
    )
    partial_credit = serializers.BooleanField(
        required=False, help_text="Multiple choice: (right − wrong picks) / correct options instead of all-or-nothing."
    )
    explanation = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=1, required=False, help_text="Move to this 1-based position.")


class QuizCreateSerializer(QuizUpdateSerializer):
    module = PrimaryKeyRelatedField(queryset=Module.objects.select_related("course"))
    question = serializers.CharField(max_length=2000)
    options = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        max_length=MAX_OPTIONS * 4,
        required=False,
        help_text="Omitted for true/false: then True, False.",
    )
    explanation = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    position = serializers.IntegerField(
        min_value=1, required=False, help_text="1-based; omitted = at the end. Later questions move down."
    )


class QuizReorderSerializer(serializers.Serializer):
    module = PrimaryKeyRelatedField(queryset=Module.objects.select_related("course"))
    order = serializers.ListField(
        child=serializers.UUIDField(), allow_empty=False, help_text="Every question id of the module, in order."
    )


class QuizStatsSerializer(serializers.ModelSerializer):
    attempted_learners = serializers.IntegerField(help_text="Learners who answered this question at least once.")
    correct_learners = serializers.IntegerField(help_text="Learners who answered it correctly at least once.")
    correct_share = serializers.SerializerMethodField(help_text="correct_learners / attempted_learners (0–1).")

    difficulty = serializers.FloatField(
        allow_null=True, help_text="Share of all judged answers that were right (0–1); null before any answer."
    )
    discrimination = serializers.FloatField(
        allow_null=True,
        help_text="Share right in the best 27% of attempts minus in the worst 27% (−1 to 1); low or negative "
        "values flag a question that does not separate strong from weak learners.",
    )

    class Meta:
        model = Quiz
        fields = [
            "id",
            "position",
            "question",
            "attempted_learners",
            "correct_learners",
            "correct_share",
            "difficulty",
            "discrimination",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_correct_share(self, quiz: Quiz) -> float | None:
        if not quiz.attempted_learners:
            return None
        return round(quiz.correct_learners / quiz.attempted_learners, 4)


class QuizAnswerSerializer(serializers.Serializer):
    quiz = serializers.UUIDField()
    selected_option = serializers.IntegerField(
        min_value=0, required=False, help_text="0-based index into the question's options."
    )
    selected_options = serializers.ListField(
        child=serializers.IntegerField(min_value=0),
        max_length=MAX_OPTIONS,
        required=False,
        help_text="Multiple choice: every selected index (instead of selected_option).",
    )

    def validate(self, attrs):
        if "selected_option" not in attrs and "selected_options" not in attrs:
            raise serializers.ValidationError({"selected_option": ["This field is required."]})
        return attrs


class QuizAttemptCreateSerializer(serializers.Serializer):
    # A ListField (not many=True) so list-level errors are reported under "answers" itself.
    answers = serializers.ListField(child=QuizAnswerSerializer(), allow_empty=False, max_length=500)


class SavedAnswerSerializer(serializers.Serializer):
    quiz = serializers.UUIDField()
    selected_options = serializers.ListField(
        child=serializers.IntegerField(min_value=0),
        max_length=MAX_OPTIONS,
        help_text="Positions in the order this attempt shows the options; [] clears the answer.",
    )


class QuizAttemptAnswersSerializer(serializers.Serializer):
    answers = serializers.ListField(child=SavedAnswerSerializer(), allow_empty=False, max_length=500)


class QuizAttemptSubmitSerializer(serializers.Serializer):
    answers = serializers.ListField(
        child=SavedAnswerSerializer(),
        required=False,
        default=list,
        max_length=500,
        help_text="Last answers, applied over the saved ones; omitted = submit what was saved.",
    )


class QuizResultSerializer(serializers.Serializer):
    """One judged question of an attempt. Positions are in the order the attempt showed the options."""

    quiz = serializers.UUIDField(allow_null=True)
    position = serializers.IntegerField()
    question = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField(), allow_null=True)
    selected_option = serializers.IntegerField(allow_null=True, help_text="The (lowest) selected position.")
    selected_options = serializers.ListField(child=serializers.IntegerField())
    is_correct = serializers.BooleanField(allow_null=True, help_text="Null unless the reveal policy allows.")
    credit = serializers.FloatField(allow_null=True, help_text="0–1; null unless the reveal policy allows.")
    correct_options = serializers.ListField(
        child=serializers.IntegerField(), allow_null=True, help_text="Null unless the reveal policy allows."
    )
    explanation = serializers.CharField(
        allow_null=True, help_text="Null unless the reveal policy allows (and the answer has not changed since)."
    )


def _shown(order: list[int] | None, stored: list[int]) -> list[int]:
    if order is None:
        return stored
    return sorted(order.index(index) if index in order else index for index in stored)


def result_view(result: QuizResult, *, order: list[int] | None, revealed: bool) -> dict:
    """``result`` as its learner may see it: stored option indexes mapped to the positions shown."""
    quiz = result.quiz
    if order is None and quiz is not None:
        order = list(range(len(quiz.options)))
    selected = _shown(order, result.selected_options)
    unchanged = quiz is not None and quiz.answer_indexes == sorted(result.correct_options)
    return {
        "quiz": str(result.quiz_id) if result.quiz_id else None,
        "position": result.position,
        "question": result.question,
        "options": [quiz.options[index] for index in order if index < len(quiz.options)] if quiz else None,
        "selected_option": selected[0] if selected else None,
        "selected_options": selected,
        "is_correct": result.is_correct if revealed else None,
        "credit": float(result.credit) if revealed else None,
        "correct_options": _shown(order, result.correct_options) if revealed else None,
        "explanation": (quiz.explanation or None) if revealed and unchanged else None,
    }


class QuizAttemptSerializer(serializers.ModelSerializer):
    percentage = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)
    points = serializers.DecimalField(max_digits=8, decimal_places=3, coerce_to_string=False)
    revealed = serializers.SerializerMethodField(
        help_text="Whether the results show correctness, correct options and explanations (the module's reveal)."
    )
    results = serializers.SerializerMethodField()

    class Meta:
        model = QuizAttempt
        fields = ["id", "module", *ATTEMPT_OUTCOME_FIELDS, "revealed", "results"]
        read_only_fields = fields

    def get_revealed(self, attempt: QuizAttempt) -> bool:
        if not hasattr(attempt, "revealed"):
            attempt.revealed = attempt_reveals(attempt)
        return attempt.revealed

    @extend_schema_field(QuizResultSerializer(many=True))
    def get_results(self, attempt: QuizAttempt) -> list[dict]:
        revealed = self.get_revealed(attempt)
        orders = {item["quiz"]: item["order"] for item in attempt.draw}
        return [
            result_view(result, order=orders.get(str(result.quiz_id)), revealed=revealed)
            for result in getattr(attempt, "ordered_results", [])
        ]


class AttemptQuestionSerializer(serializers.Serializer):
    """A question as this attempt shows it: never the answer."""

    id = serializers.UUIDField()
    type = serializers.ChoiceField(choices=Quiz.Type.choices)
    question = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField(), help_text="In this attempt's order.")


class QuizAttemptDetailSerializer(QuizAttemptSerializer):
    questions = serializers.SerializerMethodField(help_text="The attempt's questions, fixed when it started.")
    answers = serializers.SerializerMethodField(help_text="The answers saved so far (positions as shown).")

    class Meta(QuizAttemptSerializer.Meta):
        fields = [*QuizAttemptSerializer.Meta.fields, "questions", "answers"]
        read_only_fields = fields

    @extend_schema_field(AttemptQuestionSerializer(many=True))
    def get_questions(self, attempt: QuizAttempt) -> list[dict]:
        return [
            {
                "id": str(quiz.pk),
                "type": quiz.type,
                "question": quiz.question,
                "options": [quiz.options[index] for index in order if index < len(quiz.options)],
            }
            for quiz, order in getattr(attempt, "shown_questions", [])
        ]

    @extend_schema_field(SavedAnswerSerializer(many=True))
    def get_answers(self, attempt: QuizAttempt) -> list[dict]:
        return [{"quiz": quiz, "selected_options": positions} for quiz, positions in attempt.saved_answers.items()]


class QuizAttemptResultSerializer(QuizAttemptSerializer):
    first_pass = serializers.BooleanField(help_text="True only for the learner's first passing attempt.")

    class Meta(QuizAttemptSerializer.Meta):
        fields = [*QuizAttemptSerializer.Meta.fields, "first_pass"]
        read_only_fields = fields


class QuizAttemptSubmittedSerializer(QuizAttemptDetailSerializer):
    first_pass = serializers.BooleanField(help_text="True only for the learner's first passing attempt.")

    class Meta(QuizAttemptDetailSerializer.Meta):
        fields = [*QuizAttemptDetailSerializer.Meta.fields, "first_pass"]
        read_only_fields = fields


class QuizImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="UTF-8 CSV with a header row: type (single, multiple, true_false; empty = single), question, "
        "options (separated by |; empty for true/false), correct (0-based indexes separated by |), explanation, "
        "partial_credit (true/false)."
    )


class QuizImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    questions = QuizStaffSerializer(many=True)

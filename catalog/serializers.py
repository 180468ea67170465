"""Shapes of the catalog API. Input serializers validate fields only; rules live in catalog.services."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import (
    COURSE_PRICE_MAX,
    LESSON_POSITION_MAX_SECONDS,
    MODULE_QUIZ_SETTINGS,
    QUIZ_COOLDOWN_MAX_MINUTES,
    QUIZ_TIME_LIMIT_MAX_SECONDS,
    QUIZ_TIME_LIMIT_MIN_SECONDS,
    Course,
    Domain,
    Enrollment,
    Lesson,
    LessonPosition,
    Module,
    QuizReveal,
    WishlistItem,
    validate_course_price,
    web_url_validator,
)
from common.serializers import PrimaryKeyRelatedField

MAX_POSITION = 10_000
MAX_LESSON_SECONDS = 24 * 60 * 60


# "" means "not set": the schema must say so, since `format: uri` alone calls the empty string invalid.
@extend_schema_field(
    {"anyOf": [{"type": "string", "format": "uri", "maxLength": 500}, {"type": "string", "maxLength": 0}]}
)
class WebURLField(serializers.URLField):
    """An http(s) URL. DRF's own URLValidator also allows ftp://; only ours runs, so one message, not two."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, URLValidator)] + [web_url_validator]


def _url_field(**kwargs) -> serializers.URLField:
    return WebURLField(max_length=500, allow_blank=True, help_text="http(s) URL.", **kwargs)


# --- output ---------------------------------------------------------------------------------------


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["id", "name", "slug"]


class InstructorSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class AdminInstructorSerializer(InstructorSerializer):
    email = serializers.EmailField(read_only=True)


class CourseSerializer(serializers.ModelSerializer):
    thumbnail_url = WebURLField(read_only=True)
    domain = DomainSerializer(read_only=True)
    instructor = InstructorSerializer(read_only=True)
    is_free = serializers.BooleanField(read_only=True)
    module_count = serializers.IntegerField(read_only=True)
    lesson_count = serializers.IntegerField(read_only=True)
    total_duration_seconds = serializers.IntegerField(read_only=True)
    rating_histogram = serializers.SerializerMethodField(help_text="Counted reviews per star, keys '1'..'5'.")
    in_wishlist = serializers.BooleanField(
        read_only=True, default=False, help_text="The signed-in viewer saved it (always false when anonymous)."
    )

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "slug",
            "description",
            "thumbnail_url",
            "price",
            "is_free",
            "status",
            "domain",
            "instructor",
            "learner_count",
            "module_count",
            "lesson_count",
            "total_duration_seconds",
            "rating_average",
            "rating_count",
            "rating_histogram",
            "in_wishlist",
            "rejection_reason",
            "submitted_at",
            "published_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {str(stars): {"type": "integer"} for stars in range(1, 6)},
            "required": [str(stars) for stars in range(1, 6)],
        }
    )
    def get_rating_histogram(self, course: Course) -> dict[str, int]:
        return course.rating_histogram


class AdminCourseSerializer(CourseSerializer):
    instructor = AdminInstructorSerializer(read_only=True)


class ModuleSerializer(serializers.ModelSerializer):
    lesson_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Module
        fields = [
            "id",
            "course",
            "title",
            "description",
            "position",
            "pass_mark",
            *MODULE_QUIZ_SETTINGS,
            "lesson_count",
            "created_at",
        ]
        read_only_fields = fields


class LessonSerializer(serializers.ModelSerializer):
    course = serializers.UUIDField(source="module.course_id", read_only=True)
    video_url = WebURLField(read_only=True)
    materials_url = WebURLField(read_only=True)
    subtitle_url = WebURLField(read_only=True)

    class Meta:
        model = Lesson
        fields = [
            "id",
            "module",
            "course",
            "title",
            "description",
            "position",
            "video_url",
            "materials_url",
            "subtitle_url",
            "duration_seconds",
            "is_preview",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CurriculumLessonSerializer(serializers.ModelSerializer):
    """Content URLs are null unless the viewer may open the lesson (``is_locked`` says so)."""

    is_locked = serializers.SerializerMethodField()
    video_url = serializers.SerializerMethodField()
    materials_url = serializers.SerializerMethodField()
    subtitle_url = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = [
            "id",
            "title",
            "description",
            "position",
            "duration_seconds",
            "is_preview",
            "is_locked",
            "video_url",
            "materials_url",
            "subtitle_url",
        ]

    def _locked(self, lesson: Lesson) -> bool:
        return not (lesson.is_preview or self.context["has_access"])

    def get_is_locked(self, lesson: Lesson) -> bool:
        return self._locked(lesson)

    @extend_schema_field(WebURLField(allow_null=True))
    def get_video_url(self, lesson: Lesson) -> str | None:
        return None if self._locked(lesson) else lesson.video_url

    @extend_schema_field(WebURLField(allow_null=True))
    def get_materials_url(self, lesson: Lesson) -> str | None:
        return None if self._locked(lesson) else lesson.materials_url

    @extend_schema_field(WebURLField(allow_null=True))
    def get_subtitle_url(self, lesson: Lesson) -> str | None:
        return None if self._locked(lesson) else lesson.subtitle_url


class CurriculumModuleSerializer(serializers.ModelSerializer):
    quiz_question_count = serializers.IntegerField(read_only=True)
    lessons = CurriculumLessonSerializer(many=True, read_only=True)

    class Meta:
        model = Module
        fields = ["id", "title", "description", "position", "pass_mark", "quiz_question_count", "lessons"]


class CurriculumSerializer(serializers.ModelSerializer):
    has_access = serializers.BooleanField(source="viewer_has_access", read_only=True)
    modules = CurriculumModuleSerializer(many=True, read_only=True)

    class Meta:
        model = Course
        fields = ["id", "title", "slug", "status", "has_access", "modules"]


class CourseBriefSerializer(serializers.ModelSerializer):
    thumbnail_url = WebURLField(read_only=True)
    domain = DomainSerializer(read_only=True)
    instructor = InstructorSerializer(read_only=True)

    class Meta:
        model = Course
        fields = ["id", "title", "slug", "thumbnail_url", "status", "domain", "instructor"]


class LastLessonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lesson
        fields = ["id", "title", "module", "position"]
        read_only_fields = fields


class LessonPositionInputSerializer(serializers.Serializer):
    position_seconds = serializers.IntegerField(
        min_value=0,
        max_value=LESSON_POSITION_MAX_SECONDS,
        help_text="Seconds into the lesson's video; at most the lesson's duration when it is known.",
    )


class LessonPositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = LessonPosition
        fields = ["lesson", "position_seconds", "updated_at"]
        read_only_fields = fields


class ResumeLessonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lesson
        fields = ["id", "title", "module", "position", "duration_seconds"]
        read_only_fields = fields


class ContinueCourseSerializer(serializers.ModelSerializer):
    thumbnail_url = WebURLField(read_only=True)

    class Meta:
        model = Course
        fields = ["id", "title", "slug", "thumbnail_url"]
        read_only_fields = fields


class ContinueSerializer(serializers.Serializer):
    """One active enrollment and where to pick it up."""

    course = ContinueCourseSerializer()
    percent = serializers.IntegerField(source="progress_percent")
    lesson = serializers.SerializerMethodField(help_text="The lesson to resume; null when every lesson is done.")
    position_seconds = serializers.IntegerField(source="resume_seconds", allow_null=True)
    last_watched_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(ResumeLessonSerializer(allow_null=True))
    def get_lesson(self, enrollment) -> dict | None:
        lesson = self.context["lessons"].get(enrollment.resume_lesson_id)
        return ResumeLessonSerializer(lesson).data if lesson is not None else None


class EnrollmentSerializer(serializers.ModelSerializer):
    course = CourseBriefSerializer(read_only=True)
    total_lessons = serializers.IntegerField(read_only=True)
    last_lesson = LastLessonSerializer(read_only=True, allow_null=True)
    enrolled_at = serializers.DateTimeField(source="created_at", read_only=True)
    percent = serializers.IntegerField(
        source="progress_percent", read_only=True, help_text="0–100; a completed course stays at 100."
    )
    new_lessons = serializers.SerializerMethodField(
        help_text="Lessons added after the course was completed that the learner has not done yet (0 until "
        "the course is completed): the UI can offer them as new content."
    )

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "course",
            "source",
            "status",
            "percent",
            "completed_lessons",
            "total_lessons",
            "new_lessons",
            "last_lesson",
            "completed_at",
            "enrolled_at",
            "revoked_at",
        ]

    def get_new_lessons(self, enrollment: Enrollment) -> int:
        # Every lesson was done at completion (and ticks of deleted lessons are deleted with them), so the
        # lessons still to do are exactly the ones added since.
        if enrollment.completed_at is None:
            return 0
        return max(enrollment.total_lessons - enrollment.completed_lessons, 0)


class LessonProgressSerializer(serializers.ModelSerializer):
    completed = serializers.SerializerMethodField()
    completed_at = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = ["id", "title", "position", "duration_seconds", "completed", "completed_at"]

    def get_completed(self, lesson: Lesson) -> bool:
        return lesson.pk in self.context["ticks"]

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_completed_at(self, lesson: Lesson):
        tick = self.context["ticks"].get(lesson.pk)
        return serializers.DateTimeField().to_representation(tick.completed_at) if tick else None


class ModuleProgressSerializer(serializers.ModelSerializer):
    lessons = LessonProgressSerializer(many=True, read_only=True)

    class Meta:
        model = Module
        fields = ["id", "title", "position", "lessons"]


class EnrollmentDetailSerializer(EnrollmentSerializer):
    modules = ModuleProgressSerializer(source="course.modules", many=True, read_only=True)

    class Meta(EnrollmentSerializer.Meta):
        fields = [*EnrollmentSerializer.Meta.fields, "modules"]


# --- input ----------------------------------------------------------------------------------------


class CourseInputSerializer(serializers.Serializer):
    title = serializers.CharField(min_length=3, max_length=200)
    description = serializers.CharField(max_length=10_000, allow_blank=True, required=False, default="")
    domain = PrimaryKeyRelatedField(queryset=Domain.objects.all(), help_text="Domain id.")
    price = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.00"),
        max_value=COURSE_PRICE_MAX,
        required=False,
        default=Decimal("0.00"),
        validators=[validate_course_price],
        help_text="Rupees: 0 = free, otherwise at least 1.00 (the payment gateway's minimum).",
    )
    thumbnail_url = _url_field(required=False, default="")


class ModuleQuizSettingsSerializer(serializers.Serializer):
    """How the module's quiz is taken; every field optional (the defaults keep the one-call quiz)."""

    questions_per_attempt = serializers.IntegerField(
        min_value=1, max_value=500, allow_null=True, required=False, help_text="Drawn at random; null = all."
    )
    shuffle_options = serializers.BooleanField(required=False, help_text="Each attempt gets its own option order.")
    time_limit_seconds = serializers.IntegerField(
        min_value=QUIZ_TIME_LIMIT_MIN_SECONDS,
        max_value=QUIZ_TIME_LIMIT_MAX_SECONDS,
        allow_null=True,
        required=False,
        help_text="Enforced by the server; null = no limit.",
    )
    max_attempts = serializers.IntegerField(
        min_value=1, max_value=1000, allow_null=True, required=False, help_text="In all; null = unlimited."
    )
    cooldown_minutes = serializers.IntegerField(
        min_value=0, max_value=QUIZ_COOLDOWN_MAX_MINUTES, required=False, help_text="Between starts of attempts."
    )
    reveal = serializers.ChoiceField(
        choices=QuizReveal.choices, required=False, help_text="When results show correctness and explanations."
    )


class ModuleCreateSerializer(ModuleQuizSettingsSerializer):
    course = PrimaryKeyRelatedField(queryset=Course.objects.all(), help_text="Course id.")
    title = serializers.CharField(min_length=1, max_length=200)
    description = serializers.CharField(max_length=5_000, allow_blank=True, required=False, default="")
    position = serializers.IntegerField(
        min_value=1, max_value=MAX_POSITION, required=False, help_text="1-based; default and past the end: last."
    )
    pass_mark = serializers.IntegerField(min_value=0, max_value=100, required=False, default=60)


class ModuleUpdateSerializer(ModuleQuizSettingsSerializer):
    title = serializers.CharField(min_length=1, max_length=200, required=False)
    description = serializers.CharField(max_length=5_000, allow_blank=True, required=False)
    position = serializers.IntegerField(min_value=1, max_value=MAX_POSITION, required=False)
    pass_mark = serializers.IntegerField(min_value=0, max_value=100, required=False)


class LessonUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(min_length=1, max_length=200, required=False)
    description = serializers.CharField(max_length=10_000, allow_blank=True, required=False)
    position = serializers.IntegerField(min_value=1, max_value=MAX_POSITION, required=False)
    video_url = _url_field(required=False)
    materials_url = _url_field(required=False)
    subtitle_url = _url_field(required=False)
    duration_seconds = serializers.IntegerField(min_value=0, max_value=MAX_LESSON_SECONDS, required=False)
    is_preview = serializers.BooleanField(required=False)


class LessonCreateSerializer(LessonUpdateSerializer):
    module = PrimaryKeyRelatedField(queryset=Module.objects.select_related("course"))
    title = serializers.CharField(min_length=1, max_length=200)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=3, max_length=2_000)


class SuggestParamsSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, help_text="What the learner has typed so far.")


class CourseSuggestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "title", "slug"]
        read_only_fields = fields


class WishlistCourseSerializer(CourseBriefSerializer):
    is_free = serializers.BooleanField(read_only=True)

    class Meta(CourseBriefSerializer.Meta):
        fields = [
            "id",
            "title",
            "slug",
            "thumbnail_url",
            "price",
            "is_free",
            "rating_average",
            "rating_count",
            "domain",
            "instructor",
        ]
        read_only_fields = fields


class WishlistItemSerializer(serializers.ModelSerializer):
    course = WishlistCourseSerializer(read_only=True)
    saved_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = WishlistItem
        fields = ["course", "saved_at"]
        read_only_fields = fields


class WishlistAddSerializer(serializers.Serializer):
    course = serializers.UUIDField(help_text="A published course's id.")


class FacetDomainSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class FacetBandSerializer(serializers.Serializer):
    key = serializers.CharField()
    count = serializers.IntegerField()


class FacetFreeSerializer(serializers.Serializer):
    free = serializers.IntegerField()
    paid = serializers.IntegerField()


class CourseFacetsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Courses matching the filters.")
    domains = FacetDomainSerializer(many=True, help_text="Most courses first.")
    is_free = FacetFreeSerializer()
    price_bands = FacetBandSerializer(many=True, help_text="Rupees: free, under_500 (1–499), 500_to_1999, 2000_plus.")
    rating_bands = FacetBandSerializer(
        many=True, help_text="Cumulative, rated courses only: 4.5_plus, 4_plus, 3.5_plus, 3_plus."
    )
    duration_bands = FacetBandSerializer(
        many=True, help_text="Total lesson duration: under_1h, 1_to_3h, 3_to_6h, 6_to_17h, 17h_plus."
    )

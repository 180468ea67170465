"""Catalog and learning: domains, courses, modules, lessons, enrollments and lesson progress."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q

from catalog.errors import CatalogErrorCode
from common.models import TimeStampedModel, UUIDModel

# The catalogue's upper price bound (rupees): a typo such as an extra zero is refused, not charged.
COURSE_PRICE_MAX = Decimal("100000.00")
# Razorpay's smallest order is ₹1.00: a paid course below it could never be bought.
COURSE_PRICE_MIN_PAID = Decimal("1.00")
COURSE_PRICE_TOO_LOW = "A paid course costs at least ₹1.00; use 0 for a free course."
# Content links are opened by browsers and players: only web URLs, never ftp:// or javascript:.
web_url_validator = URLValidator(schemes=["http", "https"])


def validate_course_price(value: Decimal) -> None:
    """0 (free) or at least ``COURSE_PRICE_MIN_PAID``: forms, serializers and the services share it."""
    if value is not None and 0 < value < COURSE_PRICE_MIN_PAID:
        raise ValidationError(COURSE_PRICE_TOO_LOW, code=CatalogErrorCode.PRICE_BELOW_MINIMUM)


# A review's stars, 1 to 5.
RATING_STARS = range(1, 6)

# One sentence for an unknown ?domain= slug, on the catalogue and on the leaderboard alike.
DOMAIN_SLUG_UNKNOWN = "There is no domain with this slug."


class Domain(UUIDModel):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CourseQuerySet(models.QuerySet):
    def published(self) -> CourseQuerySet:
        return self.filter(status=Course.Status.PUBLISHED)


class Course(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING_REVIEW = "pending_review", "Pending review"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        ARCHIVED = "archived", "Archived"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="courses")
    instructor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses")
    price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[
            MinValueValidator(Decimal("0.00")),
            MaxValueValidator(COURSE_PRICE_MAX),
            validate_course_price,
        ],
    )
    thumbnail_url = models.URLField(max_length=500, blank=True, validators=[web_url_validator])
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    rejection_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Active enrollments, kept by catalog.services so "popular" ordering needs no COUNT per row.
    learner_count = models.PositiveIntegerField(default=0)
    # Counted reviews (reviews app) per star, their number and mean; kept by catalog.services.course_rating_change
    # under the course's row lock, repaired by ``manage.py rebuild_course_ratings``.
    rating_1_count = models.PositiveIntegerField(default=0)
    rating_2_count = models.PositiveIntegerField(default=0)
    rating_3_count = models.PositiveIntegerField(default=0)
    rating_4_count = models.PositiveIntegerField(default=0)
    rating_5_count = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0.00"))
    # Weighted tsvector kept by database triggers on PostgreSQL (catalog.search, migration 0007); empty on SQLite.
    search_document = SearchVectorField(null=True, editable=False)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="catalog_course_price_non_negative"),
            models.CheckConstraint(condition=Q(price__lte=COURSE_PRICE_MAX), name="catalog_course_price_max"),
            models.CheckConstraint(
                condition=Q(price=0) | Q(price__gte=COURSE_PRICE_MIN_PAID), name="catalog_course_price_free_or_min"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "domain", "-published_at"], name="catalog_course_status_dom"),
            models.Index(fields=["status", "-published_at"], name="catalog_course_status_pub"),
            models.Index(fields=["status", "price"], name="catalog_course_status_price"),
            models.Index(fields=["status", "-learner_count"], name="catalog_course_status_pop"),
            models.Index(fields=["status", "-rating_average", "-rating_count"], name="catalog_course_status_rating"),
            models.Index(fields=["instructor", "-created_at"], name="catalog_course_instructor"),
            # The admin review queue: oldest submission first.
            models.Index(fields=["status", "submitted_at"], name="catalog_course_status_sub"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_free(self) -> bool:
        return self.price == 0

    @property
    def rating_histogram(self) -> dict[str, int]:
        return {str(stars): getattr(self, f"rating_{stars}_count") for stars in RATING_STARS}


class QuizReveal(models.TextChoices):
    """When a learner's results show per-question correctness, the correct options and explanations."""

    NEVER = "never", "Never"
    AFTER_PASS = "after_pass", "Once the learner passed the module"
    AFTER_LAST_ATTEMPT = "after_last_attempt", "Once the learner has no attempts left"
    IMMEDIATELY = "immediately", "Right after each attempt"


# Bounds of a module's quiz settings: an attempt of at least a minute, at most a day.
QUIZ_TIME_LIMIT_MIN_SECONDS = 60
QUIZ_TIME_LIMIT_MAX_SECONDS = 86_400
QUIZ_COOLDOWN_MAX_MINUTES = 43_200  # 30 days
MODULE_QUIZ_SETTINGS = (
    "questions_per_attempt",
    "shuffle_options",
    "time_limit_seconds",
    "max_attempts",
    "cooldown_minutes",
    "reveal",
)


class Module(TimeStampedModel):
    Reveal = QuizReveal

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # Percentage of the module's quiz questions a learner must answer correctly to pass.
    pass_mark = models.PositiveSmallIntegerField(default=60, validators=[MinValueValidator(0), MaxValueValidator(100)])
    # The module's quiz size, kept by catalog.services.module_quiz_question_count_set whenever the quiz
    # app adds or removes a question: completion and the curriculum read it without asking that app.
    quiz_question_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    # How the quiz is taken (set by the course's instructor; the defaults keep the one-call quiz).
    questions_per_attempt = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Questions drawn at random per attempt; empty = all of them"
    )
    shuffle_options = models.BooleanField(default=False, db_default=False)
    time_limit_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="Empty = no time limit")
    max_attempts = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Attempts in all (the daily limit applies too); empty = unlimited"
    )
    cooldown_minutes = models.PositiveIntegerField(default=0, db_default=0)
    reveal = models.CharField(
        max_length=20, choices=QuizReveal.choices, default=QuizReveal.AFTER_PASS, db_default=QuizReveal.AFTER_PASS
    )

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="catalog_module_course_position_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="catalog_module_position_positive"),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0, pass_mark__lte=100), name="catalog_module_pass_mark_range"
            ),
            models.CheckConstraint(
                condition=Q(questions_per_attempt__isnull=True) | Q(questions_per_attempt__gte=1),
                name="catalog_module_questions_per_attempt_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__isnull=True) | Q(max_attempts__gte=1),
                name="catalog_module_max_attempts_positive",
            ),
            models.CheckConstraint(
                condition=Q(time_limit_seconds__isnull=True)
                | Q(
                    time_limit_seconds__gte=QUIZ_TIME_LIMIT_MIN_SECONDS,
                    time_limit_seconds__lte=QUIZ_TIME_LIMIT_MAX_SECONDS,
                ),
                name="catalog_module_time_limit_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(TimeStampedModel):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    video_url = models.URLField(max_length=500, blank=True, validators=[web_url_validator])
    materials_url = models.URLField(max_length=500, blank=True, validators=[web_url_validator])
    subtitle_url = models.URLField(max_length=500, blank=True, validators=[web_url_validator])
    duration_seconds = models.PositiveIntegerField(default=0)
    is_preview = models.BooleanField(default=False)

    class Meta:
        ordering = ["module", "position"]
        constraints = [
            models.UniqueConstraint(fields=["module", "position"], name="catalog_lesson_module_position_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="catalog_lesson_position_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class Enrollment(TimeStampedModel):
    class Source(models.TextChoices):
        FREE = "free", "Free"
        PAYMENT = "payment", "Payment"
        ADMIN = "admin", "Granted by an admin"
        COUPON = "coupon", "Free with a coupon"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REVOKED = "revoked", "Revoked"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    # PROTECT: a course with learners is archived, never deleted.
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrollments")
    source = models.CharField(max_length=20, choices=Source.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=255, blank=True)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    completed_lessons = models.PositiveIntegerField(default=0)
    last_lesson = models.ForeignKey(Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="catalog_enrollment_user_course_unique"),
            models.CheckConstraint(
                condition=Q(progress_percent__gte=0, progress_percent__lte=100),
                name="catalog_enrollment_progress_range",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "status", "-created_at"], name="catalog_enroll_user_status"),
            # (course, status) lookups; the user column lets an announcement's delivery page through a course's
            # learners by user id (keyset) without sorting them all for every page.
            models.Index(fields=["course", "status", "user"], name="catalog_enroll_course_status"),
            # The catalogue's "popular" ordering counts a course's recent active enrollments.
            models.Index(fields=["course", "status", "created_at"], name="catalog_enroll_course_recent"),
            models.Index(fields=["created_at"], name="catalog_enroll_created"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.course}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class LessonProgress(UUIDModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress")
    # PROTECT: a learner's history outlives any edit of the content; content with learners is never deleted.
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="progress")
    # Denormalised from lesson.module.course so per-course progress is one indexed lookup.
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField()

    class Meta:
        ordering = ["completed_at"]
        verbose_name_plural = "lesson progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="catalog_lessonprogress_user_lesson_unique"),
        ]
        indexes = [
            models.Index(fields=["user", "course"], name="catalog_progress_user_course"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ✓ {self.lesson}"


class WishlistItem(UUIDModel):
    """A course a learner saved for later. Gone once they enroll (catalog.services.enrollment_grant)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wishlist_items")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="wishlist_items")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="catalog_wishlist_user_course_unique"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="catalog_wishlist_user_new")]

    def __str__(self) -> str:
        return f"{self.user} ♡ {self.course}"


class ModuleQuizPass(UUIDModel):
    """A learner passed a module's quiz (the first time). Course completion reads these rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_quiz_passes")
    # PROTECT: a learner's history outlives any edit of the content; content with learners is never deleted.
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="quiz_passes")
    # Denormalised from module.course so per-course completion is one indexed lookup.
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    passed_at = models.DateTimeField()

    class Meta:
        ordering = ["passed_at"]
        verbose_name_plural = "module quiz passes"
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="catalog_modulequizpass_user_module_unique"),
        ]
        indexes = [
            models.Index(fields=["user", "course"], name="catalog_quizpass_user_course"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ✓ quiz {self.module}"


# The longest position a player may report for a lesson whose duration is not known (0): two days.
LESSON_POSITION_MAX_SECONDS = 2 * 24 * 3600


class LessonPosition(UUIDModel):
    """Where a learner stopped in a lesson's video: one row per learner and lesson, overwritten in place by one
    UPSERT per player report (no history grows). Separate from ``LessonProgress`` (completions), whose rows
    are facts that count towards progress; a position is a bookmark."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_positions")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="positions")
    # Denormalised from lesson.module.course, so "where was I in this course" is one indexed lookup.
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    position_seconds = models.PositiveIntegerField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="catalog_lessonposition_user_lesson_unique"),
            models.CheckConstraint(
                condition=Q(position_seconds__gte=0, position_seconds__lte=LESSON_POSITION_MAX_SECONDS),
                name="catalog_lessonposition_range",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "course", "-updated_at"], name="catalog_position_user_course"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.lesson_id}: {self.position_seconds}s"

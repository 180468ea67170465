"""Catalog and learning: domains, courses, modules, lessons, enrollments and lesson progress."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q

from catalog import errors
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
        raise ValidationError(COURSE_PRICE_TOO_LOW, code=errors.PRICE_BELOW_MINIMUM)


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
            models.Index(fields=["instructor", "-created_at"], name="catalog_course_instructor"),
            # The admin review queue: oldest submission first.
            models.Index(fields=["status", "submitted_at"], name="catalog_course_status_sub"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_free(self) -> bool:
        return self.price == 0


class Module(TimeStampedModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # Percentage of the module's quiz questions a learner must answer correctly to pass.
    pass_mark = models.PositiveSmallIntegerField(default=60, validators=[MinValueValidator(0), MaxValueValidator(100)])

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="catalog_module_course_position_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="catalog_module_position_positive"),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0, pass_mark__lte=100), name="catalog_module_pass_mark_range"
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
            models.Index(fields=["course", "status"], name="catalog_enroll_course_status"),
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

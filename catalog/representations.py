"""Hot-path representations built from ``.values()`` rows instead of serializer trees.

``GET /api/enrollments/`` is a learner's most frequent personal read. Serializing model instances built a
DRF field tree (and every nested serializer's) per row, around a quarter of the request's CPU; these
functions write the same dict from one flat row. The serializers stay the contract: the views document
their responses with them, and ``catalog/tests/test_representations.py`` renders both ways and compares
the bytes, so a field added to a serializer and not here fails a test instead of drifting silently.
"""

from __future__ import annotations

import datetime
from typing import Any

from common.serializers import datetime_representation

ENROLLMENT_ROW_FIELDS = (
    "id",
    "source",
    "status",
    "progress_percent",
    "completed_lessons",
    "total_lessons",
    "completed_at",
    "created_at",
    "revoked_at",
    "course_id",
    "course__title",
    "course__slug",
    "course__thumbnail_url",
    "course__status",
    "course__domain_id",
    "course__domain__name",
    "course__domain__slug",
    "course__instructor_id",
    "course__instructor__full_name",
    "last_lesson_id",
    "last_lesson__title",
    "last_lesson__module_id",
    "last_lesson__position",
)


def enrollment_representation(row: dict[str, Any], *, zone: datetime.tzinfo | None = None) -> dict[str, Any]:
    """``EnrollmentSerializer(enrollment).data`` for a row of ``ENROLLMENT_ROW_FIELDS``; ``zone``: ``display_zone()``,
    looked up once for the page (``datetime_representation``)."""
    completed_at = row["completed_at"]
    last_lesson_id = row["last_lesson_id"]
    return {
        "id": str(row["id"]),
        "course": {
            "id": str(row["course_id"]),
            "title": row["course__title"],
            "slug": row["course__slug"],
            "thumbnail_url": row["course__thumbnail_url"],
            "status": row["course__status"],
            "domain": {
                "id": str(row["course__domain_id"]),
                "name": row["course__domain__name"],
                "slug": row["course__domain__slug"],
            },
            "instructor": {"id": str(row["course__instructor_id"]), "full_name": row["course__instructor__full_name"]},
        },
        "source": row["source"],
        "status": row["status"],
        "percent": row["progress_percent"],
        "completed_lessons": row["completed_lessons"],
        "total_lessons": row["total_lessons"],
        # EnrollmentSerializer.get_new_lessons: the lessons added since the course was completed.
        "new_lessons": 0 if completed_at is None else max(row["total_lessons"] - row["completed_lessons"], 0),
        "last_lesson": None
        if last_lesson_id is None
        else {
            "id": str(last_lesson_id),
            "title": row["last_lesson__title"],
            "module": str(row["last_lesson__module_id"]),
            "position": row["last_lesson__position"],
        },
        "completed_at": datetime_representation(completed_at, zone),
        "enrolled_at": datetime_representation(row["created_at"], zone),
        "revoked_at": datetime_representation(row["revoked_at"], zone),
    }


def enrollment_instance_representation(enrollment) -> dict[str, Any]:
    """``EnrollmentSerializer(enrollment).data`` for an enrollment loaded as ``enrollment_list_for_user`` loads it
    (course, its domain and instructor, last lesson, ``total_lessons``): the answer of a lesson completion."""
    course = enrollment.course
    last_lesson = enrollment.last_lesson
    return enrollment_representation(
        {
            "id": enrollment.pk,
            "source": enrollment.source,
            "status": enrollment.status,
            "progress_percent": enrollment.progress_percent,
            "completed_lessons": enrollment.completed_lessons,
            "total_lessons": enrollment.total_lessons,
            "completed_at": enrollment.completed_at,
            "created_at": enrollment.created_at,
            "revoked_at": enrollment.revoked_at,
            "course_id": course.pk,
            "course__title": course.title,
            "course__slug": course.slug,
            "course__thumbnail_url": course.thumbnail_url,
            "course__status": course.status,
            "course__domain_id": course.domain_id,
            "course__domain__name": course.domain.name,
            "course__domain__slug": course.domain.slug,
            "course__instructor_id": course.instructor_id,
            "course__instructor__full_name": course.instructor.full_name,
            "last_lesson_id": enrollment.last_lesson_id,
            "last_lesson__title": None if last_lesson is None else last_lesson.title,
            "last_lesson__module_id": None if last_lesson is None else last_lesson.module_id,
            "last_lesson__position": None if last_lesson is None else last_lesson.position,
        }
    )

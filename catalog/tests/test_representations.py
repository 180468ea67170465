"""The hot-path representations write exactly the bytes of the serializers they stand in for."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from rest_framework.renderers import JSONRenderer

from catalog.models import Enrollment
from catalog.representations import enrollment_instance_representation, enrollment_representation
from catalog.selectors import enrollment_list_for_user, enrollment_rows_for_user
from catalog.serializers import EnrollmentSerializer
from catalog.tests.conftest import lessons_of

pytestmark = pytest.mark.django_db

COMPLETED = datetime.datetime(2026, 11, 2, 10, 15, 30, 123456, tzinfo=datetime.UTC)


@pytest.mark.parametrize("time_zone", ["Asia/Kolkata", "UTC"])
def test_my_enrollments_rows_render_as_the_serializer_does(time_zone, make_course, make_user, student, enroll):
    # Given enrollments in every shape the list shows: in progress with a last lesson, completed with lessons
    # added since, revoked, and a course with a thumbnail whose instructor has no name
    course = make_course(title="Café & Ünïcode “quotes”", modules=2, lessons=2)
    enroll(student, course, completed_lessons=1, progress_percent=25, last_lesson=lessons_of(course)[0])
    done = make_course(modules=1, lessons=3)
    enroll(student, done, completed_lessons=2, progress_percent=100, completed_at=COMPLETED)
    enroll(student, make_course(), status=Enrollment.Status.REVOKED, revoked_at=COMPLETED, progress_percent=50)
    nameless = make_user("instructor", full_name="")
    enroll(student, make_course(owner=nameless, thumbnail_url="https://img.example.com/x.png", modules=1, lessons=1))

    with override_settings(TIME_ZONE=time_zone):
        # When the rows are shaped by the function and the instances by the serializer
        fast = [enrollment_representation(row) for row in enrollment_rows_for_user(user=student)]
        slow = EnrollmentSerializer(enrollment_list_for_user(user=student), many=True).data

    # Then the JSON is byte-identical, and every shape was covered
    assert JSONRenderer().render(fast) == JSONRenderer().render(slow)
    assert len(fast) == 4
    assert {item["new_lessons"] for item in fast} == {0, 1}
    assert sum(item["last_lesson"] is not None for item in fast) == 1


@pytest.mark.parametrize("time_zone", ["Asia/Kolkata", "UTC"])
def test_enrollment_instances_render_as_the_serializer_does(time_zone, make_course, make_user, student, enroll):
    # Given the same shapes as the list, as the instances a lesson completion answers with
    course = make_course(title="Café & Ünïcode “quotes”", modules=2, lessons=2)
    enroll(student, course, completed_lessons=1, progress_percent=25, last_lesson=lessons_of(course)[0])
    done = make_course(modules=1, lessons=3)
    enroll(student, done, completed_lessons=2, progress_percent=100, completed_at=COMPLETED)
    enroll(student, make_course(), status=Enrollment.Status.REVOKED, revoked_at=COMPLETED, progress_percent=50)
    nameless = make_user("instructor", full_name="")
    enroll(student, make_course(owner=nameless, thumbnail_url="https://img.example.com/x.png", modules=1, lessons=1))
    enrollments = list(enrollment_list_for_user(user=student))

    with override_settings(TIME_ZONE=time_zone):
        # When each is shaped by the function and by the serializer
        fast = [enrollment_instance_representation(enrollment) for enrollment in enrollments]
        slow = EnrollmentSerializer(enrollments, many=True).data

    # Then the JSON is byte-identical, and every shape was covered
    assert JSONRenderer().render(fast) == JSONRenderer().render(slow)
    assert len(fast) == 4
    assert {item["new_lessons"] for item in fast} == {0, 1}
    assert sum(item["last_lesson"] is not None for item in fast) == 1

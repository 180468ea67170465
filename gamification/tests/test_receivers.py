"""XP for the other apps' domain events, end to end through their services where they exist."""

from __future__ import annotations

import pytest
from model_bakery import baker

from assessments.signals import module_quiz_passed
from catalog.models import Course, Module
from catalog.services import lesson_complete
from forum.models import Post, Reply
from forum.signals import post_created, reply_accepted
from gamification.models import ALL_TIME_START, UserBadge, XPEvent, XPTotal

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def all_time(user) -> int:
    return XPTotal.objects.get(user=user, period="all_time", period_start=ALL_TIME_START).points


@pytest.fixture
def course_with_two_lessons(student):
    course = baker.make(Course, status=Course.Status.PUBLISHED)
    module = baker.make(Module, course=course, position=1)
    lessons = [baker.make("catalog.Lesson", module=module, position=n) for n in (1, 2)]
    baker.make("catalog.Enrollment", user=student, course=course)
    return course, lessons


def test_completing_lessons_and_the_course_pays_xp_and_badges(student, course_with_two_lessons):
    course, (first, second) = course_with_two_lessons
    # when the learner completes the first lesson (through the catalog service)
    lesson_complete(user=student, lesson=first)
    # then 10 XP and the first-lesson badge
    assert list(XPEvent.objects.filter(user=student).values_list("type", "source_id")) == [
        ("lesson_complete", first.pk)
    ]
    assert all_time(student) == 10
    # when the second (last) lesson completes the course
    lesson_complete(user=student, lesson=second)
    # then the lesson and the course both pay, and their badges are earned
    assert all_time(student) == 10 + 10 + 100
    assert XPEvent.objects.filter(user=student, type="course_complete", source_id=course.pk).exists()
    assert set(UserBadge.objects.filter(user=student).values_list("badge__code", flat=True)) == {
        "first-lesson",
        "first-course",
        "xp-100",
    }


def test_completing_a_lesson_again_pays_nothing(student, course_with_two_lessons):
    _, (first, _) = course_with_two_lessons
    lesson_complete(user=student, lesson=first)
    lesson_complete(user=student, lesson=first)
    assert XPEvent.objects.filter(user=student).count() == 1
    assert all_time(student) == 10


def test_module_quiz_pass_pays_once_per_module(student):
    module = baker.make(Module)
    for attempt in baker.prepare("assessments.QuizAttempt", _quantity=2, user=student, module=module):
        module_quiz_passed.send(sender=Module, user=student, module=module, attempt=attempt)
    event = XPEvent.objects.get(user=student)
    assert (event.type, event.points, event.source_type, event.source_id) == (
        "quiz_pass",
        25,
        "catalog.module",
        module.pk,
    )
    assert UserBadge.objects.filter(user=student, badge__code="first-quiz").exists()


def test_forum_post_and_accepted_reply_pay_their_authors(student, other_student):
    post = baker.prepare(Post, user=student)
    reply = baker.prepare(Reply, user=other_student)
    post_created.send(sender=Post, user=student, post=post)
    reply_accepted.send(sender=Reply, user=other_student, reply=reply, accepted_by=student)
    assert list(XPEvent.objects.filter(user=student).values_list("type", "points", "source_id")) == [
        ("forum_post", 5, post.pk)
    ]
    assert list(XPEvent.objects.filter(user=other_student).values_list("type", "points", "source_id")) == [
        ("answer_accepted", 15, reply.pk)
    ]
    assert UserBadge.objects.filter(user=student, badge__code="first-post").exists()

"""Deleting content never erases learners' history, and every deletion that happens is audited."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError
from rest_framework.test import APIRequestFactory

from assessments.models import Quiz, QuizAttempt, QuizResult
from assessments.services import quiz_attempt_submit, quiz_create
from audit.models import AuditLog
from catalog.models import Course, Enrollment, Lesson, LessonProgress, Module
from catalog.services import lesson_complete, lesson_delete
from catalog.tests.conftest import lessons_of
from common.exceptions import NotFoundError, api_exception_handler

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_with_history(make_course, make_user, enroll):
    """A published course whose 11 learners completed its first lesson and took the first module's quiz."""
    course = make_course(modules=2, lessons=2)
    module = course.modules.get(position=1)
    quiz = quiz_create(module=module, question="2 + 2?", options=["4", "5"], correct_option=0)
    first = lessons_of(course)[0]
    for n in range(11):
        learner = make_user("student")
        enroll(learner, course)
        lesson_complete(user=learner, lesson=first)
        quiz_attempt_submit(user=learner, module=module, answers=[{"quiz": quiz.pk, "selected_option": n % 2}])
    return course, module, first, quiz


def history(course) -> tuple[int, int, int]:
    return (
        LessonProgress.objects.filter(course=course).count(),
        QuizAttempt.objects.filter(module__course=course).count(),
        QuizResult.objects.filter(attempt__module__course=course).count(),
    )


@pytest.mark.parametrize("who", ["instructor", "admin_user"])
@pytest.mark.parametrize("kind", ["module", "lesson", "quiz"])
def test_content_of_a_course_with_learners_is_not_deleted(request, client_for, course_with_history, who, kind):
    # given a course with 11 learners and their progress and quiz attempts
    course, module, lesson, quiz = course_with_history
    target = {"module": module, "lesson": lesson, "quiz": quiz}[kind]
    url = {"module": "/api/modules/{}/", "lesson": "/api/lessons/{}/", "quiz": "/api/quizzes/{}/"}[kind]

    # when course staff (its instructor or an admin) delete it
    response = client_for(request.getfixturevalue(who)).delete(url.format(target.pk))

    # then it is refused with what to do instead, and nothing moved
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "course_has_learners"
    assert "Edit it instead, or archive the course" in body["detail"]
    assert type(target).objects.filter(pk=target.pk).exists()
    assert history(course) == (11, 11, 11)
    assert not AuditLog.objects.filter(action__endswith=".delete").exists()


def test_a_revoked_learner_still_counts_as_history(client_for, make_course, make_user, enroll, instructor):
    # given a course whose only learner was refunded (their progress stays)
    course = make_course(modules=1, lessons=1)
    enroll(make_user("student"), course, status=Enrollment.Status.REVOKED)

    response = client_for(instructor).delete(f"/api/modules/{course.modules.get().pk}/")

    assert response.status_code == 409
    assert Module.objects.filter(course=course).count() == 1


def test_deletions_without_learners_are_audited(client_for, make_course, instructor):
    # given a draft course nobody has joined, with 2 modules of 2 lessons and a quiz question
    course = make_course(status="draft", modules=2, lessons=2)
    first = course.modules.get(position=1)
    quiz = quiz_create(module=first, question="?", options=["a", "b"], correct_option=0)
    client = client_for(instructor)

    # when its instructor deletes a lesson, a quiz question, a module, then the course
    assert client.delete(f"/api/lessons/{lessons_of(course)[-1].pk}/").status_code == 204
    assert client.delete(f"/api/quizzes/{quiz.pk}/").status_code == 204
    assert client.delete(f"/api/modules/{first.pk}/").status_code == 204
    assert client.delete(f"/api/courses/{course.pk}/").status_code == 204

    # then each deletion has one audit entry naming who did it and what went
    entries = list(AuditLog.objects.order_by("created_at").values_list("action", "actor", "target_id", "details"))
    assert [(action, actor) for action, actor, *_ in entries] == [
        ("lesson.delete", instructor.pk),
        ("quiz.delete", instructor.pk),
        ("module.delete", instructor.pk),
        ("course.delete", instructor.pk),
    ]
    assert entries[2][2] == str(first.pk)
    assert entries[2][3] == {"course": str(course.pk), "lessons": 2, "modules": 1, "quiz_questions": 0}
    assert entries[3][3] == {"status": "draft", "lessons": 1, "modules": 1, "quiz_questions": 0}
    assert not Course.objects.filter(pk=course.pk).exists()
    assert not Lesson.objects.filter(module__course_id=course.pk).exists()


def test_the_database_protects_history_from_any_other_door(course_with_history):
    # given learners' progress and attempts (the Django admin or a shell bypass the services)
    course, module, lesson, quiz = course_with_history

    # then deleting the content they point to is refused by the foreign keys themselves
    with pytest.raises(ProtectedError):
        Lesson.objects.filter(pk=lesson.pk).delete()
    with pytest.raises(ProtectedError):
        Module.objects.filter(pk=module.pk).delete()
    assert history(course) == (11, 11, 11)
    # a question alone may go at that level: its results keep their own copy of the question
    Quiz.objects.filter(pk=quiz.pk).delete()
    assert QuizResult.objects.filter(question="2 + 2?", quiz__isnull=True).count() == 11


def test_deleting_a_lesson_whose_module_was_deleted_meanwhile_is_a_404(make_course, instructor):
    # Given a lesson read by one request while another deletes its module (and with it the lesson)
    course = make_course(status=Course.Status.DRAFT, modules=1, lessons=1)
    lesson = Lesson.objects.select_related("module").get(module__course=course)
    Module.objects.filter(course=course).delete()

    # When the first request goes on to delete the lesson, then it is told the module is gone, not a 500
    with pytest.raises(NotFoundError):
        lesson_delete(lesson=lesson, actor=instructor)


def test_a_row_deleted_under_a_request_is_a_404_in_the_error_shape():
    request = APIRequestFactory().get("/api/courses/")
    response = api_exception_handler(Module.DoesNotExist("Module matching query does not exist."), {"request": request})

    assert response.status_code == 404
    assert response.data["code"] == "not_found"

"""The course-staff rule (catalog.permissions): owner while an instructor, or an admin; and visibility.

An instructor demoted to student keeps ownership of their courses but loses every staff power at once.
"""

from __future__ import annotations

import itertools

import pytest
from model_bakery import baker

from accounts.services import user_change_role
from catalog import selectors
from catalog.models import Course
from catalog.permissions import course_is_visible, course_visibility_q, is_course_staff
from catalog.tests.conftest import lessons_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def demoted(instructor, admin_user):
    """The instructor who owns the fixtures' courses, after an admin made them a student."""

    def demote():
        user_change_role(actor=admin_user, user=instructor, role="student")
        instructor.refresh_from_db()

    return demote


def test_staff_is_the_owner_while_instructor_or_an_admin(make_course, instructor, other_instructor, admin_user):
    course = make_course()
    assert is_course_staff(user=instructor, course=course)
    assert is_course_staff(user=admin_user, course=course)
    assert not is_course_staff(user=other_instructor, course=course)

    # when the owner is demoted, they are no longer staff of their own course
    instructor.role = "student"
    assert not is_course_staff(user=instructor, course=course)


def test_visibility_in_python_and_in_sql_are_the_same_rule(
    make_course, make_user, instructor, other_instructor, admin_user, enroll
):
    # given a course of every status, with a learner in each, and every kind of caller
    from django.contrib.auth.models import AnonymousUser

    learner = make_user("student")
    demoted_owner = make_user("student")
    courses = [make_course(status=status) for status in Course.Status.values]
    courses += [make_course(status=status, owner=demoted_owner) for status in Course.Status.values]
    for course in courses:
        enroll(learner, course)
    callers = [AnonymousUser(), learner, make_user("student"), demoted_owner, instructor, other_instructor, admin_user]

    # then the SQL filter and the per-object check agree for every pair
    for user, course in itertools.product(callers, courses):
        in_sql = Course.objects.filter(course_visibility_q(user), pk=course.pk).exists()
        assert in_sql == course_is_visible(user=user, course=course), (user, course.status)
    # and the expectations: the demoted owner sees only what any student sees
    visible_to_demoted = set(Course.objects.filter(course_visibility_q(demoted_owner)).values_list("status", flat=True))
    assert visible_to_demoted == {"published"}


def test_demoted_instructor_loses_staff_powers_over_own_courses(
    client_for, make_course, instructor, demoted, module_with_quiz
):
    # given an instructor's published course (with a quiz) and their draft, then the instructor is demoted
    course, module, quiz = module_with_quiz
    draft = make_course(status="draft", modules=1, lessons=1)
    demoted()
    client = client_for(instructor)

    # then their drafts and pending courses are gone from every list and detail
    assert not selectors.course_list_for_instructor(user=instructor).exists()
    assert client.get(f"/api/courses/{draft.pk}/").status_code == 404
    assert client.get(f"/api/courses/{draft.pk}/curriculum/").status_code == 404
    assert client.get("/api/courses/mine/").status_code == 403

    # the published course's curriculum no longer shows content URLs
    curriculum = client.get(f"/api/courses/{course.pk}/curriculum/").json()
    assert curriculum["has_access"] is False
    assert all(lesson["video_url"] is None for m in curriculum["modules"] for lesson in m["lessons"])
    assert client.get(f"/api/lessons/{lessons_of(course)[0].pk}/").status_code == 404

    # quiz answers, statistics and authoring are refused
    response = client.get(f"/api/quizzes/{quiz.pk}/")
    assert (response.status_code, response.json()["code"]) == (403, "not_enrolled")
    response = client.get("/api/quizzes/stats/", {"module": str(module.pk)})
    assert (response.status_code, response.json()["code"]) == (403, "not_course_staff")
    response = client.patch(f"/api/quizzes/{quiz.pk}/", {"correct_option": 1}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "not_course_staff")
    quiz.refresh_from_db()
    assert quiz.correct_option == 0
    assert client.patch(f"/api/courses/{course.pk}/", {"title": "Mine"}, format="json").status_code == 403


def test_promoted_again_the_owner_is_staff_again(client_for, make_course, instructor, admin_user, demoted):
    draft = make_course(status="draft")
    demoted()
    user_change_role(actor=admin_user, user=instructor, role="instructor")
    instructor.refresh_from_db()
    assert client_for(instructor).get(f"/api/courses/{draft.pk}/").status_code == 200
    assert [c.pk for c in selectors.course_list_for_instructor(user=instructor)] == [draft.pk]


@pytest.fixture
def module_with_quiz(make_course):
    from assessments.services import quiz_create

    course = make_course(modules=1, lessons=2)
    module = course.modules.get()
    quiz = quiz_create(module=module, question="2 + 2?", options=["4", "5"], correct_option=0)
    return course, module, quiz


def test_staff_filter_on_lessons_keeps_admins(make_course, admin_user):
    # An empty Q() OR-ed with another condition vanishes; admins must still see every lesson.
    course = make_course(status="draft", modules=1, lessons=2)
    baker.make("catalog.Lesson", module=course.modules.get(), position=3, is_preview=True)
    assert selectors.lesson_list_visible(user=admin_user).filter(module__course=course).count() == 3

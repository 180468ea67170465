"""The reads of a lesson completion compiled once (catalog.selectors): the same rows, instances and locks as the
ORM querysets they stand in for."""

from __future__ import annotations

import psycopg
import pytest
from django.db import transaction

from catalog import selectors
from catalog.models import Course, Enrollment, Lesson, Module
from catalog.tests.conftest import lessons_of
from tests.support.concurrency import another_session


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def _loaded(instance, paths: tuple[str, ...]) -> dict:
    """Every column of ``instance`` and of each related path, read from what the instance holds."""
    seen = {"": _fields(instance)}
    for path in paths:
        related = instance
        for name in path.split("__"):
            related = getattr(related, name) if related is not None else None
        seen[path] = None if related is None else _fields(related)
    return seen


@pytest.mark.django_db
class TestEnrollmentLockForProgress:
    @pytest.mark.parametrize("with_last_lesson", [True, False])
    def test_loads_what_the_enrollment_list_loads(
        self, with_last_lesson, course, student, enroll, django_assert_num_queries
    ):
        # given an enrollment, with or without a last lesson
        last = lessons_of(course)[1] if with_last_lesson else None
        enroll(student, course, completed_lessons=1, progress_percent=25, last_lesson=last)
        expected = selectors.enrollment_list_for_user(user=student).get(course=course)
        # when it is locked for a progress write
        with transaction.atomic(), django_assert_num_queries(1):
            found = selectors.enrollment_lock_for_progress(user=student, course_id=course.pk)
            # then every column of it and of its related rows is the ORM's, with nothing read again
            assert _loaded(found, selectors.ENROLLMENT_LIST_RELATED) == _loaded(
                expected, selectors.ENROLLMENT_LIST_RELATED
            )
            assert found.total_lessons == expected.total_lessons == 4
        assert (found.last_lesson is None) is (not with_last_lesson)

    def test_none_without_an_active_enrollment(self, course, make_course, student, other_student, enroll):
        # given a revoked enrollment, and an active one in another course
        enroll(student, course, status=Enrollment.Status.REVOKED)
        enroll(student, make_course())
        enroll(other_student, course)
        with transaction.atomic():
            assert selectors.enrollment_lock_for_progress(user=student, course_id=course.pk) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_lock_holds_the_enrollment_row_only(course, student, enroll):
    # given the enrollment locked for a progress write, its transaction still open
    enrollment = enroll(student, course)
    with transaction.atomic():
        selectors.enrollment_lock_for_progress(user=student, course_id=course.pk)
        with another_session() as other:
            # then another session cannot lock the enrollment
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("SELECT 1 FROM catalog_enrollment WHERE id = %s FOR UPDATE NOWAIT", [enrollment.pk])
            other.rollback()
            # but the course joined in for the answer is only read
            assert other.execute(
                "SELECT 1 FROM catalog_course WHERE id = %s FOR UPDATE NOWAIT", [course.pk]
            ).fetchall() == [(1,)]


@pytest.mark.django_db
class TestLessonStructureVisibleGet:
    def test_every_role_finds_what_the_queryset_finds(
        self, make_course, make_user, student, instructor, admin_user, enroll
    ):
        # given lessons of a published course, of a draft the student learns in, and of another's draft
        published = lessons_of(make_course(modules=1, lessons=1))[0]
        learnt_draft = make_course(status=Course.Status.DRAFT, modules=1, lessons=1)
        enroll(student, learnt_draft)
        other_draft = make_course(owner=make_user("instructor"), status=Course.Status.DRAFT, modules=1, lessons=1)
        lessons = [published, lessons_of(learnt_draft)[0], lessons_of(other_draft)[0]]
        stranger = make_user("student")  # enrolled nowhere
        for user in (student, stranger, instructor, admin_user):
            for lesson in lessons:
                # (and each module of those lessons)
                try:
                    expected_module = _loaded(
                        selectors.module_structure_visible(user=user).get(pk=lesson.module_id),
                        selectors.MODULE_STRUCTURE_RELATED,
                    )
                except Module.DoesNotExist:
                    expected_module = None
                try:
                    found_module = _loaded(
                        selectors.module_structure_visible_get(user=user, module_id=lesson.module_id),
                        selectors.MODULE_STRUCTURE_RELATED,
                    )
                except Module.DoesNotExist:
                    found_module = None
                assert found_module == expected_module, (user.role, lesson.title)
                # when each user asks for each lesson, both ways
                try:
                    expected = _loaded(
                        selectors.lesson_structure_visible(user=user).get(pk=lesson.pk),
                        selectors.LESSON_STRUCTURE_RELATED,
                    )
                except Lesson.DoesNotExist:
                    expected = None
                try:
                    found = _loaded(
                        selectors.lesson_structure_visible_get(user=user, lesson_id=lesson.pk),
                        selectors.LESSON_STRUCTURE_RELATED,
                    )
                except Lesson.DoesNotExist:
                    found = None
                # then the answer (the lesson with its module and course, or none) is the same
                assert found == expected, (user.role, lesson.title)
        assert selectors.lesson_structure_visible_get(user=student, lesson_id=lessons[1].pk).module.course == (
            learnt_draft
        )
        with pytest.raises(Lesson.DoesNotExist):
            selectors.lesson_structure_visible_get(user=student, lesson_id=lessons[2].pk)
        with pytest.raises(Lesson.DoesNotExist):
            selectors.lesson_structure_visible_get(user=stranger, lesson_id=lessons[1].pk)

    def test_a_learner_reads_the_lesson_with_its_module_and_course_in_one_query(
        self, course, student, django_assert_num_queries
    ):
        lesson = lessons_of(course)[0]
        with django_assert_num_queries(1):
            found = selectors.lesson_structure_visible_get(user=student, lesson_id=lesson.pk)
            assert (found.module.course.title, found.module.title) == (course.title, "Module 1")


@pytest.mark.django_db
class TestEnrollmentLockedGet:
    def test_the_active_enrollment_or_none(self, course, make_course, student, other_student, enroll):
        # given a learner active in one course, revoked in another, and someone else in the first
        active = enroll(student, course)
        revoked_in = make_course()
        enroll(student, revoked_in, status=Enrollment.Status.REVOKED)
        enroll(other_student, revoked_in)
        with transaction.atomic():
            found = selectors.enrollment_locked_get(user=student, course_id=course.pk)
            assert _fields(found) == _fields(Enrollment.objects.get(pk=active.pk))
            assert selectors.enrollment_locked_get(user=student, course_id=revoked_in.pk) is None

    def test_course_lesson_count(self, make_course):
        assert selectors.course_lesson_count(course_id=make_course(modules=2, lessons=3).pk) == 6
        assert selectors.course_lesson_count(course_id=make_course().pk) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_enrollment_locked_get_holds_the_row(course, student, enroll):
    enrollment = enroll(student, course)
    with transaction.atomic():
        selectors.enrollment_locked_get(user=student, course_id=course.pk)
        with another_session() as other, pytest.raises(psycopg.errors.LockNotAvailable):
            other.execute("SELECT 1 FROM catalog_enrollment WHERE id = %s FOR NO KEY UPDATE NOWAIT", [enrollment.pk])

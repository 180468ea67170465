"""Services: curriculum order, enrollment, progress recounts and course completion (incl. races on PostgreSQL)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from model_bakery import baker

from catalog import services
from catalog.models import Course, Enrollment, Lesson, LessonProgress, Module
from catalog.tests.conftest import lessons_of
from common.exceptions import ConflictError, ForbiddenError, PaymentRequiredError
from tests.support.concurrency import another_session, raised, run_concurrently


@pytest.mark.django_db
class TestPositions:
    def test_module_insert_move_delete_stay_gap_free(self, make_course):
        course = make_course(modules=3)
        new = services.module_create(course=course, title="New", position=2)
        assert list(course.modules.order_by("position").values_list("title", flat=True)) == [
            "Module 1",
            "New",
            "Module 2",
            "Module 3",
        ]
        services.module_update(module=new, data={"position": 4})
        assert list(course.modules.values_list("position", flat=True).order_by("position")) == [1, 2, 3, 4]
        assert course.modules.get(pk=new.pk).position == 4
        services.module_delete(module=course.modules.get(title="Module 1"), actor=course.instructor)
        assert list(course.modules.order_by("position").values_list("title", "position")) == [
            ("Module 2", 1),
            ("Module 3", 2),
            ("New", 3),
        ]

    def test_lesson_move_to_same_place_writes_nothing(self, make_course):
        from django.test.utils import CaptureQueriesContext

        course = make_course(modules=1, lessons=3)
        lesson = lessons_of(course)[1]
        with CaptureQueriesContext(connection) as queries:
            services.lesson_update(lesson=lesson, data={"position": 2})
        assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
        assert [lesson.position for lesson in lessons_of(course)] == [1, 2, 3]

    def test_course_delete_with_payments_or_enrollments_is_conflict(self, course, student):
        baker.make(Enrollment, user=student, course=course, source="free")
        with pytest.raises(ConflictError) as exc:
            services.course_delete(course=course, actor=course.instructor)
        assert exc.value.code == "course_has_learners"


@pytest.mark.django_db
class TestEnrollment:
    def test_grant_is_idempotent_and_counts_learners_once(self, course, student):
        first = services.enrollment_grant(user=student, course=course, source="payment")
        second = services.enrollment_grant(user=student, course=course, source="payment")
        assert (first[1], second[1]) == (True, False)
        course.refresh_from_db()
        assert course.learner_count == 1

    def test_a_first_grant_writes_the_enrollment_and_the_count_without_reading_first(self, course, student):
        with CaptureQueriesContext(connection) as queries:
            enrollment, changed = services.enrollment_grant(user=student, course=course, source="free")
        assert changed and enrollment.status == "active"
        assert [query["sql"].split()[0] for query in queries] == ["INSERT", "UPDATE"]

    def test_a_grant_whose_enrollment_vanishes_after_the_insert_met_it_grants_afresh(self, course, student):
        # given an enrollment revoked, then deleted by staff between the grant's insert and its read
        enrollment, _ = services.enrollment_grant(user=student, course=course, source="payment")
        services.enrollment_revoke(enrollment=enrollment, reason="refund")
        real_read = services.enrollment_any_locked_get

        def read_after_a_deletion(**kwargs):
            Enrollment.objects.filter(user=student, course=course).delete()
            mocked.side_effect = real_read
            return real_read(**kwargs)

        with mock.patch.object(services, "enrollment_any_locked_get", side_effect=read_after_a_deletion) as mocked:
            enrollment, changed = services.enrollment_grant(user=student, course=course, source="admin")
        # then the learner has a new, active enrollment, counted once
        assert changed and Enrollment.objects.get(user=student, course=course).status == "active"
        course.refresh_from_db()
        assert course.learner_count == 1

    def test_revoke_then_grant_reactivates(self, course, student):
        enrollment, _ = services.enrollment_grant(user=student, course=course, source="payment")
        services.enrollment_revoke(enrollment=enrollment, reason="refund")
        course.refresh_from_db()
        assert course.learner_count == 0
        enrollment, changed = services.enrollment_grant(user=student, course=course, source="admin")
        assert changed and enrollment.status == "active" and enrollment.source == "admin"

    def test_create_refuses_paid_and_unpublished(self, make_course, student):
        with pytest.raises(PaymentRequiredError):
            services.enrollment_create(user=student, course=make_course(price=Decimal("1.00")))
        with pytest.raises(ConflictError):
            services.enrollment_create(user=student, course=make_course(status="draft"))


@pytest.mark.django_db
class TestCompletion:
    def test_fires_once_under_repeated_calls(self, course, student, completions):
        services.enrollment_grant(user=student, course=course, source="free")
        for lesson in lessons_of(course) * 2:
            services.lesson_complete(user=student, lesson=lesson)
        for _ in range(3):
            assert services.course_completion_check(user=student, course_id=course.pk) is False
        assert completions == [(student.pk, course.pk)]
        assert Enrollment.objects.get(user=student).completed_at is not None

    def test_quiz_pass_completes_through_completion_check(self, course, student, completions):
        module = course.modules.first()
        baker.make("assessments.Quiz", module=module, options=["a", "b"], correct_option=0, position=1)
        services.enrollment_grant(user=student, course=course, source="free")
        for lesson in lessons_of(course):
            services.lesson_complete(user=student, lesson=lesson)
        assert completions == []
        baker.make(
            "assessments.QuizAttempt",
            user=student,
            module=module,
            score=1,
            total=1,
            percentage=100,
            pass_mark=60,
            passed=True,
        )
        assert services.course_completion_check(user=student, course_id=course.pk) is True
        assert services.course_completion_check(user=student, course_id=course.pk) is False
        assert completions == [(student.pk, course.pk)]

    def test_revoked_learner_does_not_complete(self, course, student, completions):
        enrollment, _ = services.enrollment_grant(user=student, course=course, source="free")
        for lesson in lessons_of(course)[:-1]:
            services.lesson_complete(user=student, lesson=lesson)
        services.enrollment_revoke(enrollment=enrollment, reason="refund")
        with pytest.raises(ForbiddenError):
            services.lesson_complete(user=student, lesson=lessons_of(course)[-1])
        assert completions == []

    def test_new_lesson_lowers_percent_and_recount_is_exact(self, course, student, django_capture_on_commit_callbacks):
        services.enrollment_grant(user=student, course=course, source="free")
        services.lesson_complete(user=student, lesson=lessons_of(course)[0])
        with django_capture_on_commit_callbacks(execute=True):
            services.lesson_create(module=course.modules.first(), title="Extra")
        enrollment = Enrollment.objects.get(user=student)
        assert (enrollment.completed_lessons, enrollment.progress_percent) == (1, 20)

    def test_module_delete_with_learners_is_refused_and_keeps_their_progress(self, course, student):
        # given a learner who completed a lesson of the course's first module
        services.enrollment_grant(user=student, course=course, source="free")
        first = lessons_of(course)[0]
        services.lesson_complete(user=student, lesson=first)
        # when course staff try to delete that module
        with pytest.raises(ConflictError) as exc:
            services.module_delete(module=first.module, actor=course.instructor)
        # then it is refused, and the module and the learner's progress are untouched
        assert exc.value.code == "course_has_learners"
        assert Lesson.objects.filter(pk=first.pk).exists()
        assert LessonProgress.objects.filter(user=student, lesson=first).exists()
        enrollment = Enrollment.objects.get(user=student)
        assert (enrollment.completed_lessons, enrollment.progress_percent) == (1, 25)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestRaces:
    def test_concurrent_last_lesson_and_checks_complete_once(self, make_course, student, completions):
        course = make_course(modules=1, lessons=3)
        lessons = lessons_of(course)
        services.enrollment_grant(user=student, course=course, source="free")
        for lesson in lessons[:-1]:
            services.lesson_complete(user=student, lesson=lesson)
        last = Lesson.objects.select_related("module").get(pk=lessons[-1].pk)

        calls = iter(range(1000))

        def finish():
            # half the threads tick the last lesson, the other half re-check completion (as assessments does)
            if next(calls) % 2:
                services.lesson_complete(user=student, lesson=last)
            else:
                services.course_completion_check(user=student, course_id=course.pk)

        failures = raised(run_concurrently(finish, times=8))
        assert failures == []
        assert completions == [(student.pk, course.pk)]
        assert LessonProgress.objects.filter(user=student).count() == 3

    def test_concurrent_enroll_counts_one_learner(self, course, student):
        failures = raised(
            run_concurrently(lambda: services.enrollment_grant(user=student, course=course, source="free"), times=6)
        )
        assert failures == []
        assert Enrollment.objects.filter(user=student, course=course).count() == 1
        assert Course.objects.get(pk=course.pk).learner_count == 1

    def test_concurrent_module_inserts_keep_positions_unique_and_gap_free(self, make_course):
        course = make_course(modules=2)
        failures = raised(
            run_concurrently(lambda: services.module_create(course=course, title="Racer", position=1), times=6)
        )
        assert failures == []
        assert list(Module.objects.filter(course=course).order_by("position").values_list("position", flat=True)) == [
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
        ]


def _wait_until_blocked(*, seconds: float = 30) -> None:
    """Until some backend of this database waits on a lock (the thread under test reached its lock). Watched from
    its own autocommit session: within a transaction, pg_stat_activity answers from one snapshot."""
    deadline = time.monotonic() + seconds
    with another_session(autocommit=True) as observer:
        while time.monotonic() < deadline:
            waiting = observer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()[0]
            if waiting:
                return
            time.sleep(0.01)
    raise AssertionError("the write under test never waited for the course's lock")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestContentLockOrder:
    """Every content write locks its course's row first (fuzzing found a lesson edit and a module edit in one
    course deadlocking: the lesson's title trigger reaches the course row while the module's edit, holding the
    course, reaches the module)."""

    def test_a_lesson_edit_waiting_for_its_course_holds_no_module_lock(self, make_course):
        # given a course-level write in flight, holding the course's row as module_update does
        course = make_course(modules=1, lessons=2)
        lesson = Lesson.objects.select_related("module").filter(module__course=course).first()
        outcome = {}

        def edit_lesson():
            try:
                outcome["lesson"] = services.lesson_update(lesson=lesson, data={"title": "Renamed lesson"})
            except BaseException as exc:  # asserted below
                outcome["error"] = exc
            finally:
                connection.close()

        with another_session() as course_write:
            course_write.execute("SELECT id FROM catalog_course WHERE id = %s FOR UPDATE", [course.pk])
            # when a lesson edit of that course starts and queues behind it
            editor = threading.Thread(target=edit_lesson, daemon=True)
            editor.start()
            _wait_until_blocked()
            # then the in-flight write can still edit the module (the edit holds nothing of it) and commit
            course_write.execute("SET lock_timeout = '5s'")
            course_write.execute("UPDATE catalog_module SET title = 'Renamed module' WHERE id = %s", [lesson.module_id])
            course_write.commit()
            editor.join(timeout=60)
        # and the lesson edit then went through
        assert "error" not in outcome, outcome.get("error")
        assert outcome["lesson"].title == "Renamed lesson"
        assert Module.objects.get(pk=lesson.module_id).title == "Renamed module"

    def test_concurrent_content_edits_in_one_course_all_succeed(self, make_course):
        course = make_course(modules=2, lessons=3)
        lessons = list(Lesson.objects.filter(module__course=course).order_by("module__position", "position"))
        modules = list(Module.objects.filter(course=course).order_by("position"))
        edits = iter(range(1000))

        def edit():
            n = next(edits)
            match n % 4:
                case 0:
                    services.lesson_update(lesson=lessons[n % len(lessons)], data={"title": f"Lesson edit {n}"})
                case 1:
                    services.module_update(module=modules[n % 2], data={"title": f"Module edit {n}"})
                case 2:
                    services.lesson_create(module=modules[n % 2], title=f"New lesson {n}", position=1)
                case _:
                    services.course_update(course=course, data={"title": f"Course edit {n}"})

        assert raised(run_concurrently(edit, times=12)) == []
        for module in modules:
            positions = list(
                Lesson.objects.filter(module=module).order_by("position").values_list("position", flat=True)
            )
            assert positions == list(range(1, len(positions) + 1))

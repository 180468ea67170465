"""Review rules and the course's rating figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import Course, Enrollment
from catalog.services import enrollment_grant, enrollment_revoke
from common.exceptions import ConflictError, ForbiddenError
from reviews.models import Review
from reviews.services import (
    course_ratings_rebuild,
    review_create,
    review_delete,
    review_helpful_set,
    review_hidden_set,
    review_update,
)
from reviews.signals import review_created

pytestmark = pytest.mark.django_db


def figures(course) -> tuple:
    course = Course.objects.get(pk=course.pk)
    return course.rating_count, course.rating_average, course.rating_histogram


class TestWhoMayReview:
    def test_a_learner_with_progress_reviews_once(self, course, reviewer):
        review = review_create(user=reviewer, course=course, rating=4, body="Clear.")
        assert (review.rating, review.body, review.is_counted) == (4, "Clear.", True)
        with pytest.raises(ConflictError) as exc:
            review_create(user=reviewer, course=course, rating=5)
        assert exc.value.code == "already_reviewed"
        assert Review.objects.count() == 1

    def test_no_completed_lesson_is_refused(self, course, learner):
        with pytest.raises(ForbiddenError) as exc:
            review_create(user=learner(done=0), course=course, rating=5)
        assert exc.value.code == "review_needs_progress"

    def test_not_enrolled_is_refused(self, course, other_student):
        with pytest.raises(ForbiddenError) as exc:
            review_create(user=other_student, course=course, rating=5)
        assert exc.value.code == "not_enrolled"

    def test_a_revoked_learner_is_refused(self, course, reviewer):
        enrollment_revoke(enrollment=Enrollment.objects.get(user=reviewer), reason="refund")
        with pytest.raises(ForbiddenError):
            review_create(user=reviewer, course=course, rating=5)

    def test_creating_sends_review_created(self, course, reviewer, instructor):
        received = []
        review_created.connect(lambda sender, **kw: received.append(kw), weak=False, dispatch_uid="t")
        try:
            review = review_create(user=reviewer, course=course, rating=3)
        finally:
            review_created.disconnect(dispatch_uid="t")
        assert received[0]["review"] == review
        assert received[0]["instructor_id"] == instructor.pk


class TestFigures:
    def test_histogram_count_and_average_follow_every_change(self, course, learner):
        # given three reviews: 5, 4, 4
        a, b, c = learner(), learner(), learner()
        first = review_create(user=a, course=course, rating=5)
        review_create(user=b, course=course, rating=4)
        review_create(user=c, course=course, rating=4)
        assert figures(course) == (3, Decimal("4.33"), {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1})
        # when the 5 becomes a 1, then is deleted
        review_update(review=first, data={"rating": 1})
        assert figures(course) == (3, Decimal("3.00"), {"1": 1, "2": 0, "3": 0, "4": 2, "5": 0})
        review_delete(review=first, actor=a)
        assert figures(course) == (2, Decimal("4.00"), {"1": 0, "2": 0, "3": 0, "4": 2, "5": 0})

    def test_an_edit_of_the_text_only_keeps_the_figures(self, course, reviewer):
        review = review_create(user=reviewer, course=course, rating=2)
        review = review_update(review=review, data={"body": "Better now"})
        assert review.edited_at is not None
        assert figures(course)[0:2] == (1, Decimal("2.00"))

    def test_a_revoked_learner_stops_counting_and_counts_again_when_restored(self, course, reviewer):
        review_create(user=reviewer, course=course, rating=5)
        enrollment = Enrollment.objects.get(user=reviewer)
        # when the enrollment is revoked (a refund goes through the same service)
        enrollment_revoke(enrollment=enrollment, reason="refund")
        assert figures(course)[0] == 0
        assert Review.objects.get().is_counted is False
        # and when it is granted again
        enrollment_grant(user=reviewer, course=course, source=Enrollment.Source.ADMIN)
        assert figures(course)[0:2] == (1, Decimal("5.00"))

    def test_an_admin_deleting_a_review_is_audited(self, course, reviewer, admin_user):
        from audit.models import AuditLog

        review = review_create(user=reviewer, course=course, rating=1)
        review_delete(review=review, actor=admin_user)
        assert AuditLog.objects.get().action == "review.delete"
        assert figures(course)[0] == 0


class TestRepair:
    def test_check_reports_and_rebuild_repairs_drift(self, course, reviewer):
        review_create(user=reviewer, course=course, rating=3)
        Course.objects.filter(pk=course.pk).update(rating_count=7, rating_3_count=0, rating_5_count=7)
        assert course_ratings_rebuild(check=True) == [course.pk]
        assert figures(course)[0] == 7  # --check changes nothing
        assert course_ratings_rebuild() == [course.pk]
        assert figures(course) == (1, Decimal("3.00"), {"1": 0, "2": 0, "3": 1, "4": 0, "5": 0})
        assert course_ratings_rebuild(check=True) == []

    def test_the_command(self, course, reviewer):
        from django.core.management import CommandError, call_command

        review_create(user=reviewer, course=course, rating=3)
        Course.objects.filter(pk=course.pk).update(rating_count=0)
        Course.objects.filter(pk=course.pk).update(rating_3_count=0)
        with pytest.raises(CommandError):
            call_command("rebuild_course_ratings", "--check")
        call_command("rebuild_course_ratings")
        call_command("rebuild_course_ratings", "--check")


class TestHelpful:
    def test_one_vote_per_user_and_it_can_be_taken_back(self, course, reviewer, other_student):
        review = review_create(user=reviewer, course=course, rating=4)
        assert review_helpful_set(user=other_student, review=review, helpful=True).helpful_count == 1
        assert review_helpful_set(user=other_student, review=review, helpful=True).helpful_count == 1
        assert review_helpful_set(user=other_student, review=review, helpful=False).helpful_count == 0
        assert review_helpful_set(user=other_student, review=review, helpful=False).helpful_count == 0

    def test_not_on_ones_own_review(self, course, reviewer):
        review = review_create(user=reviewer, course=course, rating=4)
        with pytest.raises(ForbiddenError):
            review_helpful_set(user=reviewer, review=review, helpful=True)


class TestHidden:
    """Moderation hides a review (forum's flag queue calls ``review_hidden_set``): out of the figures while hidden."""

    def test_hiding_and_showing_move_the_stars_out_and_back(self, course, learner):
        # given two counted reviews: 5 and 3
        five = review_create(user=learner(), course=course, rating=5)
        review_create(user=learner(), course=course, rating=3)
        # when the 5 is hidden (twice: idempotent)
        review_hidden_set(review_id=five.pk, hidden=True)
        hidden = review_hidden_set(review_id=five.pk, hidden=True)
        # then it is out of the figures, and the repair command agrees
        assert (hidden.is_hidden, hidden.hidden_at is not None, hidden.in_figures) == (True, True, False)
        assert figures(course) == (1, Decimal("3.00"), {"1": 0, "2": 0, "3": 1, "4": 0, "5": 0})
        assert course_ratings_rebuild(check=True) == []
        # when it is shown again it counts again
        shown = review_hidden_set(review_id=five.pk, hidden=False)
        assert (shown.is_hidden, shown.hidden_at) == (False, None)
        assert figures(course) == (2, Decimal("4.00"), {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1})
        assert course_ratings_rebuild(check=True) == []

    def test_edits_and_deletion_of_a_hidden_review_leave_the_figures(self, course, reviewer):
        review = review_create(user=reviewer, course=course, rating=5)
        review_hidden_set(review_id=review.pk, hidden=True)
        review_update(review=review, data={"rating": 1})
        assert figures(course)[0::2] == (0, {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0})
        # shown again, it counts with its new stars
        review_hidden_set(review_id=review.pk, hidden=False)
        assert figures(course)[2]["1"] == 1
        review_hidden_set(review_id=review.pk, hidden=True)
        review_delete(review=review, actor=reviewer)
        assert figures(course)[0] == 0
        assert course_ratings_rebuild(check=True) == []

    def test_revocation_and_restoring_while_hidden_count_nothing_twice(self, course, reviewer):
        # given a hidden review whose author is then refunded and re-enrolled
        review = review_create(user=reviewer, course=course, rating=4)
        review_hidden_set(review_id=review.pk, hidden=True)
        enrollment = Enrollment.objects.get(user=reviewer)
        enrollment_revoke(enrollment=enrollment, reason="refund")
        assert figures(course)[0] == 0
        enrollment_grant(user=reviewer, course=course, source=Enrollment.Source.FREE)
        # then it is counted (enrollment) but still out of the figures (hidden)
        review.refresh_from_db()
        assert (review.is_counted, review.is_hidden) == (True, True)
        assert figures(course)[0] == 0
        # and a hidden review of a revoked learner shown again stays out until access returns
        enrollment_revoke(enrollment=Enrollment.objects.get(user=reviewer), reason="refund")
        review_hidden_set(review_id=review.pk, hidden=False)
        assert figures(course)[0] == 0
        assert course_ratings_rebuild(check=True) == []

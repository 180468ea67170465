"""Business rules of reviews: who may review, editing and deleting, the instructor's reply, helpful votes,
and the course's rating figures kept exact (through ``catalog.services.course_rating_change``).

Lock order, the same everywhere so nothing can deadlock: the reviewer's enrollment (creating; catalog's
revocation holds it when it tells us), then the review, then the course (inside catalog's service).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from audit.services import audit_record
from catalog.errors import CatalogErrorCode
from catalog.models import Course, Enrollment
from catalog.permissions import course_staff_require
from catalog.services import course_rating_change, course_rating_set
from common.exceptions import ConflictError, ForbiddenError
from common.services import model_update
from reviews.errors import ReviewsErrorCode
from reviews.models import IN_FIGURES, HelpfulVote, Review
from reviews.signals import review_created


def _review_lock(review: Review) -> Review:
    return Review.objects.select_for_update().select_related("course").get(pk=review.pk)


@transaction.atomic
def review_create(*, user, course: Course, rating: int, body: str = "") -> Review:
    """A learner with an active enrollment who has completed a lesson rates the course, once."""
    # The enrollment's row lock orders us after (or before) a concurrent revocation of it.
    enrollment = (
        Enrollment.objects.select_for_update()
        .filter(user_id=user.pk, course_id=course.pk, status=Enrollment.Status.ACTIVE)
        .first()
    )
    if enrollment is None:
        raise ForbiddenError("Enroll in this course to review it.", code=CatalogErrorCode.NOT_ENROLLED)
    if enrollment.completed_lessons < 1:
        raise ForbiddenError(
            "Complete at least one lesson before reviewing.", code=ReviewsErrorCode.REVIEW_NEEDS_PROGRESS
        )
    try:
        with transaction.atomic():
            review = Review.objects.create(course=course, user=user, rating=rating, body=body)
    except IntegrityError as exc:
        raise ConflictError(
            "You have already reviewed this course; edit your review instead.", code=ReviewsErrorCode.ALREADY_REVIEWED
        ) from exc
    course_rating_change(course_id=course.pk, add=rating)
    review_created.send(
        sender=Review, review=review, course_id=course.pk, user=user, instructor_id=course.instructor_id
    )
    return review


@transaction.atomic
def review_update(*, review: Review, data: dict[str, Any]) -> Review:
    """The author changes the stars or the text; a counted review's old stars make way for the new."""
    review = _review_lock(review)
    previous = review.rating
    review, changed = model_update(instance=review, fields=("rating", "body"), data=data)
    if changed:
        review.edited_at = timezone.now()
        review.save(update_fields=["edited_at"])
    if review.in_figures and review.rating != previous:
        course_rating_change(course_id=review.course_id, remove=previous, add=review.rating)
    return review


@transaction.atomic
def review_delete(*, review: Review, actor) -> None:
    """The author withdraws their review, or an admin removes it (audited)."""
    review = _review_lock(review)
    if review.in_figures:
        course_rating_change(course_id=review.course_id, remove=review.rating)
    if actor.pk != review.user_id:
        audit_record(
            actor=actor,
            action="review.delete",
            target=review,
            details={"course": str(review.course_id), "user": str(review.user_id), "rating": review.rating},
        )
    review.delete()


@transaction.atomic
def review_reply(*, actor, review: Review, body: str) -> Review:
    """The course's instructor (or an admin) answers a review, once."""
    review = _review_lock(review)
    course_staff_require(user=actor, course=review.course)
    if review.replied_at is not None:
        raise ConflictError("This review already has a reply.", code=ReviewsErrorCode.ALREADY_REPLIED)
    review.reply_body = body
    review.replied_at = timezone.now()
    review.replied_by = actor
    review.save(update_fields=["reply_body", "replied_at", "replied_by", "updated_at"])
    return review


@transaction.atomic
def review_helpful_set(*, user, review: Review, helpful: bool) -> Review:
    """Mark a review helpful (or take it back); one vote per user, so the count equals the vote rows."""
    if review.user_id == user.pk:
        raise ForbiddenError("You cannot vote on your own review.", code=ReviewsErrorCode.REVIEW_OWN_HELPFUL)
    if helpful:
        try:
            with transaction.atomic():
                HelpfulVote.objects.create(review=review, user=user)
        except IntegrityError:
            pass  # already voted: nothing changes
        else:
            Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") + 1)
    else:
        deleted, _ = HelpfulVote.objects.filter(review=review, user=user).delete()
        if deleted:
            Review.objects.filter(pk=review.pk, helpful_count__gt=0).update(helpful_count=F("helpful_count") - 1)
    review.refresh_from_db(fields=["helpful_count"])
    return review


def _counted_set(*, user_id: UUID, course_id: UUID, counted: bool) -> None:
    review = Review.objects.select_for_update().filter(user_id=user_id, course_id=course_id).first()
    if review is None or review.is_counted == counted:
        return
    review.is_counted = counted
    review.save(update_fields=["is_counted", "updated_at"])
    # A hidden review is out of the figures already and comes back only when it is shown again.
    if not review.is_hidden:
        _figures_move(review=review, into=counted)


def _figures_move(*, review: Review, into: bool) -> None:
    if into:
        course_rating_change(course_id=review.course_id, add=review.rating)
    else:
        course_rating_change(course_id=review.course_id, remove=review.rating)


@transaction.atomic
def review_hidden_set(*, review_id: UUID, hidden: bool) -> Review:
    """Moderation hides a review (or shows it again): a hidden review leaves the course's figures and the
    listing (its author and admins still see it); shown again, it counts again if its author still has access.

    Called by forum's moderation (auto-hide after enough flags, a moderator's decision), which holds the
    review's row lock already; taking it here too keeps the flip and the figures one step for any caller.
    """
    review = Review.objects.select_for_update().get(pk=review_id)
    if review.is_hidden == hidden:
        return review
    review.is_hidden = hidden
    review.hidden_at = timezone.now() if hidden else None
    review.save(update_fields=["is_hidden", "hidden_at", "updated_at"])
    if review.is_counted:
        _figures_move(review=review, into=not hidden)
    return review


@transaction.atomic
def review_counting_stop(*, user_id: UUID, course_id: UUID) -> None:
    """The reviewer lost access (refund, revocation): the review leaves the figures and the listing."""
    _counted_set(user_id=user_id, course_id=course_id, counted=False)


@transaction.atomic
def review_counting_resume(*, user_id: UUID, course_id: UUID) -> None:
    """The reviewer has access again: their review counts again."""
    _counted_set(user_id=user_id, course_id=course_id, counted=True)


def course_ratings_rebuild(*, check: bool = False) -> list[UUID]:
    """Recount every course's figures from the reviews in them (counted and not hidden); returns the courses
    that were wrong (and, unless ``check``, repairs them through catalog's service)."""
    counted = Review.objects.filter(IN_FIGURES).order_by().values_list("course_id", "rating").annotate(n=Count("pk"))
    histograms: dict[UUID, dict[int, int]] = {}
    for course_id, rating, n in counted:
        histograms.setdefault(course_id, {})[rating] = n
    wrong = []
    fields = [f"rating_{stars}_count" for stars in range(1, 6)]
    for course_id, *stored in Course.objects.order_by("pk").values_list("pk", *fields):
        expected = [histograms.get(course_id, {}).get(stars, 0) for stars in range(1, 6)]
        if expected != list(stored):
            wrong.append(course_id)
            if not check:
                course_rating_set(course_id=course_id, histogram=histograms.get(course_id, {}))
    return wrong

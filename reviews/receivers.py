"""Reactions of reviews to other apps' domain events (connected in ``ReviewsConfig.ready()``)."""

from __future__ import annotations

from reviews.services import review_counting_resume, review_counting_stop


def on_enrollment_revoked(sender, *, user_id, course_id, enrollment, **kwargs) -> None:
    review_counting_stop(user_id=user_id, course_id=course_id)


def on_enrollment_restored(sender, *, user_id, course_id, enrollment, **kwargs) -> None:
    review_counting_resume(user_id=user_id, course_id=course_id)

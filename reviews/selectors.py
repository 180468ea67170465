"""Reads of reviews: a course's listed reviews in the chosen order, and one review for a write."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Exists, OuterRef, Q, QuerySet, Value

from catalog.models import Course
from catalog.selectors import course_list_visible
from reviews.models import HelpfulVote, Review

REVIEW_ORDERINGS = {
    "newest": ("-created_at", "pk"),
    "helpful": ("-helpful_count", "-created_at", "pk"),
    "highest": ("-rating", "-created_at", "pk"),
    "lowest": ("rating", "-created_at", "pk"),
}


def review_course_get(*, user, course_id: UUID) -> Course | None:
    """The course if ``user`` may see it (its reviews are as visible as the course)."""
    return course_list_visible(user=user).filter(pk=course_id).first()


def _visible(user) -> Q:
    """Reviews a user may read: hidden ones (moderation) only by their author and admins, as in the forum."""
    if user.is_authenticated and user.is_admin:
        return Q()
    if user.is_authenticated:
        return Q(is_hidden=False) | Q(user_id=user.pk)
    return Q(is_hidden=False)


def review_list_for_course(*, user, course: Course, ordering: str = "newest") -> QuerySet[Review]:
    """Counted reviews of ``course`` the viewer may read, with their authors and whether the viewer found
    each helpful (one query per page)."""
    queryset = (
        Review.objects.filter(course_id=course.pk, is_counted=True)
        .filter(_visible(user))
        .select_related("user", "replied_by")
    )
    return _with_viewer(queryset, user).order_by(*REVIEW_ORDERINGS[ordering])


def review_get_for_user(*, user, review_id: UUID) -> Review | None:
    """A review ``user`` may read (its course visible to them; hidden ones only to the author and admins),
    with its course, author and the viewer's helpful vote."""
    queryset = Review.objects.filter(_visible(user), pk=review_id, course__in=course_list_visible(user=user))
    return _with_viewer(queryset.select_related("course", "user", "replied_by"), user).first()


def _with_viewer(queryset: QuerySet[Review], user) -> QuerySet[Review]:
    if not user.is_authenticated:
        return queryset.annotate(viewer_found_helpful=Value(False))
    voted = HelpfulVote.objects.filter(review_id=OuterRef("pk"), user_id=user.pk)
    return queryset.annotate(viewer_found_helpful=Exists(voted))

"""Reads of the forum, each enforcing who may see what.

A course's forum is open to its active learners, its instructor and admins; an unpublished course's
forum does not exist for anyone else (404). Hidden posts and replies are visible only to their author
and admins. Soft-deleted items stay in threads (the serializers show "[deleted]").
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import BooleanField, ExpressionWrapper, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from catalog.models import Course
from catalog.permissions import course_visible_require, is_course_staff
from catalog.selectors import active_enrollment_get
from common.exceptions import ForbiddenError, NotFoundError
from common.precompiled import PrecompiledQuery
from forum.errors import ForumErrorCode
from forum.models import Flag, Post, Reply, Vote

POST_ORDERINGS = {
    "newest": ("-created_at", "-id"),
    "votes": ("-votes", "-created_at", "-id"),
    # Unanswered (no accepted reply) first, the least-replied of those first, then the newest.
    "unanswered": ("is_answered", "reply_count", "-created_at", "-id"),
}


def can_see_hidden(*, user, item: Post | Reply) -> bool:
    return user.is_admin or item.user_id == user.pk


def _visible(user) -> Q:
    """Rows a user may see: everything for admins, otherwise not hidden unless it is their own."""
    if user.is_admin:
        return Q()
    return Q(is_hidden=False) | Q(user=user)


def forum_access_check(*, user, course: Course) -> None:
    """Raise unless ``user`` may read and write ``course``'s forum."""
    if is_course_staff(user=user, course=course):
        return
    # The catalogue's rule: a course (and so its forum) the user may not see does not exist for them.
    course_visible_require(user=user, course=course, not_found="Course not found.")
    if active_enrollment_get(user=user, course_id=course.pk) is None:
        raise ForbiddenError(
            "Only learners enrolled in this course can use its forum.", code=ForumErrorCode.FORUM_ACCESS_DENIED
        )


# Course.objects.filter(pk=...).first(), compiled once (common.precompiled): read by every forum request.
_COURSE = PrecompiledQuery(
    lambda course_id: Course.objects.filter(pk=course_id),
    placeholder=UUID(int=0),
    field=Course._meta.pk,
)


def forum_course_get(*, user, course_id: UUID) -> Course:
    found = _COURSE.instances(course_id, using=_COURSE.db_for_read(), limit=1)
    course = found[0] if found else None
    if course is None:
        raise NotFoundError("Course not found.")
    forum_access_check(user=user, course=course)
    return course


def _with_viewer_fields(queryset: QuerySet[Post], *, user) -> QuerySet[Post]:
    my_vote = Vote.objects.filter(post=OuterRef("pk"), user=user).values("value")[:1]
    return queryset.select_related("user").annotate(
        my_vote=Coalesce(Subquery(my_vote, output_field=IntegerField()), Value(0)),
        is_answered=ExpressionWrapper(Q(accepted_reply__isnull=False), output_field=BooleanField()),
    )


def post_list(
    *, user, course: Course, module_id: UUID | None = None, search: str = "", ordering: str = "newest"
) -> QuerySet[Post]:
    """Posts of a course the viewer may see; author, score, my vote and answered state come in the same query."""
    queryset = Post.objects.filter(course=course).filter(_visible(user))
    # A deleted question with no remaining answers is noise; one with answers keeps its thread.
    queryset = queryset.filter(Q(deleted_at__isnull=True) | Q(reply_count__gt=0))
    if module_id is not None:
        queryset = queryset.filter(module_id=module_id)
    if search:
        queryset = queryset.filter(deleted_at__isnull=True).filter(
            Q(title__icontains=search) | Q(body__icontains=search)
        )
    return _with_viewer_fields(queryset, user=user).order_by(*POST_ORDERINGS[ordering])


def post_get(*, user, post_id: UUID) -> Post:
    """One post the viewer may read (404 when absent or hidden from them, 403 without forum access)."""
    post = _with_viewer_fields(Post.objects.select_related("course"), user=user).filter(pk=post_id).first()
    if post is None:
        raise NotFoundError("Post not found.")
    forum_access_check(user=user, course=post.course)
    if post.is_hidden and not can_see_hidden(user=user, item=post):
        raise NotFoundError("Post not found.")
    return post


def reply_list(*, user, post: Post) -> QuerySet[Reply]:
    """Replies of a post in the order they were written; deleted ones stay as placeholders."""
    return post.replies.filter(_visible(user)).select_related("user").order_by("created_at", "id")


def reply_get(*, user, reply_id: UUID) -> Reply:
    reply = Reply.objects.select_related("user", "post__course").filter(pk=reply_id).first()
    if reply is None:
        raise NotFoundError("Reply not found.")
    forum_access_check(user=user, course=reply.post.course)
    if (reply.is_hidden and not can_see_hidden(user=user, item=reply)) or (
        reply.post.is_hidden and not can_see_hidden(user=user, item=reply.post)
    ):
        raise NotFoundError("Reply not found.")
    return reply


def flag_list(*, status: str | None = None) -> QuerySet[Flag]:
    """The moderation queue: flags with their item (post, reply or review), its course and the people
    involved, in one query."""
    queryset = Flag.objects.select_related(
        "reporter",
        "resolved_by",
        "post__course",
        "post__user",
        "reply__user",
        "reply__post__course",
        "review__course",
        "review__user",
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")

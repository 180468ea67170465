"""Business rules of the forum: writing, editing and deleting, accepted answers, votes and flags (of forum
writing and of course reviews, whose hidden state reviews' own service changes).

Callers obtain posts and replies through ``forum.selectors`` (which enforce read access to the
course's forum); these services enforce who may change what. Denormalised counters (``Post.votes``,
``Post.reply_count``) change only here, with F() updates under the row lock of the item whose state
changes, so they stay equal to what they count under concurrent requests.
"""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from audit.services import audit_record
from catalog.models import Course, Module
from catalog.permissions import is_course_staff
from common.exceptions import ApplicationError, ConflictError, ForbiddenError
from forum.errors import ForumErrorCode
from forum.models import Flag, Post, Reply, Vote
from forum.signals import post_created, reply_accepted, reply_created
from reviews.models import Review
from reviews.services import review_hidden_set


def _ensure_author(*, user, item: Post | Reply) -> None:
    if item.user_id != user.pk:
        raise ForbiddenError("Only the author can edit this.", code=ForumErrorCode.FORUM_NOT_AUTHOR)
    if item.deleted_at is not None:
        raise ConflictError("This has been deleted.", code=ForumErrorCode.FORUM_DELETED)


def _may_moderate(*, user, course: Course) -> bool:
    return is_course_staff(user=user, course=course)


# --- Posts ---------------------------------------------------------------------------------------


@transaction.atomic
def post_create(*, user, course: Course, title: str, body: str, module_id: UUID | None = None) -> Post:
    module = None
    if module_id is not None:
        module = Module.objects.filter(pk=module_id, course=course).first()
        if module is None:
            raise ApplicationError(
                "This module is not part of the course.",
                code=ForumErrorCode.FORUM_MODULE_NOT_IN_COURSE,
                errors={"module": ["This module is not part of the course."]},
            )
    post = Post.objects.create(course=course, module=module, user=user, title=title, body=body)
    post_created.send(sender=Post, user=user, post=post)
    # The viewer fields ``selectors.post_get`` adds, as they stand for a post nobody has voted on or
    # answered yet: the author sees it without reading it back.
    post.my_vote, post.is_answered = 0, False
    return post


@transaction.atomic
def post_update(*, user, post: Post, title: str | None = None, body: str | None = None) -> Post:
    post = Post.objects.select_for_update().get(pk=post.pk)
    _ensure_author(user=user, item=post)
    fields = ["edited_at", "updated_at"]
    if title is not None:
        post.title = title
        fields.append("title")
    if body is not None:
        post.body = body
        fields.append("body")
    post.edited_at = timezone.now()
    post.save(update_fields=fields)
    return post


@transaction.atomic
def post_delete(*, user, post: Post) -> Post:
    """Soft delete by the author, the course's instructor or an admin. Idempotent."""
    post = Post.objects.select_for_update().select_related("course").get(pk=post.pk)
    is_author = post.user_id == user.pk
    if not is_author and not _may_moderate(user=user, course=post.course):
        raise ForbiddenError(
            "Only the author, the course's instructor or an admin can delete this.",
            code=ForumErrorCode.FORUM_NOT_ALLOWED,
        )
    if post.deleted_at is not None:
        return post
    post.deleted_at = timezone.now()
    post.deleted_by = user
    post.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    if not is_author:
        audit_record(actor=user, action="post.delete", target=post, details={"author": str(post.user_id)})
    return post


# --- Replies -------------------------------------------------------------------------------------


@transaction.atomic
def reply_create(*, user, post: Post, body: str) -> Reply:
    if post.deleted_at is not None:
        raise ConflictError("This question has been deleted.", code=ForumErrorCode.FORUM_DELETED)
    reply = Reply.objects.create(post=post, user=user, body=body)
    Post.objects.filter(pk=post.pk).update(reply_count=F("reply_count") + 1)
    reply_created.send(sender=Reply, user=user, reply=reply, post=post)
    return reply


@transaction.atomic
def reply_update(*, user, reply: Reply, body: str) -> Reply:
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
    _ensure_author(user=user, item=reply)
    reply.body = body
    reply.edited_at = timezone.now()
    reply.save(update_fields=["body", "edited_at", "updated_at"])
    return reply


@transaction.atomic
def reply_delete(*, user, reply: Reply) -> Reply:
    """Soft delete by the author, the course's instructor or an admin. Idempotent."""
    # The reply's row lock makes the visible → deleted transition (and its counter update) happen once.
    reply = Reply.objects.select_for_update().select_related("post__course").get(pk=reply.pk)
    is_author = reply.user_id == user.pk
    if not is_author and not _may_moderate(user=user, course=reply.post.course):
        raise ForbiddenError(
            "Only the author, the course's instructor or an admin can delete this.",
            code=ForumErrorCode.FORUM_NOT_ALLOWED,
        )
    if reply.deleted_at is not None:
        return reply
    reply.deleted_at = timezone.now()
    reply.deleted_by = user
    reply.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    if not reply.is_hidden:
        Post.objects.filter(pk=reply.post_id).update(reply_count=F("reply_count") - 1)
    # A deleted answer no longer answers the question.
    Post.objects.filter(pk=reply.post_id, accepted_reply=reply).update(accepted_reply=None)
    if not is_author:
        audit_record(actor=user, action="reply.delete", target=reply, details={"author": str(reply.user_id)})
    return reply


@transaction.atomic
def reply_accept(*, user, reply: Reply) -> Reply:
    """The post's author or the course's instructor marks ``reply`` as the accepted answer (replacing any other).

    ``reply_accepted`` is sent the first time a reply is accepted, unless the person accepting wrote it
    (no XP for accepting one's own answer).
    """
    # The post's row lock serialises competing accepts on one question.
    post = Post.objects.select_for_update().select_related("course").get(pk=reply.post_id)
    # The course's instructor while still one (a demoted owner is no longer course staff); admins moderate
    # by hiding or deleting, they do not pick answers.
    is_course_instructor = user.is_instructor and is_course_staff(user=user, course=post.course)
    if user.pk != post.user_id and not is_course_instructor:
        raise ForbiddenError(
            "Only the question's author or the course's instructor can accept an answer.",
            code=ForumErrorCode.FORUM_NOT_ALLOWED,
        )
    if post.deleted_at is not None:
        raise ConflictError("This question has been deleted.", code=ForumErrorCode.FORUM_DELETED)
    reply = Reply.objects.select_for_update().select_related("user").get(pk=reply.pk)
    if reply.deleted_at is not None or reply.is_hidden:
        raise ConflictError("This reply can no longer be accepted.", code=ForumErrorCode.FORUM_REPLY_UNAVAILABLE)
    if post.accepted_reply_id == reply.pk:
        return reply
    post.accepted_reply = reply
    post.save(update_fields=["accepted_reply", "updated_at"])
    if reply.first_accepted_at is None:
        reply.first_accepted_at = timezone.now()
        reply.save(update_fields=["first_accepted_at", "updated_at"])
        if reply.user_id != user.pk:
            reply_accepted.send(sender=Reply, user=reply.user, reply=reply, accepted_by=user)
    return reply


# --- Votes ---------------------------------------------------------------------------------------


@transaction.atomic
def post_vote(*, user, post: Post, value: int) -> tuple[Post, int]:
    """Set ``user``'s vote on ``post`` to 1, -1 or 0 (withdrawn). Returns (post with its new score, my vote)."""
    if value not in (1, -1, 0):
        raise ApplicationError("A vote is 1, -1 or 0.", errors={"value": ["A vote is 1, -1 or 0."]})
    # Every vote on a post takes the post's row lock first, so the vote row and the score change together
    # and the score always equals the sum of the votes.
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.user_id == user.pk:
        raise ForbiddenError("You cannot vote on your own question.", code=ForumErrorCode.FORUM_VOTE_OWN_POST)
    if post.deleted_at is not None:
        raise ConflictError("This question has been deleted.", code=ForumErrorCode.FORUM_DELETED)
    vote = Vote.objects.filter(post=post, user=user).first()
    previous = vote.value if vote else 0
    if value == 0:
        if vote:
            vote.delete()
    elif vote:
        if vote.value != value:
            vote.value = value
            vote.save(update_fields=["value", "updated_at"])
    else:
        Vote.objects.create(post=post, user=user, value=value)
    if value != previous:
        Post.objects.filter(pk=post.pk).update(votes=F("votes") + (value - previous))
        post.refresh_from_db(fields=["votes"])
    return post, value


# --- Flags and moderation ------------------------------------------------------------------------


def _item_set_hidden(*, item: Post | Reply | Review, hidden: bool) -> None:
    """Hide or show a locked item; a reply's visibility counts in its post's reply_count, a review's in its
    course's rating figures (reviews' own service keeps those)."""
    if isinstance(item, Review):
        review_hidden_set(review_id=item.pk, hidden=hidden)
        return
    if item.is_hidden == hidden:
        return
    item.is_hidden = hidden
    item.hidden_at = timezone.now() if hidden else None
    item.save(update_fields=["is_hidden", "hidden_at", "updated_at"])
    if isinstance(item, Reply) and item.deleted_at is None:
        Post.objects.filter(pk=item.post_id).update(reply_count=F("reply_count") + (-1 if hidden else 1))


_ITEM_MODELS: dict[str, type[Post | Reply | Review]] = {
    Flag.ItemType.POST: Post,
    Flag.ItemType.REPLY: Reply,
    Flag.ItemType.REVIEW: Review,
}


def _item_lock(*, item_type: str, item_id: UUID) -> Post | Reply | Review:
    return _ITEM_MODELS[item_type].objects.select_for_update().get(pk=item_id)


def _item_flags(*, item_type: str, item: Post | Reply | Review):
    return Flag.objects.filter(**{item_type: item})


@transaction.atomic
def flag_create(
    *, user, reason: str, post: Post | None = None, reply: Reply | None = None, review: Review | None = None
) -> Flag:
    """Report a post, a reply or a course review. Once per reader and item; enough open flags hide the item
    until a moderator decides."""
    given = {Flag.ItemType.POST: post, Flag.ItemType.REPLY: reply, Flag.ItemType.REVIEW: review}
    targets = {item_type: item for item_type, item in given.items() if item is not None}
    if len(targets) != 1:
        raise ValueError("Flag exactly one of post, reply or review.")
    [(item_type, item)] = targets.items()
    # The item's row lock makes counting open flags and hiding one atomic step (for a review it is also the
    # lock reviews takes before the course's, so the figures move once).
    item = _item_lock(item_type=item_type, item_id=item.pk)
    if item.user_id == user.pk:
        raise ForbiddenError("You cannot flag your own writing.", code=ForumErrorCode.FORUM_FLAG_OWN_CONTENT)
    if getattr(item, "deleted_at", None) is not None:
        raise ConflictError("This has been deleted.", code=ForumErrorCode.FORUM_DELETED)
    try:
        with transaction.atomic():
            flag = Flag.objects.create(reporter=user, reason=reason, **{item_type: item})
    except IntegrityError as exc:
        raise ConflictError("You have already flagged this.", code=ForumErrorCode.FORUM_ALREADY_FLAGGED) from exc
    open_flags = _item_flags(item_type=item_type, item=item).filter(status=Flag.Status.OPEN).count()
    if open_flags >= settings.FORUM_AUTO_HIDE_FLAGS:
        _item_set_hidden(item=item, hidden=True)
    return flag


class FlagAction:
    HIDE = "hide"
    DISMISS = "dismiss"
    CHOICES = (HIDE, DISMISS)


@transaction.atomic
def flag_resolve(*, actor, flag: Flag, action: str) -> Flag:
    """A moderator decides on a flagged item: ``hide`` it or ``dismiss`` the reports.

    The decision is about the item, so every open flag on it is resolved together; one audit entry
    (``flag.hide`` / ``flag.dismiss``) records it. Dismissing shows an automatically hidden item again,
    unless a moderator hid it earlier.
    """
    if not actor.is_admin:
        raise ForbiddenError("Only administrators can moderate.")
    if action not in FlagAction.CHOICES:
        raise ApplicationError(
            "Unknown action.", errors={"action": [f"Choose one of: {', '.join(FlagAction.CHOICES)}."]}
        )
    # Lock order item → flags (as in flag_create), so two moderators on one item cannot deadlock.
    item_type = flag.item_type
    item = _item_lock(item_type=item_type, item_id=flag.item_id)
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    if flag.status != Flag.Status.OPEN:
        raise ConflictError("This flag has already been resolved.", code=ForumErrorCode.FLAG_ALREADY_RESOLVED)
    item_flags = _item_flags(item_type=item_type, item=item)
    if action == FlagAction.HIDE:
        status = Flag.Status.HIDDEN
        _item_set_hidden(item=item, hidden=True)
    else:
        status = Flag.Status.DISMISSED
        if not item_flags.filter(status=Flag.Status.HIDDEN).exists():
            _item_set_hidden(item=item, hidden=False)
    resolved = item_flags.filter(status=Flag.Status.OPEN).update(
        status=status, resolved_by=actor, resolved_at=timezone.now(), updated_at=timezone.now()
    )
    flag.refresh_from_db()
    audit_record(
        actor=actor,
        action=f"flag.{action}",
        target=flag,
        details={"item_type": item_type, "item_id": str(item.pk), "flags_resolved": resolved},
    )
    return flag

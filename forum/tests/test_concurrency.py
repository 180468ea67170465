"""Counters and auto-hide under concurrent requests (PostgreSQL, real threads)."""

from __future__ import annotations

import pytest

from forum.models import Flag, Post, Reply
from forum.services import flag_create, reply_create
from tests.support.concurrency import raised, run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_flags_hide_a_reply_once(make_user, make_learner, make_post):
    # Given a visible reply counted in its post
    post = make_post(make_user("student"))
    reply = reply_create(user=make_learner(), post=post, body="Buy followers here")
    reporters = [make_learner() for _ in range(6)]
    # When six readers flag it at the same moment
    errors = raised(run_concurrently(*[lambda u=u: flag_create(user=u, reply=reply, reason="Spam") for u in reporters]))
    # Then every flag is recorded, the reply is hidden, and it left the count exactly once
    assert errors == []
    assert Flag.objects.filter(reply=reply, status="open").count() == 6
    assert Reply.objects.get(pk=reply.pk).is_hidden is True
    assert Post.objects.get(pk=post.pk).reply_count == 0


def test_concurrent_replies_are_all_counted(make_user, make_learner, make_post):
    post = make_post(make_user("student"))
    authors = [make_learner() for _ in range(10)]
    errors = raised(run_concurrently(*[lambda u=u: reply_create(user=u, post=post, body="Same here") for u in authors]))
    assert errors == []
    assert Post.objects.get(pk=post.pk).reply_count == 10 == Reply.objects.filter(post=post).count()


def test_the_same_reader_flagging_twice_at_once_gets_one_flag(make_user, make_learner, make_post):
    post = make_post(make_user("student"))
    reader = make_learner()
    errors = raised(run_concurrently(lambda: flag_create(user=reader, post=post, reason="Spam"), times=4))
    assert Flag.objects.filter(post=post).count() == 1
    assert len(errors) == 3
    assert all(getattr(error, "code", None) == "forum_already_flagged" for error in errors)


def test_concurrent_flags_hide_a_review_once_and_take_it_out_of_the_rating_once(
    course, make_user, make_learner, settings
):
    from catalog.models import Course, Enrollment
    from reviews.models import Review
    from reviews.services import course_ratings_rebuild, review_create

    settings.FORUM_AUTO_HIDE_FLAGS = 3
    # Given a 5 and a 1 in the course's figures
    authors = [make_learner(), make_learner()]
    Enrollment.objects.filter(user__in=authors).update(completed_lessons=1)
    review = review_create(user=authors[0], course=course, rating=5)
    review_create(user=authors[1], course=course, rating=1)
    readers = [make_user("student") for _ in range(8)]
    # When eight readers flag the 5 at the same moment
    errors = raised(run_concurrently(*[lambda u=u: flag_create(user=u, review=review, reason="Fake") for u in readers]))
    # Then every flag is recorded, the review is hidden, and its stars left the figures exactly once
    assert errors == []
    assert Flag.objects.filter(review=review, status="open").count() == 8
    assert Review.objects.get(pk=review.pk).is_hidden is True
    course = Course.objects.get(pk=course.pk)
    assert (course.rating_count, course.rating_5_count, course.rating_1_count) == (1, 0, 1)
    assert course_ratings_rebuild(check=True) == []

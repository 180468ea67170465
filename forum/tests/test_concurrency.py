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

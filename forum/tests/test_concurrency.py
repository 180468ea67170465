"""Counters and auto-hide under concurrent requests (PostgreSQL, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from forum.models import Flag, Post, Reply
from forum.services import flag_create, reply_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(calls) -> list[Exception]:
    barrier = threading.Barrier(len(calls))
    errors: list[Exception] = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as exc:  # surfaced by the callers' assertions
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_flags_hide_a_reply_once(make_user, make_learner, make_post):
    # Given a visible reply counted in its post
    post = make_post(make_user("student"))
    reply = reply_create(user=make_learner(), post=post, body="Buy followers here")
    reporters = [make_learner() for _ in range(6)]
    # When six readers flag it at the same moment
    errors = run_at_once([lambda u=u: flag_create(user=u, reply=reply, reason="Spam") for u in reporters])
    # Then every flag is recorded, the reply is hidden, and it left the count exactly once
    assert errors == []
    assert Flag.objects.filter(reply=reply, status="open").count() == 6
    assert Reply.objects.get(pk=reply.pk).is_hidden is True
    assert Post.objects.get(pk=post.pk).reply_count == 0


def test_concurrent_replies_are_all_counted(make_user, make_learner, make_post):
    post = make_post(make_user("student"))
    authors = [make_learner() for _ in range(10)]
    errors = run_at_once([lambda u=u: reply_create(user=u, post=post, body="Same here") for u in authors])
    assert errors == []
    assert Post.objects.get(pk=post.pk).reply_count == 10 == Reply.objects.filter(post=post).count()


def test_the_same_reader_flagging_twice_at_once_gets_one_flag(make_user, make_learner, make_post):
    post = make_post(make_user("student"))
    reader = make_learner()
    errors = run_at_once([lambda: flag_create(user=reader, post=post, reason="Spam") for _ in range(4)])
    assert Flag.objects.filter(post=post).count() == 1
    assert len(errors) == 3
    assert all(getattr(error, "code", None) == "forum_already_flagged" for error in errors)

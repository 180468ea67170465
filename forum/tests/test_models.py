"""Database invariants of the forum: one vote per user and post, flags on exactly one item, once per reporter."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from model_bakery import baker

pytestmark = pytest.mark.django_db


def test_one_vote_per_user_and_post(post, other_learner):
    baker.make("forum.Vote", post=post, user=other_learner, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        baker.make("forum.Vote", post=post, user=other_learner, value=-1)


@pytest.mark.parametrize("value", [0, 2, -2])
def test_vote_value_is_up_or_down(post, other_learner, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        baker.make("forum.Vote", post=post, user=other_learner, value=value)


def test_flag_targets_exactly_one_item(post, other_learner, make_reply):
    reply = make_reply(post, other_learner)
    with pytest.raises(IntegrityError), transaction.atomic():
        baker.make("forum.Flag", reporter=other_learner, post=post, reply=reply, reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        baker.make("forum.Flag", reporter=other_learner, reason="x")


def test_flag_once_per_reporter_and_item(post, other_learner, make_reply, learner):
    baker.make("forum.Flag", reporter=other_learner, post=post, reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        baker.make("forum.Flag", reporter=other_learner, post=post, reason="y")
    # The same reporter may still flag a different item
    reply = make_reply(post, learner)
    baker.make("forum.Flag", reporter=other_learner, reply=reply, reason="z")


def test_resolved_flag_has_a_resolution_time(post, other_learner):
    with pytest.raises(IntegrityError), transaction.atomic():
        baker.make("forum.Flag", reporter=other_learner, post=post, reason="x", status="hidden")
    baker.make("forum.Flag", reporter=other_learner, post=post, reason="x", status="hidden", resolved_at=timezone.now())


def test_post_body_length_is_capped_in_the_database(course, learner):
    with pytest.raises(IntegrityError), transaction.atomic():
        baker.make("forum.Post", course=course, user=learner, title="Long one", body="x" * 10_001)

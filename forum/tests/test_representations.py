"""The new post's answer writes exactly the bytes of PostSerializer."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from model_bakery import baker
from rest_framework.renderers import JSONRenderer

from forum.representations import post_representation
from forum.selectors import post_list
from forum.serializers import PostSerializer

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 11, 2, 10, 15, 30, 123456, tzinfo=datetime.UTC)


@pytest.mark.parametrize("time_zone", ["Asia/Kolkata", "UTC"])
def test_posts_render_as_the_serializer_does(
    time_zone, admin_user, learner, other_learner, course, module, make_post, make_reply
):
    # given posts in every shape: plain, about a module, edited, deleted, hidden, answered, voted on,
    # and by an author without a name
    make_post(learner, title="Café & Ünïcode “quotes”")
    make_post(learner, module=module, edited_at=AT)
    make_reply(make_post(learner, deleted_at=AT), other_learner)  # a deleted question stays listed with answers
    make_post(other_learner, is_hidden=True, hidden_at=AT)
    answered = make_post(other_learner)
    reply = make_reply(answered, learner)
    type(answered).objects.filter(pk=answered.pk).update(accepted_reply=reply, votes=-2)
    baker.make("forum.Vote", post=answered, user=admin_user, value=-1)
    learner.full_name = ""
    learner.save()
    with override_settings(TIME_ZONE=time_zone):
        # when the admin's list (every post, with my_vote and is_answered) is shaped both ways
        posts = list(post_list(user=admin_user, course=course))
        fast = [post_representation(post) for post in posts]
        slow = PostSerializer(posts, many=True).data
    # then the bytes are the same, and every shape was there
    assert JSONRenderer().render(fast) == JSONRenderer().render(slow)
    assert len(fast) == 5
    assert {item["is_deleted"] for item in fast} == {True, False}
    assert {item["my_vote"] for item in fast} == {0, -1}
    assert any(item["is_hidden"] for item in fast) and any(item["is_answered"] for item in fast)

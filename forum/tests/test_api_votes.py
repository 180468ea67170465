"""Votes: one per user and post, up/down/withdrawn, and a score that always equals the sum."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from django.utils import timezone

from forum.models import Post, Vote
from forum.services import post_vote
from tests.support.concurrency import raised, run_concurrently

pytestmark = pytest.mark.django_db


def vote_url(post) -> str:
    return f"/api/forum/posts/{post.pk}/vote/"


def test_vote_up_change_and_withdraw(client_for, other_learner, post):
    client = client_for(other_learner)
    # When a reader votes up
    response = client.post(vote_url(post), {"value": 1}, format="json")
    assert response.status_code == 200
    assert response.json() == {"post": str(post.pk), "votes": 1, "my_vote": 1}
    # Then changes to down (the up vote is replaced, not added)
    assert client.post(vote_url(post), {"value": -1}, format="json").json()["votes"] == -1
    assert Vote.objects.get(post=post, user=other_learner).value == -1
    # Then the same vote again changes nothing
    assert client.post(vote_url(post), {"value": -1}, format="json").json()["votes"] == -1
    # Then withdraws it
    assert client.post(vote_url(post), {"value": 0}, format="json").json() == {
        "post": str(post.pk),
        "votes": 0,
        "my_vote": 0,
    }
    assert not Vote.objects.exists()
    post.refresh_from_db()
    assert post.votes == 0


def test_votes_of_several_readers_add_up(client_for, other_learner, instructor, admin_user, post):
    client_for(other_learner).post(vote_url(post), {"value": 1}, format="json")
    client_for(instructor).post(vote_url(post), {"value": 1}, format="json")
    client_for(admin_user).post(vote_url(post), {"value": -1}, format="json")
    post.refresh_from_db()
    assert post.votes == 1 == Vote.objects.aggregate(total=Sum("value"))["total"]


def test_cannot_vote_on_own_post(client_for, learner, post):
    response = client_for(learner).post(vote_url(post), {"value": 1}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "forum_vote_own_post"
    assert not Vote.objects.exists()


def test_outsider_cannot_vote(client_for, other_student, post):
    assert client_for(other_student).post(vote_url(post), {"value": 1}, format="json").status_code == 403
    assert not Vote.objects.exists()


def test_cannot_vote_on_deleted_post(client_for, other_learner, post):
    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now())
    response = client_for(other_learner).post(vote_url(post), {"value": 1}, format="json")
    assert response.status_code == 409


@pytest.mark.parametrize("payload", [{"value": 2}, {"value": "up"}, {}, {"value": None}])
def test_bad_vote_values_are_400(client_for, other_learner, post, payload):
    response = client_for(other_learner).post(vote_url(post), payload, format="json")
    assert response.status_code == 400
    assert "value" in response.json()["errors"]


def test_voting_is_rate_limited(client_for, other_learner, post, settings):
    settings.FORUM_VOTE_RATE = "2/m"
    client = client_for(other_learner)
    for value in (1, -1):
        assert client.post(vote_url(post), {"value": value}, format="json").status_code == 200
    response = client.post(vote_url(post), {"value": 0}, format="json")
    assert response.status_code == 429
    assert Vote.objects.get().value == -1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_score_equals_sum_under_concurrent_voting(make_user, make_learner, make_post):
    # Given a post and twelve readers, each of whom votes several times at once
    post = make_post(make_user("student"))
    voters = [make_learner() for _ in range(12)]
    errors = raised(
        run_concurrently(
            *[
                lambda user=user, value=value: post_vote(user=user, post=post, value=value)
                for index, user in enumerate(voters)
                for value in ((1, -1, 1) if index % 2 else (-1, 0, 1))
            ]
        )
    )
    # Then no request failed, each reader has at most one vote, and the score is their sum
    assert errors == []
    post.refresh_from_db()
    total = Vote.objects.filter(post=post).aggregate(total=Sum("value"))["total"] or 0
    assert post.votes == total
    assert Vote.objects.filter(post=post).count() <= len(voters)

"""Replies: listing in order, writing, editing, soft deletion and accepted answers."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone
from model_bakery import baker

from audit.models import AuditLog
from forum.models import Post, Reply
from forum.signals import reply_accepted

pytestmark = pytest.mark.django_db


def replies_url(post) -> str:
    return f"/api/forum/posts/{post.pk}/replies/"


def reply_url(reply) -> str:
    return f"/api/forum/replies/{reply.pk}/"


def accept_url(reply) -> str:
    return f"/api/forum/replies/{reply.pk}/accept/"


@pytest.fixture
def captured_accepts():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    reply_accepted.connect(receiver)
    yield received
    reply_accepted.disconnect(receiver)


# --- Listing -----------------------------------------------------------------------------------


def test_replies_are_listed_in_order_with_the_accepted_one_marked(client_for, learner, other_learner, post, make_reply):
    # Given three replies, the second accepted and the third deleted
    now = timezone.now()
    replies = [make_reply(post, other_learner, body=f"answer {i}") for i in range(3)]
    for offset, reply in enumerate(replies):
        Reply.objects.filter(pk=reply.pk).update(created_at=now + timezone.timedelta(minutes=offset))
    Post.objects.filter(pk=post.pk).update(accepted_reply=replies[1])
    Reply.objects.filter(pk=replies[2].pk).update(deleted_at=now)
    # When the thread is read
    response = client_for(learner).get(replies_url(post))
    # Then replies come oldest first, the accepted one marked, the deleted one a placeholder
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [str(r.pk) for r in replies]
    assert [r["is_accepted"] for r in results] == [False, True, False]
    assert results[0]["body"] == "answer 0"
    assert results[0]["author"] == {"id": str(other_learner.pk), "full_name": other_learner.full_name}
    assert (results[2]["body"], results[2]["author"], results[2]["is_deleted"]) == ("[deleted]", None, True)


@pytest.mark.parametrize("n_replies", [1, 25])
def test_reply_list_query_count_is_fixed(
    client_for, learner, other_learner, post, make_reply, django_assert_max_num_queries, n_replies
):
    for _ in range(n_replies):
        make_reply(post, other_learner)
    client = client_for(learner)
    # post with course (1), enrollment check (1), count (1), page with authors (1)
    with django_assert_max_num_queries(4):
        response = client.get(replies_url(post), {"page_size": 50})
    assert response.json()["count"] == n_replies


def test_outsider_cannot_read_or_reply(client_for, other_student, post):
    client = client_for(other_student)
    assert client.get(replies_url(post)).status_code == 403
    assert client.post(replies_url(post), {"body": "hi"}, format="json").status_code == 403
    assert not Reply.objects.exists()


# --- Writing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_learner", "instructor", "admin_user"])
def test_members_reply(request, client_for, post, who):
    user = request.getfixturevalue(who)
    response = client_for(user).post(replies_url(post), {"body": "Try `migrate`. <i>really</i>"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["body"] == "Try `migrate`. <i>really</i>"
    assert body["is_accepted"] is False
    assert body["author"]["id"] == str(user.pk)
    post.refresh_from_db()
    assert post.reply_count == 1
    assert Reply.objects.get(pk=body["id"]).user == user


@pytest.mark.parametrize("body", ["", "   ", "x" * 10_001])
def test_reply_body_is_validated(client_for, other_learner, post, body):
    response = client_for(other_learner).post(replies_url(post), {"body": body}, format="json")
    assert response.status_code == 400
    assert "body" in response.json()["errors"]
    assert not Reply.objects.exists()


def test_cannot_reply_to_a_deleted_post(client_for, other_learner, post):
    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now())
    response = client_for(other_learner).post(replies_url(post), {"body": "late"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "forum_deleted"


def test_replying_is_rate_limited(client_for, other_learner, post, settings):
    settings.FORUM_REPLY_RATE = "1/m"
    client = client_for(other_learner)
    assert client.post(replies_url(post), {"body": "one"}, format="json").status_code == 201
    response = client.post(replies_url(post), {"body": "two"}, format="json")
    assert response.status_code == 429
    assert "Retry-After" in response
    assert Reply.objects.count() == 1


def test_author_edits_reply_others_cannot(client_for, other_learner, learner, instructor, post, make_reply):
    reply = make_reply(post, other_learner)
    response = client_for(other_learner).patch(reply_url(reply), {"body": "edited"}, format="json")
    assert response.status_code == 200
    assert response.json()["body"] == "edited"
    assert response.json()["edited_at"] is not None
    for user in (learner, instructor):
        assert client_for(user).patch(reply_url(reply), {"body": "hijack"}, format="json").status_code == 403
    reply.refresh_from_db()
    assert reply.body == "edited"


def test_unknown_reply_is_404(client_for, learner):
    assert (
        client_for(learner).patch(f"/api/forum/replies/{uuid.uuid4()}/", {"body": "x"}, format="json").status_code
        == 404
    )


@pytest.mark.parametrize("who", ["other_learner", "instructor", "admin_user"])
def test_reply_delete_by_author_instructor_admin(request, client_for, other_learner, post, make_reply, who):
    # Given an accepted reply
    reply = make_reply(post, other_learner)
    Post.objects.filter(pk=post.pk).update(accepted_reply=reply)
    # When deleted by its author or staff
    assert client_for(request.getfixturevalue(who)).delete(reply_url(reply)).status_code == 204
    # Then it is soft-deleted, no longer counted or accepted, and deleting again changes nothing
    reply.refresh_from_db()
    post.refresh_from_db()
    assert reply.deleted_at is not None
    assert (post.reply_count, post.accepted_reply_id) == (0, None)
    assert client_for(other_learner).delete(reply_url(reply)).status_code == 204
    post.refresh_from_db()
    assert post.reply_count == 0
    assert AuditLog.objects.filter(action="reply.delete").count() == (0 if who == "other_learner" else 1)


def test_reply_delete_refused_for_post_author(client_for, learner, other_learner, post, make_reply):
    reply = make_reply(post, other_learner)
    assert client_for(learner).delete(reply_url(reply)).status_code == 403
    reply.refresh_from_db()
    assert reply.deleted_at is None


# --- Accepted answers ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["learner", "instructor"])
def test_post_author_or_instructor_accepts(request, client_for, other_learner, post, make_reply, captured_accepts, who):
    reply = make_reply(post, other_learner)
    accepter = request.getfixturevalue(who)
    response = client_for(accepter).post(accept_url(reply))
    assert response.status_code == 200, response.content
    assert response.json()["is_accepted"] is True
    post.refresh_from_db()
    assert post.accepted_reply == reply
    assert len(captured_accepts) == 1
    assert captured_accepts[0]["user"] == other_learner
    assert captured_accepts[0]["reply"] == reply
    assert captured_accepts[0]["accepted_by"] == accepter


@pytest.mark.parametrize("who", ["other_learner", "admin_user", "other_student"])
def test_others_cannot_accept(request, client_for, make_learner, post, make_reply, who):
    reply = make_reply(post, make_learner())
    response = client_for(request.getfixturevalue(who)).post(accept_url(reply))
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.accepted_reply is None


def test_accepted_answer_can_change_and_signal_fires_once_per_reply(
    client_for, learner, other_learner, make_learner, post, make_reply, captured_accepts
):
    first, second = make_reply(post, other_learner), make_reply(post, make_learner())
    client = client_for(learner)
    client.post(accept_url(first))
    client.post(accept_url(first))  # idempotent
    assert client.post(accept_url(second)).status_code == 200
    post.refresh_from_db()
    assert post.accepted_reply == second
    client.post(accept_url(first))  # back to the first: already rewarded once
    post.refresh_from_db()
    assert post.accepted_reply == first
    assert [c["reply"] for c in captured_accepts] == [first, second]
    listed = client.get(replies_url(post)).json()["results"]
    assert [r["is_accepted"] for r in listed] == [True, False]


def test_accepting_own_reply_sends_no_signal(client_for, learner, post, make_reply, captured_accepts):
    reply = make_reply(post, learner)
    assert client_for(learner).post(accept_url(reply)).status_code == 200
    post.refresh_from_db()
    assert post.accepted_reply == reply
    assert captured_accepts == []


def test_deleted_or_hidden_reply_cannot_be_accepted(client_for, learner, other_learner, post, make_reply):
    deleted = make_reply(post, other_learner, deleted_at=timezone.now())
    hidden = baker.make("forum.Reply", post=post, user=other_learner, is_hidden=True, hidden_at=timezone.now())
    client = client_for(learner)
    assert client.post(accept_url(deleted)).json()["code"] == "forum_reply_unavailable"
    # A hidden reply is invisible to the post's author: 404
    assert client.post(accept_url(hidden)).status_code == 404
    post.refresh_from_db()
    assert post.accepted_reply is None

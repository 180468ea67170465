"""Flags, automatic hiding, hidden content, and the admin moderation queue."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone
from model_bakery import baker

from audit.models import AuditLog
from forum.models import Flag, Post, Reply

pytestmark = pytest.mark.django_db

QUEUE_URL = "/api/admin/flags/"


def post_flag_url(post) -> str:
    return f"/api/forum/posts/{post.pk}/flag/"


def reply_flag_url(reply) -> str:
    return f"/api/forum/replies/{reply.pk}/flag/"


def resolve_url(flag) -> str:
    return f"/api/admin/flags/{flag.pk}/resolve/"


def flag_post(client_for, user, post, reason="Spam link"):
    return client_for(user).post(post_flag_url(post), {"reason": reason}, format="json")


# --- Flagging ----------------------------------------------------------------------------------


def test_reader_flags_a_post_once(client_for, other_learner, post):
    response = flag_post(client_for, other_learner, post)
    assert response.status_code == 201
    body = response.json()
    assert (body["item_type"], body["post"], body["reply"], body["status"]) == ("post", str(post.pk), None, "open")
    assert Flag.objects.get().reporter == other_learner
    # The second time from the same reader is a conflict
    again = flag_post(client_for, other_learner, post, reason="Still spam")
    assert again.status_code == 409
    assert again.json()["code"] == "forum_already_flagged"
    assert Flag.objects.count() == 1


def test_reader_flags_a_reply(client_for, learner, other_learner, post, make_reply):
    reply = make_reply(post, other_learner)
    response = client_for(learner).post(reply_flag_url(reply), {"reason": "Rude"}, format="json")
    assert response.status_code == 201
    assert response.json()["item_type"] == "reply"
    assert Flag.objects.get().reply == reply


def test_cannot_flag_own_content(client_for, learner, post):
    response = flag_post(client_for, learner, post)
    assert response.status_code == 403
    assert response.json()["code"] == "forum_flag_own_content"
    assert not Flag.objects.exists()


def test_outsider_cannot_flag(client_for, other_student, post):
    assert flag_post(client_for, other_student, post).status_code == 403
    assert not Flag.objects.exists()


@pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": "x" * 501}])
def test_flag_reason_is_validated(client_for, other_learner, post, payload):
    response = client_for(other_learner).post(post_flag_url(post), payload, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_flagging_is_rate_limited(client_for, learner, other_learner, course, make_post, settings):
    settings.FORUM_FLAG_RATE = "1/h"
    first, second = make_post(other_learner), make_post(other_learner)
    assert flag_post(client_for, learner, first).status_code == 201
    assert flag_post(client_for, learner, second).status_code == 429
    assert Flag.objects.count() == 1


# --- Auto-hide and hidden content ----------------------------------------------------------------


def test_three_distinct_flags_hide_a_post(client_for, make_learner, learner, instructor, admin_user, course, post):
    # Given two flags, the post is still visible
    flaggers = [make_learner() for _ in range(3)]
    for user in flaggers[:2]:
        flag_post(client_for, user, post)
    post.refresh_from_db()
    assert post.is_hidden is False
    # When a third distinct reader flags it
    flag_post(client_for, flaggers[2], post)
    # Then it is hidden from readers and the instructor, but not from its author or admins
    post.refresh_from_db()
    assert post.is_hidden is True
    assert post.hidden_at is not None
    for user in (flaggers[0], instructor):
        assert client_for(user).get("/api/forum/posts/", {"course": course.pk}).json()["count"] == 0
        assert client_for(user).get(f"/api/forum/posts/{post.pk}/").status_code == 404
    for user in (learner, admin_user):
        listed = client_for(user).get("/api/forum/posts/", {"course": course.pk}).json()["results"]
        assert [p["id"] for p in listed] == [str(post.pk)]
        assert listed[0]["is_hidden"] is True
    # The flags stay open for a moderator to decide
    assert Flag.objects.filter(post=post, status="open").count() == 3


def test_three_flags_hide_a_reply_and_it_stops_counting(
    client_for, make_learner, learner, other_learner, admin_user, post, make_reply
):
    reply = make_reply(post, other_learner)
    for _ in range(3):
        client_for(make_learner()).post(reply_flag_url(reply), {"reason": "Off topic"}, format="json")
    reply.refresh_from_db()
    post.refresh_from_db()
    assert reply.is_hidden is True
    assert post.reply_count == 0
    # Hidden from the post's author, still visible to its own author and admins
    assert client_for(learner).get(f"/api/forum/posts/{post.pk}/replies/").json()["count"] == 0
    assert client_for(learner).patch(f"/api/forum/replies/{reply.pk}/", {"body": "x"}, format="json").status_code == 404
    assert client_for(other_learner).get(f"/api/forum/posts/{post.pk}/replies/").json()["count"] == 1
    assert client_for(admin_user).get(f"/api/forum/posts/{post.pk}/replies/").json()["results"][0]["is_hidden"]


def test_replies_of_a_hidden_post_are_hidden_too(client_for, make_learner, learner, admin_user, post, make_reply):
    # Given a reply in the thread of a hidden post
    reader = make_learner()
    reply = make_reply(post, learner)
    Post.objects.filter(pk=post.pk).update(is_hidden=True, hidden_at=timezone.now())
    # Then another reader can reach neither the thread nor the reply; the author and admins still can
    assert client_for(reader).get(f"/api/forum/posts/{post.pk}/replies/").status_code == 404
    assert client_for(reader).post(reply_flag_url(reply), {"reason": "Spam"}, format="json").status_code == 404
    assert client_for(learner).get(f"/api/forum/posts/{post.pk}/replies/").json()["count"] == 1
    assert client_for(admin_user).get(f"/api/forum/posts/{post.pk}/replies/").json()["count"] == 1


# --- The admin queue ---------------------------------------------------------------------------


@pytest.fixture
def open_flag(other_learner, post):
    return baker.make("forum.Flag", reporter=other_learner, post=post, reason="Spam")


@pytest.mark.parametrize("who", ["learner", "instructor"])
def test_queue_refuses_non_admins(request, client_for, open_flag, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(QUEUE_URL).status_code == 403
    assert client.post(resolve_url(open_flag), {"action": "hide"}, format="json").status_code == 403
    open_flag.refresh_from_db()
    assert open_flag.status == "open"
    assert client_for(None).get(QUEUE_URL).status_code == 401


def test_queue_lists_and_filters_by_status(client_for, admin_user, open_flag, learner, other_learner, post, make_reply):
    reply = make_reply(post, other_learner)
    dismissed = baker.make(
        "forum.Flag", reporter=learner, reply=reply, reason="Rude", status="dismissed", resolved_at=timezone.now()
    )
    client = client_for(admin_user)
    assert client.get(QUEUE_URL).json()["count"] == 2
    results = client.get(QUEUE_URL, {"status": "open"}).json()["results"]
    assert [f["id"] for f in results] == [str(open_flag.pk)]
    entry = results[0]
    assert entry["item_type"] == "post"
    assert entry["post"] == {"id": str(post.pk), "title": post.title}
    assert entry["course"]["id"] == str(post.course_id)
    assert entry["item_author"]["id"] == str(learner.pk)
    assert entry["reporter"]["id"] == str(open_flag.reporter_id)
    assert entry["item_is_hidden"] is False
    dismissed_entry = client.get(QUEUE_URL, {"status": "dismissed"}).json()["results"][0]
    assert dismissed_entry["id"] == str(dismissed.pk)
    assert dismissed_entry["post"]["id"] == str(post.pk)
    assert dismissed_entry["item_text"] == reply.body
    assert client.get(QUEUE_URL, {"status": "closed"}).status_code == 400


@pytest.mark.parametrize("n_flags", [1, 25])
def test_queue_query_count_is_fixed(
    client_for, admin_user, make_learner, post, make_reply, other_learner, django_assert_max_num_queries, n_flags
):
    reply = make_reply(post, other_learner)
    for index in range(n_flags):
        target = {"post": post} if index % 2 else {"reply": reply}
        baker.make("forum.Flag", reporter=make_learner(), reason="Spam", **target)
    client = client_for(admin_user)
    # count (1), page with reporter, resolver, item, its author, post and course joined (1)
    with django_assert_max_num_queries(2):
        response = client.get(QUEUE_URL, {"page_size": 50})
    assert response.json()["count"] == n_flags


def test_resolve_hide_hides_the_item_and_resolves_all_its_open_flags(
    client_for, admin_user, make_learner, open_flag, post
):
    # Given two open flags on a post
    second = baker.make("forum.Flag", reporter=make_learner(), post=post, reason="Spam too")
    # When an admin hides it
    response = client_for(admin_user).post(resolve_url(open_flag), {"action": "hide"}, format="json")
    # Then the post is hidden, both flags resolved, and one audit entry written
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "hidden"
    assert response.json()["resolved_by"]["id"] == str(admin_user.pk)
    post.refresh_from_db()
    assert post.is_hidden is True
    for flag in (open_flag, second):
        flag.refresh_from_db()
        assert (flag.status, flag.resolved_by) == ("hidden", admin_user)
        assert flag.resolved_at is not None
    audit = AuditLog.objects.get()
    assert (audit.action, audit.actor, audit.target_id) == ("flag.hide", admin_user, str(open_flag.pk))
    assert audit.details["flags_resolved"] == 2
    # Resolving again is a conflict and writes nothing
    again = client_for(admin_user).post(resolve_url(second), {"action": "dismiss"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "flag_already_resolved"
    assert AuditLog.objects.count() == 1


def test_resolve_dismiss_shows_an_auto_hidden_reply_again(
    client_for, admin_user, make_learner, learner, other_learner, post, make_reply
):
    reply = make_reply(post, other_learner)
    for _ in range(3):
        client_for(make_learner()).post(reply_flag_url(reply), {"reason": "Spam"}, format="json")
    post.refresh_from_db()
    assert post.reply_count == 0
    flag = Flag.objects.filter(reply=reply).first()
    response = client_for(admin_user).post(resolve_url(flag), {"action": "dismiss"}, format="json")
    assert response.status_code == 200
    reply.refresh_from_db()
    post.refresh_from_db()
    assert reply.is_hidden is False
    assert post.reply_count == 1
    assert set(Flag.objects.values_list("status", flat=True)) == {"dismissed"}
    assert AuditLog.objects.get().action == "flag.dismiss"
    assert client_for(learner).get(f"/api/forum/posts/{post.pk}/replies/").json()["count"] == 1


def test_dismiss_does_not_unhide_what_a_moderator_hid(client_for, admin_user, make_learner, post):
    hidden_flag = baker.make("forum.Flag", reporter=make_learner(), post=post, reason="x")
    client_for(admin_user).post(resolve_url(hidden_flag), {"action": "hide"}, format="json")
    # A later report (by an admin, who still sees the post) is dismissed
    later = baker.make("forum.Flag", reporter=make_learner(), post=post, reason="y")
    client_for(admin_user).post(resolve_url(later), {"action": "dismiss"}, format="json")
    post.refresh_from_db()
    assert post.is_hidden is True


@pytest.mark.parametrize("payload", [{}, {"action": "delete"}])
def test_resolve_validates_action(client_for, admin_user, open_flag, payload):
    response = client_for(admin_user).post(resolve_url(open_flag), payload, format="json")
    assert response.status_code == 400
    assert "action" in response.json()["errors"]
    assert not AuditLog.objects.exists()


def test_resolve_unknown_flag_is_404(client_for, admin_user):
    response = client_for(admin_user).post(
        f"/api/admin/flags/{uuid.uuid4()}/resolve/", {"action": "hide"}, format="json"
    )
    assert response.status_code == 404


def test_reply_count_model_is_consistent_after_hide_then_delete(
    client_for, admin_user, make_learner, other_learner, post, make_reply
):
    # A hidden reply that is then deleted must not be subtracted twice
    reply = make_reply(post, other_learner)
    flag = baker.make("forum.Flag", reporter=make_learner(), reply=reply, reason="x")
    client_for(admin_user).post(resolve_url(flag), {"action": "hide"}, format="json")
    client_for(other_learner).delete(f"/api/forum/replies/{reply.pk}/")
    post.refresh_from_db()
    assert post.reply_count == 0
    assert Reply.objects.get().deleted_at is not None


def test_deleted_items_cannot_be_flagged(client_for, other_learner, post):
    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now())
    response = flag_post(client_for, other_learner, post)
    assert response.status_code == 409
    assert response.json()["code"] == "forum_deleted"
    assert not Flag.objects.exists()

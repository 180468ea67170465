"""Django admin: the forum's pages load, and flag actions go through flag_resolve (audited)."""

from __future__ import annotations

import pytest
from django.test import Client
from model_bakery import baker

from audit.models import AuditLog
from forum.models import Flag

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("model", ["post", "reply", "vote", "flag"])
def test_changelists_load(admin_client, post, other_learner, make_reply, model):
    reply = make_reply(post, other_learner)
    baker.make("forum.Vote", post=post, user=other_learner, value=1)
    baker.make("forum.Flag", reporter=other_learner, post=post, reason="Spam")
    assert admin_client.get(f"/admin/forum/{model}/").status_code == 200
    if model == "post":
        assert admin_client.get(f"/admin/forum/post/{post.pk}/change/").status_code == 200
    if model == "reply":
        assert admin_client.get(f"/admin/forum/reply/{reply.pk}/change/").status_code == 200


@pytest.mark.parametrize(
    ("action", "status", "hidden"), [("hide_items", "hidden", True), ("dismiss_flags", "dismissed", False)]
)
def test_flag_actions_resolve_and_audit(admin_client, admin_user, post, make_learner, action, status, hidden):
    # Given two open flags on the same post
    flags = [baker.make("forum.Flag", reporter=make_learner(), post=post, reason="Spam") for _ in range(2)]
    # When an admin applies the action to both
    response = admin_client.post(
        "/admin/forum/flag/", {"action": action, "_selected_action": [str(f.pk) for f in flags]}
    )
    # Then the item is decided once: both flags resolved, one audit entry
    assert response.status_code == 302
    assert set(Flag.objects.values_list("status", "resolved_by")) == {(status, admin_user.pk)}
    post.refresh_from_db()
    assert post.is_hidden is hidden
    assert AuditLog.objects.filter(action=f"flag.{action.split('_')[0]}").count() == 1


def test_votes_are_read_only_in_admin(admin_client, post, other_learner):
    vote = baker.make("forum.Vote", post=post, user=other_learner, value=1)
    assert admin_client.get("/admin/forum/vote/add/").status_code == 403
    assert admin_client.post(f"/admin/forum/vote/{vote.pk}/delete/", {"post": "yes"}).status_code == 403


def test_flags_are_listed_with_the_flagged_text_and_a_link_to_it(admin_client, post, make_reply, make_learner):
    # given a flag on a post and one on a reply whose text is markup
    reply = make_reply(post, make_learner(), body="<script>alert(1)</script> buy cheap pills")
    baker.make("forum.Flag", reporter=make_learner(), post=post, reason="Off topic")
    baker.make("forum.Flag", reporter=make_learner(), reply=reply, reason="Spam")
    # when the open flags are listed
    html = admin_client.get("/admin/forum/flag/", {"status__exact": "open"}).content.decode()
    # then each row shows what was written (escaped) and links to the item, not a UUID
    assert f"{post.title}: {post.body}" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; buy cheap pills" in html and "<script>alert" not in html
    assert f'<a href="/admin/forum/post/{post.pk}/change/">Post “{post.title}”</a>' in html
    assert f'<a href="/admin/forum/reply/{reply.pk}/change/">Reply on “{post.title}”</a>' in html
    assert '<th class="field-flagged_text"><a href="/admin/forum/flag/' in html  # the text opens the flag


def test_flags_can_be_found_by_the_flagged_text(admin_client, post, make_learner, make_post):
    other = make_post(make_learner(), title="Unrelated", body="nothing to see")
    baker.make("forum.Flag", reporter=make_learner(), post=post, reason="x")
    baker.make("forum.Flag", reporter=make_learner(), post=other, reason="x")
    html = admin_client.get("/admin/forum/flag/", {"q": "makemigrations"}).content.decode()
    assert "1 flag" in html and post.title in html and "Unrelated" not in html


def test_flags_are_never_deleted_or_edited_around_the_audit_trail(admin_client, post, make_learner):
    flag = baker.make("forum.Flag", reporter=make_learner(), post=post, reason="Spam")
    deleted = admin_client.post(f"/admin/forum/flag/{flag.pk}/delete/", {"post": "yes"})
    edited = admin_client.post(f"/admin/forum/flag/{flag.pk}/change/", {"reason": "x", "status": "dismissed"})
    bulk = admin_client.post(
        "/admin/forum/flag/", {"action": "delete_selected", "_selected_action": [str(flag.pk)], "post": "yes"}
    )
    assert (deleted.status_code, edited.status_code, bulk.status_code) == (403, 403, 302)
    assert list(Flag.objects.values_list("status", "reason")) == [("open", "Spam")]


def test_moderators_delete_posts_softly_through_the_service(admin_client, admin_user, post):
    # when an admin deletes a post from the changelist
    admin_client.post("/admin/forum/post/", {"action": "delete_posts", "_selected_action": [str(post.pk)]})
    # then it is soft-deleted by them and audited, like over the API
    post.refresh_from_db()
    assert post.deleted_at is not None and post.deleted_by == admin_user
    assert AuditLog.objects.filter(action="post.delete", actor=admin_user, target_id=str(post.pk)).count() == 1
    # and hard deletes or edits by hand are refused
    assert admin_client.post(f"/admin/forum/post/{post.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(f"/admin/forum/post/{post.pk}/change/", {"title": "x", "body": "y"}).status_code == 403


def test_flags_filter_by_the_kind_of_item(admin_client, post, make_reply, make_learner):
    reply = make_reply(post, make_learner(), body="a reply that was flagged")
    baker.make("forum.Flag", reporter=make_learner(), post=post, reason="on the post")
    baker.make("forum.Flag", reporter=make_learner(), reply=reply, reason="on the reply")
    html = admin_client.get("/admin/forum/flag/", {"item": "reply"}).content.decode()
    assert "on the reply" in html and "on the post" not in html


@pytest.mark.parametrize("flags", [1, 10])
def test_the_flag_changelist_query_count_does_not_grow_with_the_flags(
    admin_client, post, make_reply, make_learner, flags, django_assert_max_num_queries
):
    for n in range(flags):
        target = {"post": post} if n % 2 else {"reply": make_reply(post, make_learner())}
        baker.make("forum.Flag", reporter=make_learner(), reason="Spam", **target)
    # session + user, two counts (filtered and total), the page with reporter, resolver, post, reply and its post
    with django_assert_max_num_queries(6):
        response = admin_client.get("/admin/forum/flag/")
    assert response.status_code == 200


def test_review_flags_are_listed_filtered_and_decided_in_the_same_admin(admin_client, admin_user, course, make_learner):
    from catalog.models import Enrollment
    from reviews.models import Review
    from reviews.services import review_create

    # given an open flag on a course review (its stars counted), next to one on a post
    author = make_learner()
    Enrollment.objects.filter(user=author).update(completed_lessons=1)
    review = review_create(user=author, course=course, rating=1, body="Terrible, buy my course")
    baker.make("forum.Post", course=course, user=author, title="Hello")
    flag = baker.make("forum.Flag", reporter=make_learner(), review=review, reason="Advert")
    # when the flags are filtered to reviews
    html = admin_client.get("/admin/forum/flag/", {"item": "review"}).content.decode()
    # then the review's stars and text and a link to it are shown
    assert "1★ Terrible, buy my course" in html
    assert f'<a href="/admin/reviews/review/{review.pk}/change/">Review of “{course.title}”</a>' in html
    assert "1 flag" in html
    # and hiding it goes through flag_resolve: the review is hidden and the decision audited
    admin_client.post("/admin/forum/flag/", {"action": "hide_items", "_selected_action": [str(flag.pk)]})
    assert Review.objects.get(pk=review.pk).is_hidden is True
    assert AuditLog.objects.get(action="flag.hide").details["item_type"] == "review"

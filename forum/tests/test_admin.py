"""Django admin: the forum's pages load, and flag actions go through flag_resolve (audited)."""

from __future__ import annotations

import pytest
from django.test import Client
from model_bakery import baker

from forum.models import Flag
from moderation.models import AuditLog

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

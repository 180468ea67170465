"""A post as ``PostSerializer`` writes it, without building its serializer tree: the answer of a new post.

``PostSerializer`` stays the contract (the views document their responses with it); ``forum/tests/
test_representations.py`` renders both ways and compares the bytes, so a field added to the serializer and not
here fails a test instead of drifting silently.
"""

from __future__ import annotations

from typing import Any

from common.serializers import datetime_representation
from forum.models import DELETED_PLACEHOLDER, Post


def post_representation(post: Post) -> dict[str, Any]:
    """``PostSerializer(post).data`` for a post carrying ``my_vote`` and ``is_answered`` (``forum.selectors``)."""
    deleted = post.deleted_at is not None
    user = post.user
    return {
        "id": str(post.pk),
        "course": str(post.course_id),
        "module": None if post.module_id is None else str(post.module_id),
        "author": None if deleted or user is None else {"id": str(user.pk), "full_name": str(user.full_name)},
        "title": DELETED_PLACEHOLDER if deleted else str(post.title),
        "body": DELETED_PLACEHOLDER if deleted else str(post.body),
        "votes": int(post.votes),
        "reply_count": int(post.reply_count),
        "my_vote": int(post.my_vote),
        "is_answered": bool(post.is_answered),
        "accepted_reply": None if post.accepted_reply_id is None else str(post.accepted_reply_id),
        "is_hidden": bool(post.is_hidden),
        "is_deleted": deleted,
        "created_at": datetime_representation(post.created_at),
        "edited_at": datetime_representation(post.edited_at),
    }

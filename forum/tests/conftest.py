"""Forum fixtures: a published course with its instructor, an enrolled learner, and helpers for threads."""

from __future__ import annotations

import pytest
from model_bakery import baker


@pytest.fixture
def course(instructor):
    return baker.make("catalog.Course", instructor=instructor, status="published", title="Django Basics")


@pytest.fixture
def module(course):
    return baker.make("catalog.Module", course=course, position=1, title="Models")


@pytest.fixture
def enroll():
    def make(user, course, status="active"):
        return baker.make("catalog.Enrollment", user=user, course=course, source="free", status=status)

    return make


@pytest.fixture
def learner(student, course, enroll):
    enroll(student, course)
    return student


@pytest.fixture
def other_learner(other_student, course, enroll):
    enroll(other_student, course)
    return other_student


@pytest.fixture
def make_learner(make_user, course, enroll):
    def make(**kwargs):
        user = make_user("student", **kwargs)
        enroll(user, course)
        return user

    return make


@pytest.fixture
def make_post(course):
    def make(user, **kwargs):
        kwargs.setdefault("title", "How do migrations work?")
        kwargs.setdefault("body", "I ran makemigrations and nothing happened.")
        return baker.make("forum.Post", course=kwargs.pop("course", course), user=user, **kwargs)

    return make


@pytest.fixture
def make_reply():
    def make(post, user, **kwargs):
        from django.db.models import F

        from forum.models import Post

        kwargs.setdefault("body", "Did you add the app to INSTALLED_APPS?")
        reply = baker.make("forum.Reply", post=post, user=user, **kwargs)
        if not reply.is_hidden and reply.deleted_at is None:
            Post.objects.filter(pk=post.pk).update(reply_count=F("reply_count") + 1)
            post.refresh_from_db()
        return reply

    return make


@pytest.fixture
def post(make_post, learner):
    return make_post(learner)

"""Fixtures for gamification tests: domains, and a helper that awards XP for a fresh source."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from model_bakery import baker

from gamification.services import xp_award

# A stand-in source for each event type: xp_award only needs the source's model label and UUID pk,
# so unsaved instances of the real models keep tests independent of catalog/forum fixtures.
SOURCE_MODELS = {
    "lesson_complete": "catalog.Lesson",
    "quiz_pass": "catalog.Module",
    "course_complete": "catalog.Course",
    "forum_post": "forum.Post",
    "answer_accepted": "forum.Reply",
}


seed_migration = importlib.import_module("gamification.migrations.0002_seed_badges")


@pytest.fixture(autouse=True)
def _badge_catalogue(db):
    # Transactional tests (of any app) flush the badges the migration seeded; re-seed idempotently so
    # a reused test database still has the catalogue. The `db` fixture honours a transactional marker.
    seed_migration.seed(apps, None)


@pytest.fixture
def domain(db):
    return baker.make("catalog.Domain", name="Software", slug="software")


@pytest.fixture
def other_domain(db):
    return baker.make("catalog.Domain", name="Design", slug="design")


@pytest.fixture
def award():
    """``award(user, type, at=None, source=None)`` → the XPEvent (or None when the source already paid)."""

    def give(user, type: str = "lesson_complete", at: datetime.datetime | None = None, source=None):
        source = source if source is not None else baker.prepare(SOURCE_MODELS[type])
        return xp_award(user=user, type=type, source=source, occurred_at=at)

    return give


@pytest.fixture
def give_points(award):
    """``give_points(user, n)`` awards ``n`` lesson events (10 XP each with default settings)."""

    def give(user, lessons: int, at: datetime.datetime | None = None):
        for _ in range(lessons):
            award(user, "lesson_complete", at=at)

    return give

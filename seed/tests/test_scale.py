"""``seed_demo --users N``: scale data loaded with COPY, consistent, proportional and loaded once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from billing.models import Payment
from catalog.models import Course, Enrollment, LessonProgress
from certificates.models import Certificate
from forum.models import Post, Reply
from gamification.models import XPEvent, XPTotal
from gamification.services import leaderboards_rebuild
from notifications.models import Announcement, Notification, NotificationPreference
from reviews.models import Review
from seed.checks import consistency_violations
from seed.scale import EMAIL_DOMAIN, MARKER_EMAIL, sid

pytestmark = pytest.mark.calendar  # scale data spreads XP over past weeks and months, relative to now

USERS = 200


def _seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, no_progress=True, **options)
    return out.getvalue()


@pytest.fixture
def scaled(seeded):
    # The demo is already loaded (seeded): this run adds only the scale data.
    return _seed(users=USERS)


@pytest.mark.postgres
@pytest.mark.django_db
def test_scale_data_is_proportional_consistent_and_loaded_once(scaled):
    # One scale load for every check: it is the slow part of this file.
    # Given seed_demo --users 200 has run (fixture)
    scale_users = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    scale_enrollments = Enrollment.objects.filter(user__email__endswith=f"@{EMAIL_DOMAIN}")

    # Then the counts follow the documented ratios (per user: 10 enrollments, 50 progress rows, 100 XP events)
    assert scale_users.count() == USERS
    assert scale_users.filter(role="instructor").count() == 5
    assert scale_users.filter(role="admin").count() == 1
    assert Course.objects.filter(slug__regex=r"-\d{4}$").count() == 12
    assert scale_enrollments.count() == USERS * 10
    assert LessonProgress.objects.filter(user__email__endswith=f"@{EMAIL_DOMAIN}").count() == USERS * 50
    assert XPEvent.objects.filter(user__email__endswith=f"@{EMAIL_DOMAIN}").count() == USERS * 100
    assert Post.objects.filter(user__email__endswith=f"@{EMAIL_DOMAIN}").count() == USERS * 5
    assert Reply.objects.filter(post__user__email__endswith=f"@{EMAIL_DOMAIN}").exists()
    # And about one learner in six with progress reviewed, and the courses carry the figures
    reviews = Review.objects.filter(user__email__endswith=f"@{EMAIL_DOMAIN}")
    assert USERS * 10 * 0.08 < reviews.count() < USERS * 10 * 0.2
    assert Course.objects.filter(slug__regex=r"-\d{4}$", rating_count__gt=0).exists()
    # And the learners have an inbox: a few notifications each of several kinds, read and unread, some
    # shaped by preferences (an announcement in the e-mail only)
    inbox = Notification.objects.filter(user__email__endswith=f"@{EMAIL_DOMAIN}")
    assert USERS * 3 < inbox.count() < USERS * 40
    assert {"certificate_issued", "forum_reply", "announcement"} <= set(inbox.values_list("kind", flat=True))
    assert inbox.filter(read_at__isnull=True, in_app=True).exists() and inbox.filter(read_at__isnull=False).exists()
    assert NotificationPreference.objects.filter(user__email__endswith=f"@{EMAIL_DOMAIN}").exists()
    assert inbox.filter(in_app=False, kind="announcement").exists()
    assert Announcement.objects.filter(course__slug__regex=r"-\d{4}$").exists()
    # And the search documents were written although the rows were copied with triggers skipped
    assert not Course.objects.filter(slug__regex=r"-\d{4}$", search_document__isnull=True).exists()
    # And completed enrollments have their certificates, paid ones their payments
    completed = scale_enrollments.filter(completed_at__isnull=False)
    assert completed.exists()
    assert Certificate.objects.filter(user__email__endswith=f"@{EMAIL_DOMAIN}").count() == completed.count()
    paid = scale_enrollments.filter(source="payment")
    assert paid.exists()
    assert Payment.objects.filter(user__email__endswith=f"@{EMAIL_DOMAIN}", status="paid").count() == paid.count()
    # And ids are derived from row numbers (deterministic)
    assert User.objects.get(email=MARKER_EMAIL).pk.hex == sid("user", 1).replace("-", "")
    assert "Scale data for 200 users" in scaled

    # And the command's own checks passed
    assert "Consistent" in scaled
    # And, checked again here: roll-ups equal the ledger and every counter equals what it counts
    assert leaderboards_rebuild(fix=False).count == 0
    assert XPTotal.objects.filter(period="weekly").values("period_start").distinct().count() >= 8
    assert set(consistency_violations().values()) == {0}
    # And every learner's scale users can sign in: a verified address each
    assert User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}", emailaddress__verified=True).count() == USERS

    # Given scale data is loaded, when the command runs again
    before = (User.objects.count(), Enrollment.objects.count(), XPEvent.objects.count())

    output = _seed(users=USERS)

    # Then it notices and adds nothing
    assert "already present" in output
    assert (User.objects.count(), Enrollment.objects.count(), XPEvent.objects.count()) == before


@pytest.mark.django_db
def test_scale_generation_meets_its_targets_before_writing(seeded, settings):
    # Given the demo catalogue (domains, badges) exists — generation runs on any database
    from seed.scale import LESSONS_PER_COURSE, ScaleBuilder

    builder = ScaleBuilder(users=USERS, progress=False, log=lambda _: None)

    # When every generation step runs
    for step in (
        builder.build_users,
        builder.build_catalogue,
        builder.build_enrollments,
        builder.build_history,
        builder.build_forum,
        builder.build_badges_and_certificates,
    ):
        step()

    # Then the in-memory data meets the per-user targets exactly
    assert len(builder.users) == USERS
    assert len(builder.enrollments) == USERS * 10
    assert len(builder.progress_rows) == USERS * 50
    assert len(builder.xp) == USERS * 100
    assert len(builder.posts) == USERS * 5
    # And each completed enrollment did every lesson and passed every quiz, and gets a certificate
    completed = [e for e in builder.enrollments if e.completed_at]
    assert completed and all(e.lessons == LESSONS_PER_COURSE and len(e.quiz_modules) == 6 for e in completed)
    assert len(builder.certificates) == len(completed)
    # And no source pays twice, and forum XP respects the daily cap
    assert len({(user, kind, source) for user, kind, _, _, _, source in builder.xp}) == len(builder.xp)
    assert all(points <= settings.XP_POINTS[kind] for _, kind, points, *_ in builder.xp)
    # And the same seed gives the same data
    again = ScaleBuilder(users=USERS, progress=False, log=lambda _: None)
    again.now = builder.now
    again.build_users()
    assert again.users == builder.users


def test_scale_refuses_tiny_populations():
    from seed.scale import ScaleBuilder

    with pytest.raises(ValueError, match="at least 20"):
        ScaleBuilder(users=12, progress=False, log=lambda _: None)

"""Consistency of seeded data: every denormalised figure equals what it counts.

Each check is one query counting the rows that break an invariant, so it runs on the full scale data in
seconds. Used by ``seed_demo`` after loading scale data and by the tests.
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce


def _count(queryset, aggregate) -> Coalesce:
    return Coalesce(Subquery(queryset.annotate(v=aggregate).values("v")[:1], output_field=IntegerField()), Value(0))


def consistency_violations() -> dict[str, int]:
    """Rows breaking each invariant (all zero when the data is consistent)."""
    from billing.models import Payment
    from catalog.models import Course, Enrollment, Lesson, LessonProgress
    from certificates.models import Certificate
    from forum.models import Post, Reply, Vote
    from notifications.models import Notification
    from reviews.models import IN_FIGURES, Review

    active = Enrollment.objects.filter(course=OuterRef("pk"), status=Enrollment.Status.ACTIVE).values("course")
    progress = LessonProgress.objects.filter(user=OuterRef("user"), course=OuterRef("course")).values("user")
    lessons = Lesson.objects.filter(module__course=OuterRef("course")).values("module__course")
    replies = Reply.objects.filter(post=OuterRef("pk"), deleted_at__isnull=True, is_hidden=False).values("post")
    votes = Vote.objects.filter(post=OuterRef("pk")).values("post")
    counted = Review.objects.filter(IN_FIGURES, course=OuterRef("pk")).values("course")
    owned = Payment.objects.filter(user=OuterRef("user"), course=OuterRef("course"), status__in=Payment.OWNED)
    return {
        "course learner_count != active enrollments": Course.objects.annotate(n=_count(active, Count("pk")))
        .exclude(learner_count=F("n"))
        .count(),
        "enrollment completed_lessons != progress rows": Enrollment.objects.annotate(n=_count(progress, Count("pk")))
        .exclude(completed_lessons=F("n"))
        .count(),
        "enrollment progress_percent wrong": Enrollment.objects.annotate(total=_count(lessons, Count("pk")))
        .filter(total__gt=0, completed_at__isnull=True)
        .exclude(progress_percent=F("completed_lessons") * 100 / F("total"))
        .count(),
        # A completed course stays at 100 even after lessons are added (catalog.services._percent).
        "completed enrollment below 100 percent": Enrollment.objects.filter(completed_at__isnull=False)
        .exclude(progress_percent=100)
        .count(),
        "paid enrollment without a paid payment": Enrollment.objects.filter(
            source=Enrollment.Source.PAYMENT, status=Enrollment.Status.ACTIVE
        )
        .exclude(Exists(owned))
        .count(),
        "completed enrollment without certificate": Enrollment.objects.filter(completed_at__isnull=False)
        .exclude(Exists(Certificate.objects.filter(user=OuterRef("user"), course=OuterRef("course"))))
        .count(),
        "post reply_count != visible replies": Post.objects.annotate(n=_count(replies, Count("pk")))
        .exclude(reply_count=F("n"))
        .count(),
        "post votes != sum of votes": Post.objects.annotate(n=_count(votes, Sum("value")))
        .exclude(votes=F("n"))
        .count(),
        "accepted reply of another post": Post.objects.filter(accepted_reply__isnull=False)
        .exclude(accepted_reply__post=F("pk"))
        .count(),
        "progress row of a course the learner is not enrolled in": LessonProgress.objects.exclude(
            Exists(Enrollment.objects.filter(user=OuterRef("user"), course=OuterRef("course")))
        ).count(),
        "course rating_count != counted reviews": Course.objects.annotate(n=_count(counted, Count("pk")))
        .exclude(rating_count=F("n"))
        .count(),
        # Delivery writes a row only for a channel someone wants; only inbox rows can be read; an e-mail is
        # sent only when wanted.
        "notification for no channel": Notification.objects.filter(in_app=False, email_wanted=False).count(),
        "notification read outside the inbox": Notification.objects.filter(read_at__isnull=False, in_app=False).count(),
        "notification e-mailed though not wanted": Notification.objects.filter(
            email_wanted=False, emailed_at__isnull=False
        ).count(),
    }

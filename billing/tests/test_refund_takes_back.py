"""A refund takes back what the purchase gave: access, the certificate and the course's XP (issue #15.8)."""

from __future__ import annotations

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from model_bakery import baker
from rest_framework.test import APIClient

from billing.models import Payment
from billing.tests.conftest import event_body, make_payment, payment_entity, post_webhook
from catalog.models import Enrollment
from catalog.services import enrollment_grant, lesson_complete
from certificates.models import Certificate
from gamification.models import ALL_TIME_START, Badge, UserBadge, XPEvent, XPTotal
from gamification.services import xp_award

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_india_time")]

IST = ZoneInfo("Asia/Kolkata")
# Wednesday of ISO week 48 and Tuesday of week 49 (and the next month) in India.
BOUGHT_AT = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=IST)
REFUNDED_AT = datetime.datetime(2026, 12, 1, 11, 0, tzinfo=IST)


@pytest.fixture
def _india_time():
    with override_settings(TIME_ZONE="Asia/Kolkata"):
        yield


@pytest.fixture
def hook():
    return APIClient()


@pytest.fixture
def lessons(paid_course):
    module = baker.make("catalog.Module", course=paid_course, position=1)
    return [baker.make("catalog.Lesson", module=module, position=i, title=f"Lesson {i}") for i in (1, 2)]


def buy_and_finish(hook, student, paid_course, lessons) -> Payment:
    """The learner buys the course (captured webhook), asks a question in its forum and completes every
    lesson: certificate, 5 + 10 + 10 + 100 XP."""
    order = make_payment(student, paid_course, razorpay_order_id="order_R1", receipt="r_r1")
    captured = event_body("payment.captured", payment=payment_entity(order))
    assert post_webhook(hook, captured, event_id="e1").json() == {"status": "applied"}
    post = baker.make("forum.Post", course=paid_course, user=student, title="Why?", body="Because.")
    xp_award(user=student, type=XPEvent.Type.FORUM_POST, source=post)
    for lesson in lessons:
        lesson_complete(user=student, lesson=lesson)
    order.refresh_from_db()
    return order


def refund_event(payment: Payment, refund_id: str = "rfnd_1") -> bytes:
    refund = {"id": refund_id, "payment_id": payment.payment_id, "amount": payment.amount, "status": "processed"}
    return event_body("refund.processed", refund=refund)


def rollups(user) -> dict[tuple[str, datetime.date], int]:
    return {(t.period, t.period_start): t.points for t in XPTotal.objects.filter(user=user)}


def rebuild_check() -> str:
    out = StringIO()
    call_command("rebuild_leaderboards", "--check", stdout=out)  # raises CommandError on any drift
    return out.getvalue()


def test_refund_revokes_access_certificate_and_xp_and_keeps_the_ledger_append_only(
    hook, client_for, student, paid_course, lessons
):
    # given a learner who bought the course, posted in its forum and finished it in week 48
    with time_machine.travel(BOUGHT_AT, tick=False):
        payment = buy_and_finish(hook, student, paid_course, lessons)
    certificate = Certificate.objects.get(user=student, course=paid_course)
    awards = set(XPEvent.objects.filter(user=student).values_list("pk", flat=True))
    assert len(awards) == 4 and rollups(student)[("all_time", ALL_TIME_START)] == 125

    # when Razorpay reports the refund processed, in the next week and month
    with time_machine.travel(REFUNDED_AT, tick=False):
        response = post_webhook(hook, refund_event(payment), event_id="e_refund")

    # then access is gone,
    assert response.json() == {"status": "applied"}
    payment.refresh_from_db()
    assert payment.status == "refunded"
    assert Enrollment.objects.get(user=student, course=paid_course).status == "revoked"
    # the certificate is revoked with the reason, and public verification says so,
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoke_reason) == ("revoked", "Payment refunded.")
    verify = client_for(None).get(f"/api/certificates/verify/{certificate.verification_code}/").json()
    assert verify["status"] == "revoked"
    # every award has one compensating event, the awards themselves untouched,
    reversals = XPEvent.objects.filter(user=student, type="reversal")
    assert {r.reverses_id for r in reversals} == awards
    assert sorted(r.points for r in reversals) == [-100, -10, -10, -5]
    assert set(XPEvent.objects.exclude(type="reversal").values_list("pk", flat=True)) == awards
    # and the roll-ups equal the ledger: nothing left in week 48, nothing taken from week 49
    assert rollups(student) == {}
    assert "Roll-ups match the ledger." in rebuild_check()
    assert client_for(student).get("/api/gamification/xp/").json()["total"] == 0
    board = client_for(None).get("/api/leaderboard/", {"period": "all_time"}).json()
    assert [row["user"]["id"] for row in board["results"]] == []


def test_second_refund_event_and_reconciliation_do_not_reverse_twice(hook, student, paid_course, lessons):
    with time_machine.travel(BOUGHT_AT, tick=False):
        payment = buy_and_finish(hook, student, paid_course, lessons)
    # given the refund applied once
    assert post_webhook(hook, refund_event(payment), event_id="e_r1").json()["status"] == "applied"
    # when Razorpay sends refund.processed again under another event id, and refund.created for it
    again = post_webhook(hook, refund_event(payment), event_id="e_r2").json()
    created = post_webhook(
        hook, refund_event(payment).replace(b"refund.processed", b"refund.created"), event_id="e_r3"
    ).json()
    # then nothing changes a second time
    assert again == created == {"status": "no_change"}
    assert XPEvent.objects.filter(user=student, type="reversal").count() == 4
    assert sum(XPEvent.objects.filter(user=student).values_list("points", flat=True)) == 0


def test_reenrolling_does_not_resurrect_the_certificate_or_the_reversed_xp(hook, student, paid_course, lessons):
    # given a refunded learner who had finished the course
    with time_machine.travel(BOUGHT_AT, tick=False):
        payment = buy_and_finish(hook, student, paid_course, lessons)
    post_webhook(hook, refund_event(payment), event_id="e_refund")
    # when they get the course again (a free grant, say) and complete a lesson again, plus a new lesson
    # the instructor added since
    enrollment_grant(user=student, course=paid_course, source=Enrollment.Source.ADMIN)
    new_lesson = baker.make("catalog.Lesson", module=lessons[0].module, position=3, title="Lesson 3")
    for lesson in [*lessons, new_lesson]:
        lesson_complete(user=student, lesson=lesson)
    # then the old certificate stays revoked and the reversed sources do not pay again;
    assert Certificate.objects.get(user=student, course=paid_course).status == "revoked"
    assert not XPEvent.objects.filter(
        user=student, type="lesson_complete", source_id__in=[lesson.pk for lesson in lessons], reversal__isnull=True
    ).exists()
    # only the never-paid new lesson pays, and the roll-ups still equal the ledger
    standing = XPEvent.objects.filter(user=student, points__gt=0, reversal__isnull=True)
    assert list(standing.values_list("source_id", flat=True)) == [new_lesson.pk]
    assert rollups(student)[("all_time", ALL_TIME_START)] == 10
    assert "Roll-ups match the ledger." in rebuild_check()


def test_earned_badges_are_kept_but_count_only_standing_awards(hook, student, paid_course, lessons):
    # given a 3-lesson badge, and the badges earned in the course that gets refunded
    badge = Badge.objects.create(
        code="three-lessons",
        name="Three lessons",
        description="Complete three lessons.",
        rule_type="event_count",
        event_type="lesson_complete",
        threshold=3,
    )
    with time_machine.travel(BOUGHT_AT, tick=False):
        payment = buy_and_finish(hook, student, paid_course, lessons)
    earned_before = set(UserBadge.objects.filter(user=student).values_list("badge__code", flat=True))
    post_webhook(hook, refund_event(payment), event_id="e_refund")
    # when the learner completes one lesson of another course
    other = baker.make("catalog.Course", status="published", price=0)
    module = baker.make("catalog.Module", course=other, position=1)
    other_lessons = [baker.make("catalog.Lesson", module=module, position=i) for i in (1, 2)]
    enrollment_grant(user=student, course=other, source=Enrollment.Source.FREE)
    lesson_complete(user=student, lesson=other_lessons[0])
    # then badges already earned stay, and the 3-lesson badge is not reached by reversed lessons (2 + 1 = 3)
    earned_after = set(UserBadge.objects.filter(user=student).values_list("badge__code", flat=True))
    assert earned_before <= earned_after
    assert badge.code not in earned_after

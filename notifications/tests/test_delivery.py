"""Events of the other apps become one in-app notification and one e-mail per recipient, after commit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from model_bakery import baker

from accounts.services import user_suspend
from billing.signals import payment_refunded
from catalog import services as catalog
from certificates.services import certificate_issue
from forum.services import post_create, reply_accept, reply_create
from notifications.models import Kind, Notification, NotificationPreference
from notifications.services import notifications_deliver
from reviews.services import review_create
from tests.support.world import course_build, payment_make

pytestmark = pytest.mark.django_db


def _rows(kind):
    return list(Notification.objects.filter(kind=kind).order_by("user__email"))


def test_course_submission_notifies_admins_then_approval_and_rejection_the_instructor(
    instructor, admin_user, make_user, django_capture_on_commit_callbacks
):
    # Given a draft course with a lesson and two admins
    other_admin = make_user("admin", email="other-admin@example.com")
    domain = baker.make("catalog.Domain")
    built = course_build(instructor=instructor, admin=admin_user, domain=domain, title="SQL", publish=False)
    mail.outbox.clear()

    # When the instructor submits it
    with django_capture_on_commit_callbacks(execute=True):
        course = catalog.course_submit(course=built.course)

    # Then both admins have it in their inbox and by e-mail
    rows = _rows(Kind.COURSE_SUBMITTED)
    assert {row.user_id for row in rows} == {admin_user.pk, other_admin.pk}
    assert all(row.emailed_at is not None for row in rows)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_user.email, other_admin.email])

    # When an admin rejects it with a reason, the instructor hears the reason
    with django_capture_on_commit_callbacks(execute=True):
        course = catalog.course_reject(course=course, actor=admin_user, reason="Add captions to the videos.")
    (rejected,) = _rows(Kind.COURSE_REJECTED)
    assert rejected.user_id == instructor.pk
    assert "Add captions to the videos." in rejected.body
    assert "Add captions to the videos." in mail.outbox[-1].body

    # And a second submission notifies again (a new event), then the approval
    with django_capture_on_commit_callbacks(execute=True):
        course = catalog.course_submit(course=course)
        catalog.course_approve(course=course, actor=admin_user)
    assert len(_rows(Kind.COURSE_SUBMITTED)) == 4
    (approved,) = _rows(Kind.COURSE_APPROVED)
    assert approved.user_id == instructor.pk


def test_certificate_reply_accept_refund_and_suspension_notify_the_person_concerned(
    student, instructor, admin_user, django_capture_on_commit_callbacks
):
    domain = baker.make("catalog.Domain")
    built = course_build(instructor=instructor, admin=admin_user, domain=domain, title="Go")
    catalog.enrollment_create(user=student, course=built.course)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_issue(user=student, course=built.course)
        post = post_create(user=student, course=built.course, title="What is a goroutine?", body="?")
        reply = reply_create(user=instructor, post=post, body="A lightweight thread.")
        reply_create(user=student, post=post, body="Thanks!")  # one's own question: nobody is told
        reply_accept(user=student, reply=reply)
        user_suspend(actor=admin_user, user=student, reason="Spam in the forum")

    assert [n.user_id for n in _rows(Kind.CERTIFICATE_ISSUED)] == [student.pk]
    assert [n.user_id for n in _rows(Kind.FORUM_REPLY)] == [student.pk]
    assert [n.user_id for n in _rows(Kind.ANSWER_ACCEPTED)] == [instructor.pk]
    (suspended,) = _rows(Kind.ACCOUNT_SUSPENDED)
    assert "Spam in the forum" in suspended.body


def test_a_review_notifies_the_course_instructor(student, instructor, admin_user, django_capture_on_commit_callbacks):
    built = course_build(instructor=instructor, admin=admin_user, domain=baker.make("catalog.Domain"), title="Go")
    catalog.enrollment_create(user=student, course=built.course)
    catalog.lesson_complete(user=student, lesson=built.lessons[0])

    with django_capture_on_commit_callbacks(execute=True):
        review_create(user=student, course=built.course, rating=4, body="Clear and practical.")

    (row,) = _rows(Kind.REVIEW_RECEIVED)
    assert row.user_id == instructor.pk
    assert "★★★★☆" in row.title and "Clear and practical." in row.body


def test_a_refund_notifies_the_buyer(student, instructor, django_capture_on_commit_callbacks):
    course = baker.make("catalog.Course", instructor=instructor, title="Rust", price=Decimal("499.00"))
    payment = payment_make(user=student, course=course, status="refunded", refunded_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        payment_refunded.send(sender=type(payment), user=student, course=payment.course, payment=payment, reason="x")
    (row,) = _rows(Kind.REFUND_PROCESSED)
    assert row.user_id == student.pk and "₹499.00" in row.body


def test_a_rolled_back_event_notifies_nobody(instructor, admin_user, django_capture_on_commit_callbacks):
    domain = baker.make("catalog.Domain")
    built = course_build(instructor=instructor, admin=admin_user, domain=domain, title="Vue", publish=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        catalog.course_submit(course=built.course)
    # The hooks are only queued: without a commit nothing runs.
    assert callbacks and not Notification.objects.exists()


def test_delivery_is_idempotent_one_row_and_one_email_however_often_it_runs(
    learner, course, django_capture_on_commit_callbacks
):
    certificate = baker.make("certificates.Certificate", user=learner, course=course, certificate_number="DCA-1")
    mail.outbox.clear()
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            notifications_deliver(
                kind=Kind.CERTIFICATE_ISSUED, source_id=certificate.pk, source_key=str(certificate.pk)
            )
    assert Notification.objects.filter(user=learner).count() == 1
    assert len(mail.outbox) == 1


def test_preferences_decide_the_channels(learner, course, django_capture_on_commit_callbacks):
    # Given the learner wants certificate news by e-mail only, and no forum news at all
    NotificationPreference.objects.create(user=learner, kind=Kind.CERTIFICATE_ISSUED, in_app=False, email=True)
    certificate = baker.make("certificates.Certificate", user=learner, course=course, certificate_number="DCA-2")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notifications_deliver(kind=Kind.CERTIFICATE_ISSUED, source_id=certificate.pk, source_key="k1")
    row = Notification.objects.get(user=learner)
    assert row.in_app is False and row.emailed_at is not None
    assert len(mail.outbox) == 1

    NotificationPreference.objects.filter(user=learner).update(in_app=False, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        notifications_deliver(kind=Kind.CERTIFICATE_ISSUED, source_id=certificate.pk, source_key="k2")
    assert Notification.objects.filter(user=learner).count() == 1
    assert len(mail.outbox) == 1


def test_the_email_has_text_html_and_a_one_click_unsubscribe(
    learner, course, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_ONE_CLICK_UNSUBSCRIBE_URL = (
        "https://api.example.com/api/notifications/unsubscribe/?token={token}"
    )
    certificate = baker.make("certificates.Certificate", user=learner, course=course, certificate_number="DCA-3")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notifications_deliver(kind=Kind.CERTIFICATE_ISSUED, source_id=certificate.pk, source_key="k")
    (message,) = mail.outbox
    assert message.subject == "Your certificate for “Django Basics” is ready"
    assert "Stop these e-mails" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Django Basics" in html
    assert message.extra_headers["List-Unsubscribe"].startswith(
        "<https://api.example.com/api/notifications/unsubscribe/"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_an_unknown_or_vanished_source_delivers_nothing(learner):
    import uuid

    assert notifications_deliver(kind=Kind.CERTIFICATE_ISSUED, source_id=uuid.uuid4(), source_key="gone") == 0
    assert notifications_deliver(kind=Kind.REVIEW_RECEIVED, source_id=uuid.uuid4(), source_key="later") == 0
    assert not Notification.objects.exists()


def test_an_announcement_to_many_learners_is_read_and_written_in_bounded_batches(
    course, instructor, make_user, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications import services
    from notifications.models import Announcement

    # Given 7 active learners, one revoked, and a delivery batch of 3
    learners = [make_user("student") for _ in range(8)]
    for index, user in enumerate(learners):
        status = "revoked" if index == 0 else "active"
        baker.make("catalog.Enrollment", user=user, course=course, source="free", status=status)
    announcement = baker.make(Announcement, course=course, author=instructor, title="Live session", body="Friday")
    monkeypatch.setattr(services, "DELIVERY_BATCH", 3)

    # When the announcement is delivered
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks():
        delivered = notifications_deliver(
            kind=Kind.ANNOUNCEMENT, source_id=announcement.pk, source_key=str(announcement.pk)
        )

    # Then every active learner has it, exactly once
    assert delivered == 7
    assert set(Notification.objects.filter(kind=Kind.ANNOUNCEMENT).values_list("user_id", flat=True)) == {
        user.pk for user in learners[1:]
    }
    # And the learners were read in pages of at most 3 ids (3 + 3 + 1), never all at once
    pages = [q["sql"] for q in queries.captured_queries if 'FROM "catalog_enrollment"' in q["sql"]]
    assert len(pages) == 3
    assert all("LIMIT 3" in sql for sql in pages)

"""The authorization matrix: for every API route and method, what each kind of caller gets.

Each entry names the URL (built from the world's objects, owned by ``student`` / ``instructor``), a body
that succeeds for an allowed caller, and the expected status per actor. ``other_student`` and
``other_instructor`` use the same URL, so every object route is tried with another user's object.
A route that appears in the URL configuration without an entry here fails the matrix test.

``demoted_instructor`` (the instructor, demoted to student, still owning every course of the world) gets by
default exactly what ``other_student`` gets: a student who never enrolled in those courses. Course
ownership without the instructor role grants nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.security.conftest import (
    ACTORS,
    ADMIN,
    ANON,
    DEMOTED,
    INSTRUCTOR,
    OTHER_INSTRUCTOR,
    OTHER_STUDENT,
    RZP_PAYMENT_ID,
    STUDENT,
    SUSPENDED,
    World,
    checkout_signature,
)

DENY = frozenset({403, 404})  # refused: not allowed (403) or not visible to this caller (404)
STUDENTS = (STUDENT, OTHER_STUDENT)
INSTRUCTORS = (INSTRUCTOR, OTHER_INSTRUCTOR)
SIGNED_IN = (STUDENT, OTHER_STUDENT, INSTRUCTOR, OTHER_INSTRUCTOR, ADMIN)
COURSE_STAFF = (INSTRUCTOR, ADMIN)  # the instructor owns the world's course; the other instructor does not


@dataclass(frozen=True)
class Case:
    url: Callable[[World], str]
    expect: dict[str, frozenset[int]]
    body: Callable[[World], Any] | None = None
    query: dict[str, Callable[[World], str]] = field(default_factory=dict)


def rule(
    ok: int, allowed, *, anonymous: int = 401, suspended: int = 403, denied=DENY, **per_actor: int | frozenset
) -> dict[str, frozenset[int]]:
    """``ok`` for the allowed actors, ``denied`` for the other signed-in ones, 401 anonymous, 403 suspended;
    the demoted instructor as the other student unless said otherwise."""
    expect: dict[str, frozenset[int]] = {}
    for actor in ACTORS:
        if actor == DEMOTED:
            continue
        if actor == ANON:
            status = ok if ANON in allowed else anonymous
        elif actor == SUSPENDED:
            status = suspended
        else:
            status = ok if actor in allowed else denied
        expect[actor] = status if isinstance(status, frozenset) else frozenset({status})
    for actor, status in per_actor.items():
        expect[actor] = status if isinstance(status, frozenset) else frozenset({status})
    expect.setdefault(DEMOTED, expect[OTHER_STUDENT])
    return expect


EVERYONE = (ANON, *SIGNED_IN)


def public(ok: int = 200, *, authless: bool = False) -> dict[str, frozenset[int]]:
    """Anyone. A suspended account's credentials are refused unless the view ignores credentials altogether."""
    return rule(ok, EVERYONE, suspended=ok if authless else 403)


def pk(name: str, path: str) -> Callable[[World], str]:
    return lambda w: path.format(getattr(w, name).pk)


def fixed(path: str) -> Callable[[World], str]:
    return lambda w: path


MATRIX: dict[tuple[str, str], Case] = {
    # --- project plumbing -------------------------------------------------------------------------
    ("health", "GET"): Case(fixed("/api/health/"), public(authless=True)),
    ("health-live", "GET"): Case(fixed("/api/health/live/"), public(authless=True)),
    ("health-ready", "GET"): Case(fixed("/api/health/ready/"), public(authless=True)),
    # The schema and its viewers ignore credentials (SPECTACULAR_SETTINGS["SERVE_AUTHENTICATION"] = []).
    ("schema", "GET"): Case(fixed("/api/schema/"), public(authless=True)),
    ("swagger-ui", "GET"): Case(fixed("/api/docs/"), public(authless=True)),
    ("redoc", "GET"): Case(fixed("/api/redoc/"), public(authless=True)),
    # --- accounts ---------------------------------------------------------------------------------
    ("auth-me", "GET"): Case(fixed("/api/auth/me/"), rule(200, SIGNED_IN)),
    ("auth-me", "PATCH"): Case(fixed("/api/auth/me/"), rule(200, SIGNED_IN), body=lambda w: {"branch": "ECE"}),
    ("auth-onboarding", "POST"): Case(
        fixed("/api/auth/onboarding/"),
        rule(200, STUDENTS, denied=403),  # onboarding is for learners: staff get onboarding_not_for_staff
        body=lambda w: {"full_name": "New Name", "domain": str(w.domain.pk), "branch": "CSE", "year": 2},
    ),
    ("admin-users", "GET"): Case(fixed("/api/admin/users/"), rule(200, (ADMIN,), denied=403)),
    ("admin-user-suspend", "POST"): Case(
        lambda w: f"/api/admin/users/{w.users[OTHER_STUDENT].pk}/suspend/",
        rule(200, (ADMIN,), denied=403),
        body=lambda w: {"reason": "Spam"},
    ),
    ("admin-user-unsuspend", "POST"): Case(
        lambda w: f"/api/admin/users/{w.users[SUSPENDED].pk}/unsuspend/", rule(200, (ADMIN,), denied=403)
    ),
    ("admin-user-promote", "POST"): Case(
        lambda w: f"/api/admin/users/{w.users[OTHER_STUDENT].pk}/promote/",
        rule(200, (ADMIN,), denied=403),
        body=lambda w: {"role": "instructor"},
    ),
    # --- catalog ----------------------------------------------------------------------------------
    ("domain-list", "GET"): Case(fixed("/api/domains/"), public()),
    ("course-list", "GET"): Case(fixed("/api/courses/"), public()),
    ("course-facets", "GET"): Case(fixed("/api/courses/facets/"), public()),
    ("course-suggest", "GET"): Case(fixed("/api/courses/suggest/"), public(), query={"q": lambda w: "py"}),
    ("course-list", "POST"): Case(
        fixed("/api/courses/"),
        rule(201, (*INSTRUCTORS, ADMIN), denied=403),
        body=lambda w: {"title": "Brand new course", "domain": str(w.domain.pk), "price": "99.00"},
    ),
    ("course-mine", "GET"): Case(fixed("/api/courses/mine/"), rule(200, (*INSTRUCTORS, ADMIN), denied=403)),
    ("course-detail", "GET"): Case(pk("draft", "/api/courses/{}/"), rule(200, COURSE_STAFF, anonymous=404)),
    ("course-detail", "PATCH"): Case(
        pk("course", "/api/courses/{}/"), rule(200, COURSE_STAFF, denied=403), body=lambda w: {"title": "Python 3"}
    ),
    ("course-detail", "DELETE"): Case(pk("draft", "/api/courses/{}/"), rule(204, COURSE_STAFF)),
    ("course-archive", "POST"): Case(pk("course", "/api/courses/{}/archive/"), rule(200, COURSE_STAFF, denied=403)),
    # Someone else's archived course does not exist for them (404); students are refused by role first (403).
    ("course-unarchive", "POST"): Case(
        pk("archived", "/api/courses/{}/unarchive/"), rule(200, COURSE_STAFF, denied=403, other_instructor=404)
    ),
    ("course-curriculum", "GET"): Case(
        pk("draft", "/api/courses/{}/curriculum/"), rule(200, COURSE_STAFF, anonymous=404)
    ),
    ("course-enroll", "POST"): Case(pk("open_course", "/api/courses/{}/enroll/"), rule(201, STUDENTS, denied=403)),
    # Someone else's draft does not exist for them (404); students are refused by role first (403).
    ("course-submit", "POST"): Case(
        pk("draft", "/api/courses/{}/submit/"), rule(200, COURSE_STAFF, denied=403, other_instructor=404)
    ),
    ("module-list", "GET"): Case(fixed("/api/modules/"), public(), query={"course": lambda w: str(w.course.pk)}),
    ("module-list", "POST"): Case(
        fixed("/api/modules/"),
        rule(201, COURSE_STAFF, denied=403),
        body=lambda w: {"course": str(w.course.pk), "title": "Advanced"},
    ),
    ("module-detail", "GET"): Case(pk("draft_module", "/api/modules/{}/"), rule(200, COURSE_STAFF, anonymous=404)),
    ("module-detail", "PATCH"): Case(
        pk("module", "/api/modules/{}/"), rule(200, COURSE_STAFF, denied=403), body=lambda w: {"title": "Basics 2"}
    ),
    # The course has learners: its content is never hard-deleted, not even by its staff (409).
    ("module-detail", "DELETE"): Case(pk("module", "/api/modules/{}/"), rule(409, COURSE_STAFF, denied=403)),
    ("lesson-list", "GET"): Case(fixed("/api/lessons/"), public(), query={"module": lambda w: str(w.module.pk)}),
    ("lesson-list", "POST"): Case(
        fixed("/api/lessons/"),
        rule(201, COURSE_STAFF, denied=403),
        body=lambda w: {"module": str(w.module.pk), "title": "Lesson 3"},
    ),
    ("lesson-detail", "GET"): Case(
        pk("lesson", "/api/lessons/{}/"), rule(200, (STUDENT, *COURSE_STAFF), anonymous=404)
    ),
    ("lesson-detail", "PATCH"): Case(
        pk("lesson", "/api/lessons/{}/"), rule(200, COURSE_STAFF, denied=403), body=lambda w: {"title": "Intro"}
    ),
    ("lesson-detail", "DELETE"): Case(pk("lesson", "/api/lessons/{}/"), rule(409, COURSE_STAFF, denied=403)),
    ("lesson-position", "PUT"): Case(
        pk("lesson", "/api/lessons/{}/position/"),
        rule(200, (STUDENT,), denied=403),
        body=lambda w: {"position_seconds": 0},
    ),
    ("me-continue", "GET"): Case(fixed("/api/me/continue/"), rule(200, STUDENTS, denied=403)),
    ("lesson-complete", "POST"): Case(pk("lesson", "/api/lessons/{}/complete/"), rule(200, (STUDENT,), denied=403)),
    ("enrollment-list", "GET"): Case(fixed("/api/enrollments/"), rule(200, STUDENTS, denied=403)),
    ("enrollment-detail", "GET"): Case(
        pk("course", "/api/enrollments/{}/"), rule(200, (STUDENT,), denied=403, other_student=404)
    ),
    ("admin-course-list", "GET"): Case(fixed("/api/admin/courses/"), rule(200, (ADMIN,), denied=403)),
    ("admin-course-approve", "POST"): Case(
        pk("pending", "/api/admin/courses/{}/approve/"), rule(200, (ADMIN,), denied=403)
    ),
    ("admin-course-reject", "POST"): Case(
        pk("pending", "/api/admin/courses/{}/reject/"),
        rule(200, (ADMIN,), denied=403),
        body=lambda w: {"reason": "Needs more examples."},
    ),
    # --- assessments ------------------------------------------------------------------------------
    ("quiz-list", "GET"): Case(
        fixed("/api/quizzes/"), rule(200, (STUDENT, *COURSE_STAFF)), query={"module": lambda w: str(w.module.pk)}
    ),
    ("quiz-list", "POST"): Case(
        fixed("/api/quizzes/"),
        rule(201, COURSE_STAFF, denied=403),
        body=lambda w: {"module": str(w.module.pk), "question": "3 + 3?", "options": ["6", "7"], "correct_option": 0},
    ),
    ("quiz-reorder", "POST"): Case(
        fixed("/api/quizzes/reorder/"),
        rule(200, COURSE_STAFF, denied=403),
        body=lambda w: {"module": str(w.module.pk), "order": [str(w.quiz.pk)]},
    ),
    ("quiz-stats", "GET"): Case(
        fixed("/api/quizzes/stats/"), rule(200, COURSE_STAFF, denied=403), query={"module": lambda w: str(w.module.pk)}
    ),
    ("quiz-detail", "GET"): Case(pk("quiz", "/api/quizzes/{}/"), rule(200, (STUDENT, *COURSE_STAFF))),
    ("quiz-detail", "PATCH"): Case(
        pk("quiz", "/api/quizzes/{}/"), rule(200, COURSE_STAFF, denied=403), body=lambda w: {"question": "2 + 2 = ?"}
    ),
    ("quiz-detail", "DELETE"): Case(pk("quiz", "/api/quizzes/{}/"), rule(409, COURSE_STAFF, denied=403)),
    ("quiz-attempt-create", "POST"): Case(
        pk("module", "/api/modules/{}/quiz-attempts/"),
        rule(201, (STUDENT,), denied=403),
        body=lambda w: {"answers": [{"quiz": str(w.quiz.pk), "selected_option": 0}]},
    ),
    # A multipart upload; the matrix sends JSON, so course staff, past the permission check, get 415
    # (assessments/tests/test_quiz_import.py uploads real and broken files); everyone else is refused first.
    ("quiz-import", "POST"): Case(pk("module", "/api/modules/{}/quizzes/import/"), rule(415, COURSE_STAFF, denied=403)),
    # The student has an attempt open at the module, so starting hands it back (200).
    ("quiz-attempt-start", "POST"): Case(
        pk("module", "/api/modules/{}/quiz-attempts/start/"), rule(200, (STUDENT,), denied=403)
    ),
    # Attempts are their learner's: to anyone else they do not exist.
    ("quiz-attempt-detail", "GET"): Case(pk("attempt", "/api/quiz-attempts/{}/"), rule(200, (STUDENT,), denied=404)),
    ("quiz-attempt-detail", "PATCH"): Case(
        pk("open_attempt", "/api/quiz-attempts/{}/"),
        rule(200, (STUDENT,), denied=404),
        body=lambda w: {"answers": [{"quiz": str(w.quiz.pk), "selected_options": [0]}]},
    ),
    ("quiz-attempt-submit", "POST"): Case(
        pk("open_attempt", "/api/quiz-attempts/{}/submit/"), rule(200, (STUDENT,), denied=404), body=lambda w: {}
    ),
    ("quiz-result-list", "GET"): Case(fixed("/api/quiz-results/"), rule(200, SIGNED_IN)),
    # --- billing ----------------------------------------------------------------------------------
    ("payment-order", "POST"): Case(
        fixed("/api/payments/order/"),
        # The student's open order is handed out again; the other student already bought the course; the
        # demoted instructor is a student now, who may buy the course like any other (a new order).
        rule(200, (STUDENT,), denied=403, other_student=409, demoted_instructor=201),
        body=lambda w: {"course": str(w.paid_course.pk)},
    ),
    ("payment-verify", "POST"): Case(
        fixed("/api/payments/verify/"),
        rule(200, (STUDENT,), denied=403, other_student=404),
        body=lambda w: {
            "razorpay_order_id": w.open_order.razorpay_order_id,
            "razorpay_payment_id": RZP_PAYMENT_ID,
            "razorpay_signature": checkout_signature(w.open_order.razorpay_order_id, RZP_PAYMENT_ID),
        },
    ),
    # Razorpay proves itself with the signature, not a login: unsigned calls are 400 for everyone.
    ("payment-webhook", "POST"): Case(
        fixed("/api/payments/webhook/"), rule(400, EVERYONE, suspended=400), body=lambda w: {"event": "order.paid"}
    ),
    ("payment-history", "GET"): Case(fixed("/api/payments/history/"), rule(200, STUDENTS, denied=403)),
    ("payment-quote", "POST"): Case(
        fixed("/api/payments/quote/"),
        rule(200, STUDENTS, denied=403),
        body=lambda w: {"course": str(w.paid_course.pk), "coupon": "matrix"},
    ),
    ("payment-billing-details", "GET"): Case(fixed("/api/payments/billing-details/"), rule(200, STUDENTS, denied=403)),
    ("payment-billing-details", "PUT"): Case(
        fixed("/api/payments/billing-details/"),
        rule(200, STUDENTS, denied=403),
        body=lambda w: {"name": "Asha Traders", "state": "27", "gstin": "27AAPFU0939F1ZV"},
    ),
    # The world's paid payment is the other student's: only they and admins read its documents.
    ("payment-invoice", "GET"): Case(
        pk("paid", "/api/payments/{}/invoice/"), rule(200, (OTHER_STUDENT, ADMIN), demoted_instructor=404)
    ),
    ("payment-credit-note", "GET"): Case(
        pk("paid", "/api/payments/{}/credit-note/"), rule(200, (OTHER_STUDENT, ADMIN), demoted_instructor=404)
    ),
    ("admin-coupon-list", "GET"): Case(fixed("/api/admin/coupons/"), rule(200, (ADMIN,), denied=403)),
    ("admin-coupon-list", "POST"): Case(
        fixed("/api/admin/coupons/"),
        rule(201, (ADMIN,), denied=403),
        body=lambda w: {"code": "NEWCODE", "discount_type": "amount", "value": "50.00"},
    ),
    ("admin-coupon-detail", "GET"): Case(pk("coupon", "/api/admin/coupons/{}/"), rule(200, (ADMIN,), denied=403)),
    ("admin-coupon-detail", "PATCH"): Case(
        pk("coupon", "/api/admin/coupons/{}/"), rule(200, (ADMIN,), denied=403), body=lambda w: {"active": False}
    ),
    ("admin-coupon-detail", "DELETE"): Case(pk("coupon", "/api/admin/coupons/{}/"), rule(204, (ADMIN,), denied=403)),
    ("instructor-dashboard", "GET"): Case(
        fixed("/api/instructor/dashboard/"), rule(200, (*INSTRUCTORS, ADMIN), denied=403)
    ),
    ("instructor-statement-list", "GET"): Case(
        fixed("/api/instructor/statements/"), rule(200, (*INSTRUCTORS, ADMIN), denied=403)
    ),
    # The instructor's own statement: another instructor is told it does not exist.
    ("instructor-statement-detail", "GET"): Case(
        pk("statement", "/api/instructor/statements/{}/"),
        rule(200, (INSTRUCTOR, ADMIN), denied=403, other_instructor=404),
    ),
    ("instructor-statement-pdf", "GET"): Case(
        pk("statement", "/api/instructor/statements/{}/pdf/"),
        rule(200, (INSTRUCTOR, ADMIN), denied=403, other_instructor=404),
    ),
    ("instructor-statement-csv", "GET"): Case(
        pk("statement", "/api/instructor/statements/{}/csv/"),
        rule(200, (INSTRUCTOR, ADMIN), denied=403, other_instructor=404),
    ),
    ("instructor-coupon-list", "GET"): Case(
        fixed("/api/instructor/coupons/"), rule(200, (*INSTRUCTORS, ADMIN), denied=403)
    ),
    # Codes for the instructor's own course: the other instructor does not own it.
    ("instructor-coupon-list", "POST"): Case(
        fixed("/api/instructor/coupons/"),
        rule(201, (INSTRUCTOR, ADMIN), denied=403, other_instructor=400),
        body=lambda w: {"code": "MINE10", "discount_type": "percent", "value": "10", "courses": [str(w.course.pk)]},
    ),
    ("admin-payment-list", "GET"): Case(fixed("/api/admin/payments/"), rule(200, (ADMIN,), denied=403)),
    ("admin-payment-refund", "POST"): Case(
        pk("paid", "/api/admin/payments/{}/refund/"),
        rule(200, (ADMIN,), denied=403),
        body=lambda w: {"reason": "Asked within 7 days"},
    ),
    # --- certificates -----------------------------------------------------------------------------
    ("certificates:list", "GET"): Case(fixed("/api/certificates/"), rule(200, SIGNED_IN)),
    ("certificates:verify", "GET"): Case(
        lambda w: f"/api/certificates/verify/{w.certificate.verification_code}/", public(authless=True)
    ),
    ("certificates:download", "GET"): Case(
        pk("certificate", "/api/certificates/{}/download/"), rule(200, (STUDENT, ADMIN))
    ),
    ("certificates:revoke", "POST"): Case(
        pk("certificate", "/api/admin/certificates/{}/revoke/"),
        rule(200, (ADMIN,), denied=403),
        body=lambda w: {"reason": "Plagiarism"},
    ),
    ("certificates:reinstate", "POST"): Case(
        pk("revoked", "/api/admin/certificates/{}/reinstate/"),
        rule(200, (ADMIN,), denied=403),
        body=lambda w: {"reason": "Cleared"},
    ),
    # --- gamification -----------------------------------------------------------------------------
    ("leaderboard", "GET"): Case(fixed("/api/leaderboard/"), public()),
    ("gamification-xp", "GET"): Case(fixed("/api/gamification/xp/"), rule(200, SIGNED_IN)),
    ("gamification-badges", "GET"): Case(fixed("/api/gamification/badges/"), rule(200, SIGNED_IN)),
    ("gamification-streak", "GET"): Case(fixed("/api/gamification/streak/"), rule(200, SIGNED_IN)),
    # --- forum (the student's question in the instructor's course; the other student is not enrolled) ----
    ("forum-post-list", "GET"): Case(
        fixed("/api/forum/posts/"), rule(200, (STUDENT, *COURSE_STAFF)), query={"course": lambda w: str(w.course.pk)}
    ),
    ("forum-post-list", "POST"): Case(
        fixed("/api/forum/posts/"),
        rule(201, (STUDENT, *COURSE_STAFF)),
        body=lambda w: {"course": str(w.course.pk), "title": "What is a closure?", "body": "Explain please."},
    ),
    ("forum-post-detail", "GET"): Case(pk("post", "/api/forum/posts/{}/"), rule(200, (STUDENT, *COURSE_STAFF))),
    ("forum-post-detail", "PATCH"): Case(
        pk("post", "/api/forum/posts/{}/"),
        # Only the author edits a question; the instructor and admins moderate by hiding or deleting it.
        rule(200, (STUDENT,), instructor=403, admin=403),
        body=lambda w: {"title": "How do decorators work in Python?"},
    ),
    ("forum-post-detail", "DELETE"): Case(pk("post", "/api/forum/posts/{}/"), rule(204, (STUDENT, *COURSE_STAFF))),
    ("forum-post-vote", "POST"): Case(
        # Authors do not vote on their own question.
        pk("post", "/api/forum/posts/{}/vote/"),
        rule(200, COURSE_STAFF, student=403),
        body=lambda w: {"value": 1},
    ),
    ("forum-post-replies", "GET"): Case(
        pk("post", "/api/forum/posts/{}/replies/"), rule(200, (STUDENT, *COURSE_STAFF))
    ),
    ("forum-post-replies", "POST"): Case(
        pk("post", "/api/forum/posts/{}/replies/"),
        rule(201, (STUDENT, *COURSE_STAFF)),
        body=lambda w: {"body": "Here is how."},
    ),
    # --- wishlist (the student saved the open course) -------------------------------------------------------
    ("wishlist-list", "GET"): Case(fixed("/api/wishlist/"), rule(200, STUDENTS, denied=403)),
    ("wishlist-list", "POST"): Case(
        fixed("/api/wishlist/"),
        rule(201, STUDENTS, denied=403, student=200),  # already saved: 200
        body=lambda w: {"course": str(w.open_course.pk)},
    ),
    ("wishlist-detail", "DELETE"): Case(
        pk("open_course", "/api/wishlist/{}/"),
        rule(204, (STUDENT,), other_student=404, **{DEMOTED: 404}, instructor=403, other_instructor=403, admin=403),
    ),
    # --- reviews (the student's review of the instructor's course) -------------------------------------------
    ("course-reviews", "GET"): Case(pk("course", "/api/courses/{}/reviews/"), public()),
    ("course-reviews", "POST"): Case(
        # Only the other student has done a lesson of the other course (the demoted instructor never enrolled).
        pk("other_course", "/api/courses/{}/reviews/"),
        rule(201, (OTHER_STUDENT,), denied=403, **{DEMOTED: 403}),
        body=lambda w: {"rating": 4, "body": "Good"},
    ),
    ("review-detail", "PATCH"): Case(
        pk("review", "/api/reviews/{}/"), rule(200, (STUDENT,)), body=lambda w: {"rating": 5}
    ),
    ("review-detail", "DELETE"): Case(pk("review", "/api/reviews/{}/"), rule(204, (STUDENT, ADMIN))),
    ("review-reply", "POST"): Case(
        pk("review", "/api/reviews/{}/reply/"), rule(200, COURSE_STAFF), body=lambda w: {"body": "Thanks!"}
    ),
    ("review-helpful", "POST"): Case(
        # Authors do not vote on their own review.
        pk("review", "/api/reviews/{}/helpful/"),
        rule(200, (OTHER_STUDENT, *INSTRUCTORS, ADMIN), student=403),
        body=lambda w: {},
    ),
    ("review-flag", "POST"): Case(
        # Any reader but the author; each actor's flag is rolled back, so the auto-hide threshold is never met.
        pk("review", "/api/reviews/{}/flag/"),
        rule(201, (OTHER_STUDENT, *INSTRUCTORS, ADMIN), student=403),
        body=lambda w: {"reason": "Fake review"},
    ),
    ("forum-post-flag", "POST"): Case(
        pk("post", "/api/forum/posts/{}/flag/"),
        # Nobody flags their own writing; the instructor flagged this one already.
        rule(201, (ADMIN,), student=403, instructor=409),
        body=lambda w: {"reason": "Spam link"},
    ),
    ("forum-reply-detail", "PATCH"): Case(
        pk("reply", "/api/forum/replies/{}/"),
        rule(200, (INSTRUCTOR,), student=403, admin=403),  # the instructor wrote the reply
        body=lambda w: {"body": "A decorator wraps and returns a function."},
    ),
    ("forum-reply-detail", "DELETE"): Case(pk("reply", "/api/forum/replies/{}/"), rule(204, COURSE_STAFF, student=403)),
    # The question's author or the course's instructor picks the accepted answer (not admins).
    ("forum-reply-accept", "POST"): Case(
        pk("reply", "/api/forum/replies/{}/accept/"), rule(200, (STUDENT, INSTRUCTOR), admin=403)
    ),
    ("forum-reply-flag", "POST"): Case(
        pk("reply", "/api/forum/replies/{}/flag/"),
        rule(201, (STUDENT, ADMIN), instructor=403),  # the instructor wrote the reply
        body=lambda w: {"reason": "Wrong answer"},
    ),
    ("admin-flag-list", "GET"): Case(fixed("/api/admin/flags/"), rule(200, (ADMIN,), denied=403)),
    ("admin-flag-resolve", "POST"): Case(
        pk("flag", "/api/admin/flags/{}/resolve/"),
        rule(200, (ADMIN,), denied=403),
        body=lambda w: {"action": "dismiss"},
    ),
    # --- notifications and announcements ---------------------------------------------------------
    ("notification-list", "GET"): Case(fixed("/api/notifications/"), rule(200, SIGNED_IN)),
    ("notification-unread-count", "GET"): Case(fixed("/api/notifications/unread-count/"), rule(200, SIGNED_IN)),
    ("notification-read-all", "POST"): Case(fixed("/api/notifications/read-all/"), rule(200, SIGNED_IN)),
    ("notification-read", "POST"): Case(pk("notification", "/api/notifications/{}/read/"), rule(200, (STUDENT,))),
    ("notification-preferences", "GET"): Case(fixed("/api/notifications/preferences/"), rule(200, SIGNED_IN)),
    ("notification-preferences", "PUT"): Case(
        fixed("/api/notifications/preferences/"),
        rule(200, SIGNED_IN),
        body=lambda w: {"preferences": [{"kind": "announcement", "email": False}]},
    ),
    # The e-mail's unsubscribe link: the signed token is the credential; the caller's own are ignored.
    ("notification-unsubscribe", "GET"): Case(
        fixed("/api/notifications/unsubscribe/"), public(authless=True), query={"token": lambda w: w.unsubscribe_token}
    ),
    ("notification-unsubscribe", "POST"): Case(
        fixed("/api/notifications/unsubscribe/"), public(authless=True), query={"token": lambda w: w.unsubscribe_token}
    ),
    ("course-announcements", "GET"): Case(
        pk("course", "/api/courses/{}/announcements/"), rule(200, (STUDENT, *COURSE_STAFF))
    ),
    ("course-announcements", "POST"): Case(
        pk("course", "/api/courses/{}/announcements/"),
        rule(201, COURSE_STAFF),
        body=lambda w: {"title": "Live session", "body": "Friday at 6 pm."},
    ),
    ("announcement-detail", "DELETE"): Case(pk("announcement", "/api/announcements/{}/"), rule(204, COURSE_STAFF)),
    # --- staff operations -------------------------------------------------------------------------------
    ("admin-stats", "GET"): Case(fixed("/api/admin/stats/"), rule(200, (ADMIN,), denied=403)),
    ("admin-report", "GET"): Case(fixed("/api/admin/reports/users/"), rule(200, (ADMIN,), denied=403)),
    ("admin-audit-log", "GET"): Case(fixed("/api/admin/audit-log/"), rule(200, (ADMIN,), denied=403)),
}

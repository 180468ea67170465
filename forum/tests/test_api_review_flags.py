"""Flags on course reviews: the same queue and rules as forum writing (issue #19 §2)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from model_bakery import baker

from audit.models import AuditLog
from catalog.models import Course, Enrollment
from forum.models import Flag
from reviews.models import Review
from reviews.services import review_create

pytestmark = pytest.mark.django_db

QUEUE_URL = "/api/admin/flags/"


def flag_url(review) -> str:
    return f"/api/reviews/{review.pk}/flag/"


def resolve_url(flag) -> str:
    return f"/api/admin/flags/{flag.pk}/resolve/"


def reviews_url(course) -> str:
    return f"/api/courses/{course.pk}/reviews/"


def figures(course) -> tuple:
    course = Course.objects.get(pk=course.pk)
    return course.rating_count, course.rating_average


@pytest.fixture
def make_review(course, make_learner):
    """``make_review(rating)``: a learner with a completed lesson reviews ``course`` through the service."""

    def make(rating: int = 5, user=None, body: str = "Loved it"):
        user = user or make_learner()
        Enrollment.objects.filter(user=user, course=course).update(completed_lessons=1)
        return review_create(user=user, course=course, rating=rating, body=body)

    return make


@pytest.fixture
def review(make_review, learner):
    return make_review(5, user=learner)


def flag(client_for, user, review, reason="Fake review, advertises another site"):
    return client_for(user).post(flag_url(review), {"reason": reason}, format="json")


# --- Flagging ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_student", "other_learner", "instructor", "admin_user"])
def test_any_reader_flags_a_review_once(request, client_for, review, who):
    # Given a review anyone may read (a published course), and a reader who did not write it
    user = request.getfixturevalue(who)
    # When they flag it
    response = flag(client_for, user, review)
    # Then the flag is in the queue, pointing at the review
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["item_type"], body["review"], body["post"], body["reply"], body["status"]) == (
        "review",
        str(review.pk),
        None,
        None,
        "open",
    )
    assert Flag.objects.get().reporter == user
    # And a second flag by the same reader is a conflict that adds nothing
    again = flag(client_for, user, review, reason="Still fake")
    assert (again.status_code, again.json()["code"]) == (409, "forum_already_flagged")
    assert Flag.objects.count() == 1


def test_anonymous_cannot_flag(client_for, review):
    assert flag(client_for, None, review).status_code == 401
    assert not Flag.objects.exists()


def test_cannot_flag_own_review(client_for, learner, review):
    response = flag(client_for, learner, review)
    assert (response.status_code, response.json()["code"]) == (403, "forum_flag_own_content")
    assert not Flag.objects.exists()


@pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": "no"}, {"reason": "x" * 501}, {"reason": None}])
def test_flag_reason_is_validated(client_for, other_student, review, payload):
    response = client_for(other_student).post(flag_url(review), payload, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert not Flag.objects.exists()


def test_invisible_reviews_are_404(client_for, make_user, other_learner, review):
    # A review of an archived course the reader never joined, an unknown id, and a review hidden from them
    stranger = make_user("student")
    Course.objects.filter(pk=review.course_id).update(status=Course.Status.ARCHIVED)
    assert flag(client_for, stranger, review).status_code == 404
    Course.objects.filter(pk=review.course_id).update(status=Course.Status.PUBLISHED)
    unknown = Review(pk="00000000-0000-0000-0000-000000000000")
    assert flag(client_for, stranger, unknown).status_code == 404
    Review.objects.filter(pk=review.pk).update(is_hidden=True, hidden_at=review.created_at)
    response = flag(client_for, other_learner, review)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert not Flag.objects.exists()


def test_flagging_reviews_shares_the_forum_flag_rate_limit(client_for, other_student, make_review, settings):
    settings.FORUM_FLAG_RATE = "1/h"
    first, second = make_review(5), make_review(4)
    assert flag(client_for, other_student, first).status_code == 201
    assert flag(client_for, other_student, second).status_code == 429
    assert Flag.objects.count() == 1


# --- Auto-hide and the figures -----------------------------------------------------------------


def test_enough_flags_hide_a_review_and_take_it_out_of_the_rating(
    client_for, make_user, learner, instructor, admin_user, course, review, make_review, settings
):
    settings.FORUM_AUTO_HIDE_FLAGS = 3
    # Given a 5 and a 3 in the course's figures
    make_review(3)
    assert figures(course) == (2, Decimal("4.00"))
    readers = [make_user("student") for _ in range(3)]
    # When two readers flag the 5, it stays; the third hides it
    for reader in readers[:2]:
        flag(client_for, reader, review)
    assert Review.objects.get(pk=review.pk).is_hidden is False
    flag(client_for, readers[2], review)
    # Then the 5 is hidden and out of the course's figures
    hidden = Review.objects.get(pk=review.pk)
    assert hidden.is_hidden is True and hidden.hidden_at is not None
    assert figures(course) == (1, Decimal("3.00"))
    # And it is not listed to others, while its author and admins still see it
    listed = client_for(readers[0]).get(reviews_url(course)).json()["results"]
    assert str(review.pk) not in [r["id"] for r in listed]
    for viewer in (learner, admin_user):
        mine = {r["id"]: r for r in client_for(viewer).get(reviews_url(course)).json()["results"]}
        assert mine[str(review.pk)]["is_hidden"] is True
    assert str(review.pk) not in [r["id"] for r in client_for(None).get(reviews_url(course)).json()["results"]]
    # And others cannot act on it any more
    assert (
        client_for(instructor).post(f"/api/reviews/{review.pk}/reply/", {"body": "Hi"}, format="json").status_code
        == 404
    )
    assert Flag.objects.filter(review=review, status="open").count() == 3


def test_moderator_hides_a_review(client_for, admin_user, other_student, course, review):
    # Given one open flag on a review (below the threshold)
    flag(client_for, other_student, review)
    open_flag = Flag.objects.get()
    # When an admin hides it
    response = client_for(admin_user).post(resolve_url(open_flag), {"action": "hide"}, format="json")
    # Then the review is hidden, out of the figures, the flag decided and the decision audited
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["item_is_hidden"]) == ("hidden", True)
    assert Review.objects.get(pk=review.pk).is_hidden is True
    assert figures(course)[0] == 0
    audit = AuditLog.objects.get(action="flag.hide")
    assert audit.details["item_type"] == "review"
    assert audit.details["item_id"] == str(review.pk)


def test_dismissing_shows_an_auto_hidden_review_and_counts_it_again(
    client_for, admin_user, make_user, course, review, settings
):
    settings.FORUM_AUTO_HIDE_FLAGS = 2
    for _ in range(2):
        flag(client_for, make_user("student"), review)
    assert figures(course)[0] == 0
    first = Flag.objects.filter(review=review).first()
    response = client_for(admin_user).post(resolve_url(first), {"action": "dismiss"}, format="json")
    assert response.status_code == 200
    assert Review.objects.get(pk=review.pk).is_hidden is False
    assert figures(course) == (1, Decimal("5.00"))
    assert set(Flag.objects.values_list("status", flat=True)) == {"dismissed"}
    assert AuditLog.objects.get(action="flag.dismiss").details["flags_resolved"] == 2


# --- The queue ---------------------------------------------------------------------------------


def test_queue_shows_a_review_flag(client_for, admin_user, other_student, learner, course, review):
    flag(client_for, other_student, review)
    entry = client_for(admin_user).get(QUEUE_URL, {"status": "open"}).json()["results"][0]
    assert entry["item_type"] == "review"
    assert entry["review"] == {"id": str(review.pk), "rating": 5}
    assert (entry["post"], entry["reply"]) == (None, None)
    assert entry["course"] == {"id": str(course.pk), "title": course.title}
    assert entry["item_author"]["id"] == str(learner.pk)
    assert entry["item_text"] == "Loved it"
    assert (entry["item_is_hidden"], entry["item_is_deleted"]) == (False, False)


@pytest.mark.parametrize("n_each", [1, 8])
def test_queue_query_count_is_fixed_with_posts_replies_and_reviews(
    client_for, admin_user, make_user, make_post, make_reply, learner, other_learner, make_review,
    django_assert_max_num_queries, n_each,
):  # fmt: skip
    post = make_post(learner)
    reply = make_reply(post, other_learner)
    review = make_review(4)
    for _ in range(n_each):
        for target in ({"post": post}, {"reply": reply}, {"review": review}):
            baker.make("forum.Flag", reporter=make_user("student"), reason="Spam", **target)
    client = client_for(admin_user)
    # count (1), page with reporter, resolver, the item, its author, its post and course joined (1)
    with django_assert_max_num_queries(2):
        response = client.get(QUEUE_URL, {"page_size": 50})
    body = response.json()
    assert body["count"] == 3 * n_each
    assert {entry["item_type"] for entry in body["results"]} == {"post", "reply", "review"}

"""The reviews API: each role, another user's review, bad input, orderings and query counts."""

from __future__ import annotations

import pytest

from catalog.models import Course
from reviews.models import Review
from reviews.services import review_create

pytestmark = pytest.mark.django_db


def reviews_url(course) -> str:
    return f"/api/courses/{course.pk}/reviews/"


def review_url(review, action: str = "") -> str:
    return f"/api/reviews/{review.pk}/" + (f"{action}/" if action else "")


class TestCreate:
    def test_a_learner_reviews_and_the_course_shows_it(self, client_for, course, reviewer):
        response = client_for(reviewer).post(reviews_url(course), {"rating": 5, "body": "Great"}, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["rating"], body["body"], body["user"]["full_name"], body["reply"]) == (
            5,
            "Great",
            "Asha Reviewer",
            None,
        )
        detail = client_for(None).get(f"/api/courses/{course.pk}/").json()
        assert (detail["rating_average"], detail["rating_count"]) == ("5.00", 1)
        assert detail["rating_histogram"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}

    @pytest.mark.parametrize(
        "payload", [{}, {"rating": 0}, {"rating": 6}, {"rating": "x"}, {"rating": 3, "body": "x" * 5001}]
    )
    def test_bad_input_is_a_field_error_and_changes_nothing(self, client_for, course, reviewer, payload):
        response = client_for(reviewer).post(reviews_url(course), payload, format="json")
        assert response.status_code == 400
        assert set(response.json()["errors"]) <= {"rating", "body"}
        assert Review.objects.count() == 0

    def test_roles_that_may_not_review(self, client_for, course, instructor, other_student, admin_user):
        assert client_for(None).post(reviews_url(course), {"rating": 5}, format="json").status_code == 401
        assert client_for(instructor).post(reviews_url(course), {"rating": 5}, format="json").status_code == 403
        assert client_for(admin_user).post(reviews_url(course), {"rating": 5}, format="json").status_code == 403
        response = client_for(other_student).post(reviews_url(course), {"rating": 5}, format="json")
        assert (response.status_code, response.json()["code"]) == (403, "not_enrolled")

    def test_twice_is_a_conflict(self, client_for, course, reviewer):
        client_for(reviewer).post(reviews_url(course), {"rating": 5}, format="json")
        response = client_for(reviewer).post(reviews_url(course), {"rating": 4}, format="json")
        assert (response.status_code, response.json()["code"]) == (409, "already_reviewed")

    def test_a_draft_course_is_404(self, client_for, course, reviewer):
        Course.objects.filter(pk=course.pk).update(status=Course.Status.DRAFT)
        assert client_for(None).get(reviews_url(course)).status_code == 404


class TestList:
    def test_orderings(self, client_for, course, learner):
        users = [learner() for _ in range(3)]
        reviews = [review_create(user=u, course=course, rating=r) for u, r in zip(users, (3, 5, 1), strict=True)]
        voter = learner()
        client_for(voter).post(review_url(reviews[0], "helpful"), {}, format="json")

        def ratings(ordering: str) -> list[int]:
            return [
                r["rating"]
                for r in client_for(voter).get(reviews_url(course), {"ordering": ordering}).json()["results"]
            ]

        assert ratings("newest") == [1, 5, 3]
        assert ratings("helpful") == [3, 1, 5]
        assert ratings("highest") == [5, 3, 1]
        assert ratings("lowest") == [1, 3, 5]
        found = client_for(voter).get(reviews_url(course), {"ordering": "helpful"}).json()["results"][0]
        assert (found["helpful_count"], found["viewer_found_helpful"]) == (1, True)
        assert client_for(voter).get(reviews_url(course), {"ordering": "best"}).status_code == 400

    @pytest.mark.parametrize("count", [1, 20])
    def test_query_count(self, client_for, course, learner, other_student, count, django_assert_max_num_queries):
        for _ in range(count):
            review = review_create(user=learner(), course=course, rating=4)
        Review.objects.filter(pk=review.pk).update(reply_body="Thanks", replied_at=review.created_at)
        client = client_for(other_student)
        # the course (visibility), COUNT(*) for the page, one SELECT of reviews with authors and my votes
        with django_assert_max_num_queries(3):
            response = client.get(reviews_url(course), {"page_size": 50})
        assert response.json()["count"] == count


class TestEditDelete:
    def test_the_author_edits_and_deletes(self, client_for, course, reviewer):
        review = review_create(user=reviewer, course=course, rating=2)
        response = client_for(reviewer).patch(review_url(review), {"rating": 4}, format="json")
        assert (response.status_code, response.json()["rating"]) == (200, 4)
        assert response.json()["edited_at"] is not None
        assert client_for(reviewer).delete(review_url(review)).status_code == 204
        assert Course.objects.get(pk=course.pk).rating_count == 0

    def test_another_user_may_not_edit_or_delete(self, client_for, course, reviewer, other_student, instructor):
        review = review_create(user=reviewer, course=course, rating=2)
        for user in (other_student, instructor):
            assert client_for(user).patch(review_url(review), {"rating": 5}, format="json").status_code == 403
            assert client_for(user).delete(review_url(review)).status_code == 403
        assert Review.objects.get().rating == 2

    def test_an_admin_removes_a_review(self, client_for, course, reviewer, admin_user):
        review = review_create(user=reviewer, course=course, rating=1)
        assert client_for(admin_user).delete(review_url(review)).status_code == 204
        assert not Review.objects.exists()

    def test_bad_edit_is_a_field_error(self, client_for, course, reviewer):
        review = review_create(user=reviewer, course=course, rating=2)
        response = client_for(reviewer).patch(review_url(review), {"rating": 9}, format="json")
        assert (response.status_code, list(response.json()["errors"])) == (400, ["rating"])

    def test_unknown_review_is_404(self, client_for, reviewer):
        assert client_for(reviewer).delete("/api/reviews/00000000-0000-0000-0000-000000000000/").status_code == 404


class TestReply:
    def test_the_instructor_replies_once(self, client_for, course, reviewer, instructor):
        review = review_create(user=reviewer, course=course, rating=3)
        response = client_for(instructor).post(review_url(review, "reply"), {"body": "Thank you"}, format="json")
        assert response.status_code == 200
        assert response.json()["reply"]["body"] == "Thank you"
        assert response.json()["reply"]["replied_by"]["id"] == str(instructor.pk)
        again = client_for(instructor).post(review_url(review, "reply"), {"body": "Again"}, format="json")
        assert (again.status_code, again.json()["code"]) == (409, "already_replied")

    def test_others_may_not_reply(self, client_for, course, reviewer, other_instructor, other_student):
        review = review_create(user=reviewer, course=course, rating=3)
        for user in (other_instructor, other_student, reviewer):
            response = client_for(user).post(review_url(review, "reply"), {"body": "Hi"}, format="json")
            assert (response.status_code, response.json()["code"]) == (403, "not_course_staff")
        assert client_for(None).post(review_url(review, "reply"), {"body": "Hi"}, format="json").status_code == 401

    def test_empty_reply_is_a_field_error(self, client_for, course, reviewer, instructor):
        review = review_create(user=reviewer, course=course, rating=3)
        response = client_for(instructor).post(review_url(review, "reply"), {"body": ""}, format="json")
        assert (response.status_code, list(response.json()["errors"])) == (400, ["body"])


class TestHelpful:
    def test_vote_and_take_back(self, client_for, course, reviewer, other_student):
        review = review_create(user=reviewer, course=course, rating=3)
        response = client_for(other_student).post(review_url(review, "helpful"), {}, format="json")
        assert (response.status_code, response.json()["helpful_count"]) == (200, 1)
        response = client_for(other_student).post(review_url(review, "helpful"), {"helpful": False}, format="json")
        assert response.json()["helpful_count"] == 0
        own = client_for(reviewer).post(review_url(review, "helpful"), {}, format="json")
        assert (own.status_code, own.json()["code"]) == (403, "review_own_helpful")
        bad = client_for(other_student).post(review_url(review, "helpful"), {"helpful": "perhaps"}, format="json")
        assert bad.status_code == 400

    def test_the_rate_limit_answers_429(self, client_for, course, reviewer, other_student, settings):
        settings.REVIEWS_HELPFUL_RATE = "2/m"
        review = review_create(user=reviewer, course=course, rating=3)
        client = client_for(other_student)
        codes = [client.post(review_url(review, "helpful"), {}, format="json").status_code for _ in range(3)]
        assert codes == [200, 200, 429]


def test_reviews_of_a_course_a_user_cannot_see_are_404(client_for, course, reviewer, other_student):
    review = review_create(user=reviewer, course=course, rating=3)
    Course.objects.filter(pk=course.pk).update(status=Course.Status.ARCHIVED)
    assert client_for(other_student).post(review_url(review, "helpful"), {}, format="json").status_code == 404
    assert client_for(reviewer).get(reviews_url(course)).status_code == 200

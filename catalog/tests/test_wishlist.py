"""The wishlist: saving, listing with price, removal, leaving on enrollment, and ``in_wishlist``."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from catalog.models import Course, WishlistItem
from catalog.selectors import _wishlisted, wishlist_course_ids
from catalog.services import enrollment_grant, enrollment_revoke

pytestmark = pytest.mark.django_db

WISHLIST = "/api/wishlist/"


def save(client, course):
    return client.post(WISHLIST, {"course": str(course.pk)}, format="json")


class TestSave:
    def test_a_student_saves_a_course_and_sees_price_and_free(self, client_for, make_course, student):
        paid = make_course(title="Django Pro", price=Decimal("499.00"))
        client = client_for(student)
        response = save(client, paid)
        assert response.status_code == 201, response.json()
        assert save(client, paid).status_code == 200  # idempotent
        body = client.get(WISHLIST).json()
        assert body["count"] == 1
        course = body["results"][0]["course"]
        assert (course["title"], course["price"], course["is_free"]) == ("Django Pro", "499.00", False)
        assert body["results"][0]["saved_at"]

    def test_roles_and_bad_input(self, client_for, course, instructor, admin_user, student):
        assert save(client_for(None), course).status_code == 401
        assert save(client_for(instructor), course).status_code == 403
        assert save(client_for(admin_user), course).status_code == 403
        for body in ({}, {"course": "nope"}, {"course": "00000000-0000-0000-0000-000000000000"}):
            response = client_for(student).post(WISHLIST, body, format="json")
            assert response.status_code == 400
            assert list(response.json()["errors"]) == ["course"]
        assert not WishlistItem.objects.exists()

    def test_someone_elses_draft_is_not_there(self, client_for, make_course, student):
        draft = make_course(status=Course.Status.DRAFT)
        assert save(client_for(student), draft).status_code == 400

    def test_an_enrolled_course_is_refused(self, client_for, course, student, enroll):
        enroll(student, course)
        response = save(client_for(student), course)
        assert (response.status_code, response.json()["code"]) == (409, "already_enrolled")

    def test_an_archived_course_a_learner_still_sees_is_refused(self, client_for, make_course, student, enroll):
        archived = make_course(status=Course.Status.ARCHIVED)
        enrollment = enroll(student, archived)
        enrollment_revoke(enrollment=enrollment, reason="x")
        assert save(client_for(student), archived).status_code in (400, 409)


class TestRemoveAndEnroll:
    def test_remove(self, client_for, course, student, other_student):
        save(client_for(student), course)
        # another learner cannot remove mine: they have none
        assert client_for(other_student).delete(f"{WISHLIST}{course.pk}/").status_code == 404
        assert client_for(student).delete(f"{WISHLIST}{course.pk}/").status_code == 204
        assert client_for(student).delete(f"{WISHLIST}{course.pk}/").status_code == 404

    def test_enrolling_takes_the_course_off_the_list_and_a_revocation_brings_it_back(self, client_for, course, student):
        save(client_for(student), course)
        enrollment, _ = enrollment_grant(user=student, course=course, source="free")
        assert client_for(student).get(WISHLIST).json()["count"] == 0
        assert client_for(student).get(f"/api/courses/{course.pk}/").json()["in_wishlist"] is False
        enrollment_revoke(enrollment=enrollment, reason="refund")
        assert client_for(student).get(WISHLIST).json()["count"] == 1

    def test_an_enrolled_course_is_not_listed_even_if_the_row_remains(self, client_for, course, student, enroll):
        WishlistItem.objects.create(user=student, course=course)
        enroll(student, course)  # made without the service, as an import or the admin might
        assert client_for(student).get(WISHLIST).json()["count"] == 0

    @pytest.mark.parametrize("count", [1, 20])
    def test_query_count(self, client_for, make_course, student, count, django_assert_max_num_queries):
        for i in range(count):
            WishlistItem.objects.create(user=student, course=make_course(title=f"C{i}"))
        client = client_for(student)
        # COUNT(*) for the paginator, one SELECT of items with course, domain and instructor joined
        with django_assert_max_num_queries(2):
            response = client.get(WISHLIST, {"page_size": 50})
        assert response.json()["count"] == count


class TestInWishlist:
    def test_one_course_is_answered_as_a_page_of_courses_is(self, make_course, student):
        # Given courses saved (one then bought, one bought then revoked) and one never saved
        saved, bought, revoked, unsaved = (make_course(title=title) for title in ("S", "B", "R", "U"))
        for course in (saved, bought, revoked):
            WishlistItem.objects.create(user=student, course=course)
        enrollment_grant(user=student, course=bought, source="free")
        enrollment, _ = enrollment_grant(user=student, course=revoked, source="free")
        enrollment_revoke(enrollment=enrollment, reason="refund")
        ids = [str(course.pk) for course in (saved, bought, revoked, unsaved)]
        # When asked course by course, for all of them at once (SQL compiled once per number of courses), for more
        # than a page holds (the ORM), and through the queryset itself
        one_by_one = set().union(*(wishlist_course_ids(user=student, course_ids=[pk]) for pk in ids))
        at_once = wishlist_course_ids(user=student, course_ids=ids)
        beyond_a_page = wishlist_course_ids(user=student, course_ids=ids + [str(uuid.uuid4()) for _ in range(100)])
        orm = {str(row["course_id"]) for row in _wishlisted(student.pk, *ids)}
        # Then all say the saved course and the revoked one (back on the wishlist), not the bought one
        assert one_by_one == at_once == beyond_a_page == orm == {str(saved.pk), str(revoked.pk)}

    def test_catalogue_and_detail_say_in_wishlist_for_the_viewer(self, client_for, make_course, student):
        saved = make_course(title="Saved")
        make_course(title="Other")
        save(client_for(student), saved)
        listed = {c["title"]: c["in_wishlist"] for c in client_for(student).get("/api/courses/").json()["results"]}
        assert listed == {"Saved": True, "Other": False}
        assert client_for(student).get(f"/api/courses/{saved.pk}/").json()["in_wishlist"] is True
        assert client_for(None).get(f"/api/courses/{saved.pk}/").json()["in_wishlist"] is False

    @pytest.mark.parametrize("count", [1, 20])
    def test_catalogue_query_count_signed_in(
        self, client_for, make_course, student, count, django_assert_max_num_queries
    ):
        for i in range(count):
            course = make_course(title=f"C{i}")
            WishlistItem.objects.create(user=student, course=course)
        client = client_for(student)
        # COUNT(*), then one SELECT of the page with figures and in_wishlist as an EXISTS
        with django_assert_max_num_queries(2):
            response = client.get("/api/courses/", {"page_size": 50})
        assert all(c["in_wishlist"] for c in response.json()["results"])

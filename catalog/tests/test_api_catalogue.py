"""The public catalogue, domains and course detail."""

from __future__ import annotations

from decimal import Decimal

import pytest
from model_bakery import baker

from catalog.models import Course

pytestmark = pytest.mark.django_db

CATALOGUE = "/api/courses/"


def detail(course) -> str:
    return f"/api/courses/{course.pk}/"


class TestDomains:
    def test_anyone_lists_domains_by_name(self, client_for, domain):
        # given two domains
        baker.make("catalog.Domain", name="AI", slug="ai")
        # when an anonymous visitor lists them
        response = client_for(None).get("/api/domains/")
        # then both come back, by name, with id, name and slug
        assert response.status_code == 200
        assert [d["slug"] for d in response.json()["results"]] == ["ai", "web-development"]
        assert set(response.json()["results"][0]) == {"id", "name", "slug"}


class TestCatalogueList:
    def test_only_published_courses_are_listed(self, client_for, make_course):
        # given a course in every status
        published = make_course(title="Published")
        for status in ("draft", "pending_review", "rejected", "archived"):
            make_course(status=status, title=status)
        # when anyone lists the catalogue
        response = client_for(None).get(CATALOGUE)
        # then only the published one is there
        assert response.status_code == 200
        assert [c["id"] for c in response.json()["results"]] == [str(published.pk)]

    def test_course_figures_are_in_the_list(self, client_for, course, instructor, domain):
        # when the catalogue is listed
        item = client_for(None).get(CATALOGUE).json()["results"][0]
        # then it carries the instructor, domain and curriculum figures
        assert item["instructor"] == {"id": str(instructor.pk), "full_name": "Meera Instructor"}
        assert item["domain"]["slug"] == "web-development"
        assert (item["module_count"], item["lesson_count"], item["total_duration_seconds"]) == (2, 4, 240)
        assert item["price"] == "0.00"
        assert item["is_free"] is True

    def test_filter_by_domain_slug_and_price(self, client_for, make_course):
        # given free and paid courses in two domains
        ai = baker.make("catalog.Domain", name="AI", slug="ai")
        free_web = make_course(title="Free web")
        paid_web = make_course(title="Paid web", price=Decimal("499.00"))
        paid_ai = make_course(title="Paid AI", price=Decimal("999.00"), domain=ai)
        client = client_for(None)
        # when filtering
        by_domain = client.get(CATALOGUE, {"domain": "ai"}).json()["results"]
        free = client.get(CATALOGUE, {"is_free": "true"}).json()["results"]
        paid_web_only = client.get(CATALOGUE, {"is_free": "false", "domain": "web-development"}).json()["results"]
        # then each filter narrows the list
        assert [c["id"] for c in by_domain] == [str(paid_ai.pk)]
        assert [c["id"] for c in free] == [str(free_web.pk)]
        assert [c["id"] for c in paid_web_only] == [str(paid_web.pk)]

    def test_search_in_title_and_description(self, client_for, make_course):
        in_title = make_course(title="Django for beginners")
        in_description = make_course(title="Web APIs", description="We build APIs with django and DRF.")
        make_course(title="Statistics")
        results = client_for(None).get(CATALOGUE, {"search": "django"}).json()["results"]
        assert {c["id"] for c in results} == {str(in_title.pk), str(in_description.pk)}

    def test_orderings(self, client_for, make_course):
        # given courses with different prices and learner counts
        cheap = make_course(title="Cheap", price=Decimal("10.00"), learner_count=5)
        dear = make_course(title="Dear", price=Decimal("900.00"), learner_count=1)
        free = make_course(title="Free", learner_count=50)
        client = client_for(None)

        def ids(ordering):
            return [c["id"] for c in client.get(CATALOGUE, {"ordering": ordering}).json()["results"]]

        # then each ordering sorts as named (newest is the default)
        assert ids("price") == [str(free.pk), str(cheap.pk), str(dear.pk)]
        assert ids("-price") == [str(dear.pk), str(cheap.pk), str(free.pk)]
        assert ids("popularity") == [str(free.pk), str(cheap.pk), str(dear.pk)]
        assert ids("newest") == [str(free.pk), str(dear.pk), str(cheap.pk)]
        assert [c["id"] for c in client.get(CATALOGUE).json()["results"]] == ids("newest")

    def test_bad_filters_are_field_errors(self, client_for, course):
        response = client_for(None).get(CATALOGUE, {"ordering": "cheapest", "is_free": "maybe"})
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert "ordering" in response.json()["errors"]

    @pytest.mark.parametrize("count", [1, 30])
    def test_query_count_does_not_grow_with_courses(
        self, client_for, make_course, count, django_assert_max_num_queries
    ):
        for i in range(count):
            make_course(title=f"Course {i}", modules=2, lessons=2)
        client = client_for(None)
        # COUNT(*) for the paginator, then one SELECT of the page with domain, instructor and figures joined
        with django_assert_max_num_queries(2):
            response = client.get(CATALOGUE, {"page_size": 100})
        assert response.json()["count"] == count


class TestCourseDetail:
    def test_anyone_sees_a_published_course(self, client_for, course):
        response = client_for(None).get(detail(course))
        assert response.status_code == 200
        body = response.json()
        assert body["title"] == "Python Basics"
        assert body["lesson_count"] == 4
        assert body["learner_count"] == 0

    @pytest.mark.parametrize("status", ["draft", "pending_review", "rejected", "archived"])
    def test_unpublished_course_is_404_for_others(self, client_for, make_course, student, other_instructor, status):
        course = make_course(status=status)
        for user in (None, student, other_instructor):
            response = client_for(user).get(detail(course))
            assert response.status_code == 404
            assert response.json()["code"] == "not_found"

    @pytest.mark.parametrize("status", ["draft", "pending_review", "rejected"])
    def test_owner_and_admin_see_unpublished(self, client_for, make_course, instructor, admin_user, status):
        course = make_course(status=status)
        for user in (instructor, admin_user):
            response = client_for(user).get(detail(course))
            assert response.status_code == 200
            assert response.json()["status"] == status

    def test_archived_course_stays_visible_to_its_learners(self, client_for, make_course, student, enroll):
        course = make_course(status=Course.Status.ARCHIVED)
        enroll(student, course)
        assert client_for(student).get(detail(course)).status_code == 200

    def test_unknown_and_malformed_ids_are_404(self, client_for):
        assert client_for(None).get("/api/courses/00000000-0000-0000-0000-000000000000/").status_code == 404
        response = client_for(None).get("/api/courses/not-a-uuid/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    @pytest.mark.parametrize("size", [1, 10])
    def test_query_count(self, client_for, make_course, student, size, django_assert_max_num_queries):
        course = make_course(modules=size, lessons=size)
        client = client_for(student)
        # one SELECT: course, domain, instructor, figures and the viewer's enrollment as subqueries
        with django_assert_max_num_queries(1):
            response = client.get(detail(course))
        assert response.json()["lesson_count"] == size * size

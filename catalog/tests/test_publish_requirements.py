"""A course that cannot be used cannot be published: it needs a lesson, and a price Razorpay can charge."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditLog
from catalog import services
from catalog.models import COURSE_PRICE_TOO_LOW, Course, Lesson
from common.exceptions import ApplicationError

pytestmark = pytest.mark.django_db


def submit_url(course) -> str:
    return f"/api/courses/{course.pk}/submit/"


class TestSubmitNeedsALesson:
    @pytest.mark.parametrize(("modules", "lessons"), [(0, 0), (2, 0)], ids=["no-module", "empty-modules"])
    def test_a_course_without_lessons_is_409_and_stays_a_draft(
        self, client_for, instructor, make_course, modules, lessons
    ):
        # Given a draft with no lesson at all
        course = make_course(status="draft", modules=modules, lessons=lessons)

        # When its instructor submits it
        response = client_for(instructor).post(submit_url(course))

        # Then it is refused in the product's words, and nothing changed
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "course_incomplete"
        assert "at least one module with at least one lesson" in body["detail"]
        course.refresh_from_db()
        assert (course.status, course.submitted_at) == ("draft", None)

    def test_one_lesson_in_one_module_is_enough(self, client_for, instructor, make_course):
        course = make_course(status="rejected", modules=1, lessons=1)

        response = client_for(instructor).post(submit_url(course))

        assert response.status_code == 200
        assert response.json()["status"] == "pending_review"


class TestApproveNeedsALesson:
    def test_lessons_deleted_while_waiting_for_review_block_publication(self, client_for, admin_user, make_course):
        # Given a submitted course whose only lesson was deleted afterwards
        course = make_course(status="pending_review", modules=1, lessons=1)
        Lesson.objects.filter(module__course=course).delete()

        # When an admin approves it
        response = client_for(admin_user).post(f"/api/admin/courses/{course.pk}/approve/")

        # Then it is refused, stays in review, and no approval is audited
        assert response.status_code == 409
        assert response.json()["code"] == "course_incomplete"
        course.refresh_from_db()
        assert (course.status, course.published_at) == ("pending_review", None)
        assert not AuditLog.objects.filter(action="course.approve").exists()


class TestPriceIsFreeOrAtLeastOneRupee:
    @pytest.fixture
    def payload(self, domain):
        return {"title": "Intro to SQL", "domain": str(domain.pk)}

    @pytest.mark.parametrize("price", ["0.01", "0.50", "0.99"])
    def test_create_below_one_rupee_is_a_field_error(self, client_for, instructor, payload, price):
        response = client_for(instructor).post("/api/courses/", {**payload, "price": price}, format="json")

        assert response.status_code == 400
        assert response.json()["errors"] == {"price": [COURSE_PRICE_TOO_LOW]}
        assert not Course.objects.exists()

    @pytest.mark.parametrize(("price", "stored"), [("0", Decimal("0.00")), ("1.00", Decimal("1.00"))])
    def test_free_and_one_rupee_are_accepted(self, client_for, instructor, payload, price, stored):
        response = client_for(instructor).post("/api/courses/", {**payload, "price": price}, format="json")

        assert response.status_code == 201
        assert Course.objects.get(pk=response.json()["id"]).price == stored

    def test_edit_below_one_rupee_is_a_field_error(self, client_for, instructor, make_course):
        course = make_course(status="draft", price=Decimal("499.00"))

        response = client_for(instructor).patch(f"/api/courses/{course.pk}/", {"price": "0.50"}, format="json")

        assert response.status_code == 400
        assert response.json()["errors"] == {"price": [COURSE_PRICE_TOO_LOW]}
        course.refresh_from_db()
        assert course.price == Decimal("499.00")

    def test_the_services_refuse_it_too(self, instructor, domain, make_course):
        with pytest.raises(ApplicationError) as created:
            services.course_create(instructor=instructor, title="Cheap", domain=domain, price=Decimal("0.50"))
        assert created.value.code == "price_below_minimum"
        assert created.value.errors == {"price": [COURSE_PRICE_TOO_LOW]}

        course = make_course(status="draft")
        with pytest.raises(ApplicationError):
            services.course_update(course=course, data={"price": Decimal("0.99")})
        course.refresh_from_db()
        assert course.price == Decimal("0.00")

    def test_model_validation_used_by_the_admin_site_refuses_it(self, make_course):
        course = make_course(status="draft")
        course.price = Decimal("0.50")
        with pytest.raises(ValidationError) as refused:
            course.full_clean()
        assert refused.value.message_dict == {"price": [COURSE_PRICE_TOO_LOW]}

    def test_the_database_refuses_it(self, make_course):
        course = make_course(status="draft")
        with pytest.raises(IntegrityError), transaction.atomic():
            Course.objects.filter(pk=course.pk).update(price=Decimal("0.50"))

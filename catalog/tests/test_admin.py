"""The Django admin goes through the same services as the API (audit log, positions)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audit.models import AuditLog
from catalog import services
from catalog.models import Course, Enrollment, LessonProgress, Module
from catalog.tests.conftest import lessons_of

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/catalog/course/"


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


def test_approve_action_publishes_and_audits(admin_client_, make_course, admin_user):
    pending, draft = make_course(status="pending_review", modules=1, lessons=1), make_course(status="draft")
    response = admin_client_.post(
        CHANGELIST, {"action": "approve_courses", "_selected_action": [pending.pk, draft.pk]}, follow=True
    )
    assert response.status_code == 200
    assert Course.objects.get(pk=pending.pk).status == "published"
    assert Course.objects.get(pk=draft.pk).status == "draft"  # wrong state: reported, not changed
    assert list(AuditLog.objects.values_list("action", "actor")) == [("course.approve", admin_user.pk)]


def test_reject_action_asks_for_a_reason_then_rejects(admin_client_, make_course):
    course = make_course(status="pending_review")
    asked = admin_client_.post(CHANGELIST, {"action": "reject_courses", "_selected_action": [course.pk]})
    assert asked.status_code == 200
    assert b'name="reason"' in asked.content
    assert Course.objects.get(pk=course.pk).status == "pending_review"
    admin_client_.post(
        CHANGELIST,
        {"action": "reject_courses", "_selected_action": [course.pk], "apply": "Reject", "reason": "Too short."},
    )
    course.refresh_from_db()
    assert (course.status, course.rejection_reason) == ("rejected", "Too short.")
    assert AuditLog.objects.get(action="course.reject").details == {"reason": "Too short."}


def test_adding_a_module_at_a_taken_position_inserts_it(admin_client_, make_course):
    course = make_course(modules=2)
    response = admin_client_.post(
        "/admin/catalog/module/add/",
        {
            "course": course.pk,
            "title": "Inserted",
            "description": "",
            "position": 1,
            "pass_mark": 60,
            "lessons-TOTAL_FORMS": 0,
            "lessons-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert list(Module.objects.filter(course=course).order_by("position").values_list("title", flat=True)) == [
        "Inserted",
        "Module 1",
        "Module 2",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/catalog/course/",
        "/admin/catalog/module/",
        "/admin/catalog/lesson/",
        "/admin/catalog/enrollment/",
        "/admin/catalog/lessonprogress/",
        "/admin/catalog/domain/",
    ],
)
def test_changelists_render(admin_client_, course, url):
    assert admin_client_.get(url).status_code == 200


# --- Every admin write goes through the services (learner_count, slugs, audit) ---------------------------


def test_adding_an_enrollment_grants_access_through_the_service(admin_client_, course, student):
    # given a published course nobody learns yet
    assert course.learner_count == 0
    # when an admin adds an enrollment for a student
    response = admin_client_.post(
        "/admin/catalog/enrollment/add/", {"user": student.pk, "course": course.pk, "_save": "Save"}
    )
    # then it is an admin grant, and the course counts its learner
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    enrollment = Enrollment.objects.get(user=student, course=course)
    assert (enrollment.source, enrollment.status) == ("admin", "active")
    assert Course.objects.get(pk=course.pk).learner_count == 1


def test_granting_again_reactivates_a_revoked_enrollment_without_counting_twice(admin_client_, course, student):
    # given an enrollment revoked earlier
    enrollment, _ = services.enrollment_grant(user=student, course=course, source="payment")
    services.enrollment_revoke(enrollment=enrollment, reason="refund")
    # when an admin grants it twice
    for _ in range(2):
        admin_client_.post("/admin/catalog/enrollment/add/", {"user": student.pk, "course": course.pk})
    # then the one row is active again and counted once
    assert list(Enrollment.objects.filter(user=student).values_list("status", "source")) == [("active", "admin")]
    assert Course.objects.get(pk=course.pk).learner_count == 1


def test_revoke_action_asks_for_a_reason_then_revokes_through_the_service(admin_client_, course, student):
    enrollment, _ = services.enrollment_grant(user=student, course=course, source="free")
    data = {"action": "revoke_enrollments", "_selected_action": [enrollment.pk]}
    # when the action is chosen, a reason is asked for first
    asked = admin_client_.post("/admin/catalog/enrollment/", data)
    assert b'name="reason"' in asked.content
    assert Enrollment.objects.get(pk=enrollment.pk).status == "active"
    # when it is given
    admin_client_.post("/admin/catalog/enrollment/", {**data, "apply": "Revoke", "reason": "Chargeback"})
    # then access is gone and the course's learner count follows
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.revoke_reason) == ("revoked", "Chargeback")
    assert Course.objects.get(pk=course.pk).learner_count == 0


def test_enrollments_cannot_be_edited_or_deleted_by_hand(admin_client_, course, student):
    enrollment, _ = services.enrollment_grant(user=student, course=course, source="free")
    url = f"/admin/catalog/enrollment/{enrollment.pk}/"
    edited = admin_client_.post(f"{url}change/", {"user": student.pk, "course": course.pk, "status": "revoked"})
    deleted = admin_client_.post(f"{url}delete/", {"post": "yes"})
    bulk = admin_client_.post(
        "/admin/catalog/enrollment/", {"action": "delete_selected", "_selected_action": [enrollment.pk], "post": "yes"}
    )
    assert (edited.status_code, deleted.status_code) == (403, 403)
    assert bulk.status_code == 302  # "No action selected": the stock bulk delete is not offered
    assert Enrollment.objects.get(pk=enrollment.pk).status == "active"
    assert Course.objects.get(pk=course.pk).learner_count == 1


def test_lesson_progress_is_read_only_history(admin_client_, course, student):
    lesson = lessons_of(course)[0]
    services.enrollment_grant(user=student, course=course, source="free")
    services.lesson_complete(user=student, lesson=lesson)
    progress = LessonProgress.objects.get(user=student)
    added = admin_client_.post(
        "/admin/catalog/lessonprogress/add/",
        {"user": student.pk, "lesson": lessons_of(course)[1].pk, "course": course.pk, "completed_at_0": "2026-01-01"},
    )
    deleted = admin_client_.post(f"/admin/catalog/lessonprogress/{progress.pk}/delete/", {"post": "yes"})
    page = admin_client_.get(f"/admin/catalog/lessonprogress/{progress.pk}/change/")
    assert (added.status_code, deleted.status_code, page.status_code) == (403, 403, 200)
    assert LessonProgress.objects.filter(user=student).count() == 1


def test_adding_a_course_goes_through_course_create(admin_client_, domain, instructor):
    # when an admin adds a course (the slug is not a field: the service makes it from the title)
    response = admin_client_.post(
        "/admin/catalog/course/add/",
        {
            "instructor": instructor.pk,
            "title": "Rust for Pythonistas",
            "domain": domain.pk,
            "description": "",
            "price": "0.00",
            "thumbnail_url": "",
            "modules-TOTAL_FORMS": 0,
            "modules-INITIAL_FORMS": 0,
        },
    )
    # then a draft with its slug
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    course = Course.objects.get(title="Rust for Pythonistas")
    assert (course.slug, course.status, course.instructor) == ("rust-for-pythonistas", "draft", instructor)


def test_editing_a_course_changes_only_what_course_update_allows(admin_client_, make_course, domain, other_instructor):
    course = make_course(status="published", title="Old title", slug="old-title")
    response = admin_client_.post(
        f"/admin/catalog/course/{course.pk}/change/",
        {
            "instructor": other_instructor.pk,  # read-only on change: ignored
            "title": "New title",
            "slug": "hijacked",  # read-only: ignored
            "domain": domain.pk,
            "description": "Better",
            "price": "10.00",
            "thumbnail_url": "",
            "status": "draft",  # read-only: ignored
            "modules-TOTAL_FORMS": 0,
            "modules-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    course.refresh_from_db()
    assert (course.title, course.description, str(course.price)) == ("New title", "Better", "10.00")
    assert (course.slug, course.status, course.instructor_id) == ("old-title", "published", course.instructor_id)
    assert course.instructor_id != other_instructor.pk


def test_bulk_delete_of_courses_goes_through_course_delete(admin_client_, make_course, student, enroll):
    # given a draft nobody took and a course with a learner
    draft, taken = make_course(status="draft", modules=1, lessons=1), make_course()
    enroll(student, taken)
    # when both are bulk-deleted
    response = admin_client_.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [draft.pk, taken.pk], "post": "yes"}
    )
    # then Django refuses the set (the learner's enrollment protects its course) and nothing is deleted
    assert response.status_code == 200 and b"Cannot delete courses" in response.content
    assert Course.objects.filter(pk__in=[draft.pk, taken.pk]).count() == 2
    # and the draft alone is deleted with its curriculum
    admin_client_.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"})
    assert not Course.objects.filter(pk=draft.pk).exists() and not Module.objects.filter(course_id=draft.pk).exists()


def test_waiting_for_review_lists_the_oldest_submission_first(admin_client_, make_course):
    now = timezone.now()
    # created in submission order, so the default "newest first" would list them the wrong way round
    older = make_course(status="pending_review", title="Older", submitted_at=now - datetime.timedelta(days=4))
    newer = make_course(status="pending_review", title="Newer", submitted_at=now - datetime.timedelta(hours=2))
    make_course(status="published", title="Live")
    html = admin_client_.get(CHANGELIST, {"review": "waiting"}).content.decode()
    assert "Live" not in html
    assert html.index(f"/admin/catalog/course/{older.pk}/change/") < html.index(f"/admin/catalog/course/{newer.pk}/")
    assert "4\xa0days" in html  # the "waiting for" column


def test_model_names_are_spelled_right(admin_client_):
    html = admin_client_.get("/admin/").content.decode()
    assert "Lesson progress<" in html and "progresss" not in html.lower()


def test_a_course_is_given_to_an_instructor_picked_by_name_never_to_a_student(
    admin_client_, domain, instructor, student
):
    # the picker searches people by name and offers only those who may own a course
    found = admin_client_.get(
        "/admin/autocomplete/",
        {"app_label": "catalog", "model_name": "course", "field_name": "instructor", "term": "Student"},
    ).json()
    assert found["results"] == []
    found = admin_client_.get(
        "/admin/autocomplete/",
        {"app_label": "catalog", "model_name": "course", "field_name": "instructor", "term": "Meera"},
    ).json()
    assert found["results"] == [{"id": str(instructor.pk), "text": str(instructor)}]
    # and a student's id posted by hand is refused
    response = admin_client_.post(
        "/admin/catalog/course/add/",
        {
            "instructor": student.pk,
            "title": "Nope",
            "domain": domain.pk,
            "price": "0.00",
            "modules-TOTAL_FORMS": 0,
            "modules-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200 and "instructor" in response.context["adminform"].form.errors
    assert not Course.objects.filter(title="Nope").exists()


def test_deleting_content_of_a_course_with_learners_is_refused_with_the_services_message(
    admin_client_, make_course, student, enroll
):
    # given a published course with a learner
    course = make_course(modules=1, lessons=1)
    enroll(student, course)
    module = Module.objects.get(course=course)
    # when an admin confirms deleting its module on the delete page, and bulk-deletes it from the changelist
    page = admin_client_.post(f"/admin/catalog/module/{module.pk}/delete/", {"post": "yes"}, follow=True)
    bulk = admin_client_.post(
        "/admin/catalog/module/",
        {"action": "delete_selected", "_selected_action": [module.pk], "post": "yes"},
        follow=True,
    )
    # then both answer with the service's reason (archive instead), not a server error, and nothing is deleted
    for response in (page, bulk):
        assert response.status_code == 200
        assert "archive" in " ".join(str(message) for message in response.context["messages"]).lower()
    assert Module.objects.filter(pk=module.pk).exists()

"""The Django admin goes through the same services as the API (audit log, positions)."""

from __future__ import annotations

import pytest

from catalog.models import Course, Module
from moderation.models import AuditLog

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

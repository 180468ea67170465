"""End-to-end fixtures: real sign-in through allauth headless, a fake Razorpay at its HTTP API, helpers.

Nothing here authenticates by shortcut (no ``force_authenticate``): every client holds what a real
frontend holds, a Bearer access token from ``/_allauth/app/v1/auth/login`` (or a session cookie and a
CSRF token for the browser client).
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import pytest
import responses
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from catalog.models import Domain
from tests.support import razorpay
from tests.support.google import fake_google, google_app, google_signing_key, make_id_token
from tests.support.razorpay import checkout_signature

__all__ = ["checkout_signature", "fake_google", "google_app", "google_signing_key", "make_id_token"]

PASSWORD = "correct-horse-battery-staple-9"
RZP_API, RZP_KEY_ID = razorpay.API_BASE_URL, razorpay.KEY_ID

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# ISO 8601 with an explicit offset (or Z): what the contract promises for every timestamp.
ISO_WITH_OFFSET_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(UUID_RE.match(value))


def is_iso_with_offset(value: Any) -> bool:
    if not isinstance(value, str) or not ISO_WITH_OFFSET_RE.match(value):
        return False
    return datetime.datetime.fromisoformat(value).tzinfo is not None


def assert_error(response, status: int, code: str | None = None) -> dict:
    """Every error is JSON ``{detail, code}``; returns the body."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"], body
    assert isinstance(body.get("code"), str) and body["code"], body
    if code is not None:
        assert body["code"] == code, body
    return body


def assert_page(body: dict) -> list:
    assert set(body) >= {"count", "next", "previous", "results"}, body
    assert isinstance(body["results"], list)
    return body["results"]


def walk(value: Any):
    """Every (key, value) pair anywhere in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


# --- clients ---------------------------------------------------------------------------------------


@dataclass
class Api:
    """A frontend talking JSON to the API with ``Authorization: Bearer`` (or anonymously)."""

    client: Client = field(default_factory=Client)
    access_token: str | None = None
    refresh_token: str | None = None
    user_id: str | None = None

    def _headers(self, extra: dict) -> dict:
        headers = {}
        if self.access_token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.access_token}"
        headers.update(extra)
        return headers

    def get(self, path: str, params: dict | None = None, **extra):
        return self.client.get(path, params or {}, **self._headers(extra))

    def post(self, path: str, data: Any = None, **extra):
        body = json.dumps(data) if data is not None else ""
        return self.client.post(path, body, content_type="application/json", **self._headers(extra))

    def patch(self, path: str, data: Any = None, **extra):
        return self.client.patch(path, json.dumps(data or {}), content_type="application/json", **self._headers(extra))

    def delete(self, path: str, **extra):
        return self.client.delete(path, **self._headers(extra))


def allauth_app(path: str) -> str:
    return f"/_allauth/app/v1/{path}"


def app_signup(email: str, password: str = PASSWORD):
    client = Client()
    return client, client.post(
        allauth_app("auth/signup"), {"email": email, "password": password}, content_type="application/json"
    )


def app_login(email: str, password: str = PASSWORD):
    client = Client()
    return client.post(
        allauth_app("auth/login"), {"email": email, "password": password}, content_type="application/json"
    )


def login_api(email: str, password: str = PASSWORD) -> Api:
    response = app_login(email, password)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["meta"]["is_authenticated"] is True
    return Api(
        access_token=body["meta"]["access_token"],
        refresh_token=body["meta"]["refresh_token"],
        user_id=body["data"]["user"]["id"],
    )


def key_from_last_mail(prefix: str) -> str:
    match = re.search(re.escape(prefix) + r"([^\s/]+)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return unquote(match.group(1))


@pytest.fixture
def anonymous() -> Api:
    return Api()


@pytest.fixture
def domains(db):
    return {
        "software": Domain.objects.create(name="Software Engineering", slug="software"),
        "data": Domain.objects.create(name="Data Science", slug="data-science"),
    }


@pytest.fixture
def staff_account(make_user):
    """An instructor or admin the operators created, with a verified address, signed in over HTTP."""

    def make(role: str, email: str, full_name: str) -> Api:
        user = make_user(role, email=email, full_name=full_name)
        user.set_password(PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return login_api(email)

    return make


@pytest.fixture
def instructor_api(staff_account) -> Api:
    return staff_account("instructor", "meera@example.com", "Meera Iyer")


@pytest.fixture
def admin_api(staff_account) -> Api:
    return staff_account("admin", "anil@example.com", "Anil Admin")


@pytest.fixture
def signup_student(domains):
    """A learner who signs up through the app client and completes onboarding; returns the Api."""

    def make(email: str, full_name: str, domain: str = "software") -> Api:
        _client, response = app_signup(email)
        assert response.status_code == 200, response.content
        meta = response.json()["meta"]
        api = Api(access_token=meta["access_token"], refresh_token=meta["refresh_token"])
        done = api.post(
            "/api/auth/onboarding/",
            {"full_name": full_name, "domain": str(domains[domain].pk), "branch": "Computer Science", "year": 2},
        )
        assert done.status_code == 200, done.content
        api.user_id = done.json()["id"]
        return api

    return make


# --- Razorpay --------------------------------------------------------------------------------------


@pytest.fixture
def rzp(settings):
    """Razorpay answered at its HTTP API; any call nobody expected fails the test."""
    razorpay.use_test_keys(settings, timeout_seconds=2.0)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def signed_webhook(api: Api, event: str, **entities):
    return razorpay.post_webhook(api.client, razorpay.event_body(event, **entities))


# --- building a course through the instructor API ---------------------------------------------------


@dataclass
class BuiltCourse:
    id: str
    modules: list[dict]
    lessons: list[dict]
    quizzes: dict[str, list[dict]]  # module id -> questions as the instructor created them (with answers)


def build_course(
    instructor: Api,
    *,
    domain: Domain,
    title: str,
    price: str = "0.00",
    modules: int = 2,
    lessons_per_module: int = 2,
    questions_per_module: int = 2,
) -> BuiltCourse:
    created = instructor.post(
        "/api/courses/",
        {"title": title, "description": f"All about {title}.", "domain": str(domain.pk), "price": price},
    )
    assert created.status_code == 201, created.content
    course_id = created.json()["id"]
    built = BuiltCourse(id=course_id, modules=[], lessons=[], quizzes={})
    for m in range(1, modules + 1):
        module = instructor.post("/api/modules/", {"course": course_id, "title": f"Module {m}", "pass_mark": 50})
        assert module.status_code == 201, module.content
        module = module.json()
        built.modules.append(module)
        for n in range(1, lessons_per_module + 1):
            lesson = instructor.post(
                "/api/lessons/",
                {
                    "module": module["id"],
                    "title": f"Lesson {m}.{n}",
                    "video_url": f"https://cdn.example.com/{m}-{n}.mp4",
                    "materials_url": f"https://cdn.example.com/{m}-{n}.pdf",
                    "duration_seconds": 300,
                    "is_preview": m == 1 and n == 1,
                },
            )
            assert lesson.status_code == 201, lesson.content
            built.lessons.append(lesson.json())
        built.quizzes[module["id"]] = []
        for q in range(questions_per_module):
            quiz = instructor.post(
                "/api/quizzes/",
                {
                    "module": module["id"],
                    "question": f"Module {m}, question {q + 1}?",
                    "options": ["alpha", "beta", "gamma"],
                    "correct_option": q % 3,
                    "explanation": "Because.",
                },
            )
            assert quiz.status_code == 201, quiz.content
            built.quizzes[module["id"]].append(quiz.json())
    return built


def publish(instructor: Api, admin: Api, course_id: str) -> dict:
    submitted = instructor.post(f"/api/courses/{course_id}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "pending_review"
    approved = admin.post(f"/api/admin/courses/{course_id}/approve/")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "published"
    return approved.json()

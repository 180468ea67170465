"""404 versus 403, across every app that hangs objects off a course.

An object the caller may not see is 404 whatever they try to do with it (read, write, enroll, answer,
post), so its existence does not leak; 403 ``not_course_staff`` (the same code in every app) is for an
object they may see but not change. The world's draft course and everything in it is visible only to its
course staff: its instructor and admins, not the instructor once demoted to student.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from tests.security.conftest import (
    ADMIN,
    ANON,
    DEMOTED,
    INSTRUCTOR,
    OTHER_INSTRUCTOR,
    OTHER_STUDENT,
    STUDENT,
    World,
)

READERS = (ANON, STUDENT, OTHER_STUDENT, OTHER_INSTRUCTOR, DEMOTED)
LEARNERS = (STUDENT, OTHER_STUDENT, DEMOTED)


@dataclass(frozen=True)
class Attempt:
    method: str
    url: Callable[[World], str]
    actors: tuple[str, ...]
    body: Callable[[World], Any] | None = None


def at(path: str, name: str) -> Callable[[World], str]:
    return lambda w: path.format(getattr(w, name).pk)


# Everything in the draft course, each route tried by the callers who would be allowed on a visible object
# (and the instructor's payout statement, which exists only for them and admins).
INVISIBLE: dict[str, Attempt] = {
    "payout statement": Attempt("GET", at("/api/instructor/statements/{}/", "statement"), (OTHER_INSTRUCTOR,)),
    "payout statement pdf": Attempt("GET", at("/api/instructor/statements/{}/pdf/", "statement"), (OTHER_INSTRUCTOR,)),
    "payout statement csv": Attempt("GET", at("/api/instructor/statements/{}/csv/", "statement"), (OTHER_INSTRUCTOR,)),
    "course read": Attempt("GET", at("/api/courses/{}/", "draft"), READERS),
    "curriculum": Attempt("GET", at("/api/courses/{}/curriculum/", "draft"), READERS),
    "course edit": Attempt("PATCH", at("/api/courses/{}/", "draft"), (OTHER_INSTRUCTOR,), lambda w: {"title": "X"}),
    "course delete": Attempt("DELETE", at("/api/courses/{}/", "draft"), (OTHER_INSTRUCTOR,)),
    "course submit": Attempt("POST", at("/api/courses/{}/submit/", "draft"), (OTHER_INSTRUCTOR,)),
    "course archive": Attempt("POST", at("/api/courses/{}/archive/", "draft"), (OTHER_INSTRUCTOR,)),
    "enroll": Attempt("POST", at("/api/courses/{}/enroll/", "draft"), LEARNERS),
    "module read": Attempt("GET", at("/api/modules/{}/", "draft_module"), READERS),
    "module create": Attempt(
        "POST", lambda w: "/api/modules/", (OTHER_INSTRUCTOR,), lambda w: {"course": str(w.draft.pk), "title": "M"}
    ),
    "module edit": Attempt(
        "PATCH", at("/api/modules/{}/", "draft_module"), (OTHER_INSTRUCTOR,), lambda w: {"title": "M"}
    ),
    "module delete": Attempt("DELETE", at("/api/modules/{}/", "draft_module"), (OTHER_INSTRUCTOR,)),
    "lesson read": Attempt("GET", at("/api/lessons/{}/", "draft_lesson"), READERS),
    "lesson create": Attempt(
        "POST",
        lambda w: "/api/lessons/",
        (OTHER_INSTRUCTOR,),
        lambda w: {"module": str(w.draft_module.pk), "title": "L"},
    ),
    "lesson edit": Attempt(
        "PATCH", at("/api/lessons/{}/", "draft_lesson"), (OTHER_INSTRUCTOR,), lambda w: {"title": "L"}
    ),
    "lesson delete": Attempt("DELETE", at("/api/lessons/{}/", "draft_lesson"), (OTHER_INSTRUCTOR,)),
    "lesson complete": Attempt("POST", at("/api/lessons/{}/complete/", "draft_lesson"), LEARNERS),
    "quiz list": Attempt("GET", at("/api/quizzes/?module={}", "draft_module"), READERS[1:]),
    "quiz read": Attempt("GET", at("/api/quizzes/{}/", "draft_quiz"), READERS[1:]),
    "quiz create": Attempt(
        "POST",
        lambda w: "/api/quizzes/",
        (OTHER_INSTRUCTOR,),
        lambda w: {"module": str(w.draft_module.pk), "question": "?", "options": ["a", "b"], "correct_option": 0},
    ),
    "quiz edit": Attempt(
        "PATCH", at("/api/quizzes/{}/", "draft_quiz"), (OTHER_INSTRUCTOR,), lambda w: {"question": "?"}
    ),
    "quiz delete": Attempt("DELETE", at("/api/quizzes/{}/", "draft_quiz"), (OTHER_INSTRUCTOR,)),
    "quiz reorder": Attempt(
        "POST",
        lambda w: "/api/quizzes/reorder/",
        (OTHER_INSTRUCTOR,),
        lambda w: {"module": str(w.draft_module.pk), "order": [str(w.draft_quiz.pk)]},
    ),
    "quiz stats": Attempt("GET", at("/api/quizzes/stats/?module={}", "draft_module"), (OTHER_INSTRUCTOR,)),
    "quiz attempt": Attempt(
        "POST",
        at("/api/modules/{}/quiz-attempts/", "draft_module"),
        LEARNERS,
        lambda w: {"answers": [{"quiz": str(w.draft_quiz.pk), "selected_option": 0}]},
    ),
    "forum list": Attempt("GET", at("/api/forum/posts/?course={}", "draft"), READERS[1:]),
    "forum post": Attempt(
        "POST",
        lambda w: "/api/forum/posts/",
        READERS[1:],
        lambda w: {"course": str(w.draft.pk), "title": "Hello?", "body": "Anyone here?"},
    ),
    "forum read": Attempt("GET", at("/api/forum/posts/{}/", "draft_post"), READERS[1:]),
    "forum replies": Attempt("GET", at("/api/forum/posts/{}/replies/", "draft_post"), READERS[1:]),
    "forum reply": Attempt(
        "POST", at("/api/forum/posts/{}/replies/", "draft_post"), READERS[1:], lambda w: {"body": "Me"}
    ),
    "forum vote": Attempt("POST", at("/api/forum/posts/{}/vote/", "draft_post"), READERS[1:], lambda w: {"value": 1}),
    "forum flag": Attempt(
        "POST", at("/api/forum/posts/{}/flag/", "draft_post"), READERS[1:], lambda w: {"reason": "Spam"}
    ),
    "review flag": Attempt(
        "POST", at("/api/reviews/{}/flag/", "draft_review"), READERS[1:], lambda w: {"reason": "Spam"}
    ),
}

# Course-staff actions on the published course, which the other instructor can see but not change.
STAFF_ONLY: dict[str, Attempt] = {
    "course edit": Attempt("PATCH", at("/api/courses/{}/", "course"), (), lambda w: {"title": "X"}),
    "course delete": Attempt("DELETE", at("/api/courses/{}/", "course"), ()),
    "course archive": Attempt("POST", at("/api/courses/{}/archive/", "course"), ()),
    "module create": Attempt(
        "POST", lambda w: "/api/modules/", (), lambda w: {"course": str(w.course.pk), "title": "M"}
    ),
    "module edit": Attempt("PATCH", at("/api/modules/{}/", "module"), (), lambda w: {"title": "M"}),
    "module delete": Attempt("DELETE", at("/api/modules/{}/", "module"), ()),
    "lesson create": Attempt(
        "POST", lambda w: "/api/lessons/", (), lambda w: {"module": str(w.module.pk), "title": "L"}
    ),
    "lesson edit": Attempt("PATCH", at("/api/lessons/{}/", "lesson"), (), lambda w: {"title": "L"}),
    "lesson delete": Attempt("DELETE", at("/api/lessons/{}/", "lesson"), ()),
    "quiz create": Attempt(
        "POST",
        lambda w: "/api/quizzes/",
        (),
        lambda w: {"module": str(w.module.pk), "question": "?", "options": ["a", "b"], "correct_option": 0},
    ),
    "quiz edit": Attempt("PATCH", at("/api/quizzes/{}/", "quiz"), (), lambda w: {"question": "?"}),
    "quiz delete": Attempt("DELETE", at("/api/quizzes/{}/", "quiz"), ()),
    "quiz reorder": Attempt(
        "POST", lambda w: "/api/quizzes/reorder/", (), lambda w: {"module": str(w.module.pk), "order": [str(w.quiz.pk)]}
    ),
    "quiz stats": Attempt("GET", at("/api/quizzes/stats/?module={}", "module"), ()),
}


class _Rollback(Exception):
    pass


def send(world: World, actor: str, attempt: Attempt):
    """One request inside a savepoint that is rolled back, so every caller meets the same world."""
    cache.clear()
    body = json.dumps(attempt.body(world)) if attempt.body else None
    try:
        with transaction.atomic():
            response = world.client(actor).generic(
                attempt.method, attempt.url(world), data=body, content_type="application/json"
            )
            raise _Rollback
    except _Rollback:
        pass
    return response


@pytest.mark.parametrize("name", sorted(INVISIBLE))
def test_an_object_of_an_invisible_course_is_404_for_every_caller(name, world, fake_razorpay):
    attempt = INVISIBLE[name]
    # Given the draft course's own staff reach the object (it exists)...
    for staff in (INSTRUCTOR, ADMIN):
        assert send(world, staff, attempt).status_code != 404, (name, staff)
    # ...then everyone else is told it does not exist, whatever they try, in the one error shape.
    answers = {actor: send(world, actor, attempt) for actor in attempt.actors}
    wrong = {actor: (r.status_code, r.content[:150]) for actor, r in answers.items() if r.status_code != 404}
    assert not wrong, f"{name}: {wrong}"
    for response in answers.values():
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("name", sorted(STAFF_ONLY))
def test_a_visible_course_refuses_non_staff_with_one_code(name, world, fake_razorpay):
    # Given the published course, which the other instructor and the demoted owner can both see
    attempt = STAFF_ONLY[name]

    for actor in (OTHER_INSTRUCTOR, DEMOTED):
        response = send(world, actor, attempt)

        # Then a course-staff action is 403 with the one code every app uses; routes closed to the
        # student role altogether (catalog writes) may refuse the demoted owner by role first.
        assert response.status_code == 403, (name, actor, response.content[:150])
        codes = {"not_course_staff"} if actor == OTHER_INSTRUCTOR else {"not_course_staff", "permission_denied"}
        assert response.json()["code"] in codes, (name, actor, response.json())

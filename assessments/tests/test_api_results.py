"""GET /api/quiz-results/?module=: my attempts with their results, nobody else's."""

from __future__ import annotations

import pytest
from model_bakery import baker

from assessments.tests.helpers import answers_for, json_keys

pytestmark = pytest.mark.django_db

RESULTS = "/api/quiz-results/"


def attempt(client, module, quizzes, correct: int) -> dict:
    response = client.post(
        f"/api/modules/{module.pk}/quiz-attempts/", {"answers": answers_for(quizzes, correct)}, format="json"
    )
    assert response.status_code == 201
    return response.json()


def test_learner_lists_own_attempts_newest_first(client_for, enrolled, module, make_quizzes):
    # given two attempts
    quizzes = make_quizzes(module, 2)
    client = client_for(enrolled)
    first = attempt(client, module, quizzes, 0)
    second = attempt(client, module, quizzes, 2)

    # when the learner lists their results
    response = client.get(RESULTS, {"module": module.pk})

    # then both come back, newest first, with per-question results and no answers
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["results"]] == [second["id"], first["id"]]
    assert body["results"][0]["score"] == 2
    assert [r["is_correct"] for r in body["results"][1]["results"]] == [False, False]
    assert [r["position"] for r in body["results"][0]["results"]] == [1, 2]
    assert "correct_option" not in json_keys(body)


def test_other_learners_attempts_are_invisible(client_for, enrolled, other_student, course, module, make_quizzes):
    # given another learner's attempt
    baker.make("catalog.Enrollment", user=other_student, course=course, source="free")
    quizzes = make_quizzes(module, 1)
    attempt(client_for(other_student), module, quizzes, 1)

    # when I list results, with or without the module filter
    client = client_for(enrolled)

    # then I see nothing
    assert client.get(RESULTS, {"module": module.pk}).json()["count"] == 0
    assert client.get(RESULTS).json()["count"] == 0


def test_module_filter_keeps_only_that_module(client_for, enrolled, course, module, make_quizzes):
    other_module = baker.make("catalog.Module", course=course, position=2)
    client = client_for(enrolled)
    attempt(client, module, make_quizzes(module, 1), 1)
    attempt(client, other_module, make_quizzes(other_module, 1), 1)

    body = client.get(RESULTS, {"module": other_module.pk}).json()

    assert body["count"] == 1
    assert body["results"][0]["module"] == str(other_module.pk)
    assert client.get(RESULTS).json()["count"] == 2


def test_bad_module_filter_is_400(client_for, enrolled):
    response = client_for(enrolled).get(RESULTS, {"module": "nope"})

    assert response.status_code == 400
    assert "module" in response.json()["errors"]


def test_anonymous_is_401(client_for):
    assert client_for(None).get(RESULTS).status_code == 401


@pytest.mark.parametrize("count", [1, 20])
def test_results_query_count_is_fixed(client_for, enrolled, course, make_quizzes, django_assert_max_num_queries, count):
    # given `count` attempts, each at a different module of 3 questions
    client = client_for(enrolled)
    for position in range(1, count + 1):
        module = baker.make("catalog.Module", course=course, position=position)
        attempt(client, module, make_quizzes(module, 3), 1)

    # COUNT (1), attempts page (1), their results with questions (1)
    with django_assert_max_num_queries(3):
        response = client.get(RESULTS, {"page_size": 100})

    assert len(response.json()["results"]) == count

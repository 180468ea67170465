"""Started attempts (issue #21): draw, shuffle, save, submit, deadlines, limits, reveal policy."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
import time_machine
from model_bakery import baker

from assessments import services
from assessments.models import Quiz, QuizAttempt
from assessments.tests.helpers import json_keys
from catalog.models import ModuleQuizPass

pytestmark = pytest.mark.django_db

START = "/api/modules/{}/quiz-attempts/start/"
NOW = datetime.datetime(2026, 6, 17, 6, 30, tzinfo=datetime.UTC)  # midday in IST, mid-week


def start(client, module):
    return client.post(START.format(module.pk), format="json")


def detail(attempt_id) -> str:
    return f"/api/quiz-attempts/{attempt_id}/"


def submit(client, attempt_id, answers=None):
    body = {} if answers is None else {"answers": answers}
    return client.post(f"/api/quiz-attempts/{attempt_id}/submit/", body, format="json")


def right_answers(body) -> list[dict]:
    """The right answers to a started attempt, in its shown positions (found by the options' text)."""
    answers = []
    for question in body["questions"]:
        quiz = Quiz.objects.get(pk=question["id"])
        shown = [question["options"].index(quiz.options[index]) for index in quiz.answer_indexes]
        answers.append({"quiz": question["id"], "selected_options": shown})
    return answers


def wrong_answers(body) -> list[dict]:
    answers = []
    for question, right in zip(body["questions"], right_answers(body), strict=True):
        wrong = next(p for p in range(len(question["options"])) if p not in right["selected_options"])
        answers.append({"quiz": question["id"], "selected_options": [wrong]})
    return answers


def assert_no_answer_keys(body) -> None:
    assert "correct_option" not in json_keys(body), body


def assert_nothing_revealed(body) -> None:
    assert_no_answer_keys(body)
    for result in body.get("results", []):
        assert (result["is_correct"], result["correct_options"], result["explanation"], result["credit"]) == (
            None,
            None,
            None,
            None,
        ), result


@pytest.fixture
def bank(module, make_quizzes):
    return make_quizzes(module, 6)


# --- start, reload, save, submit ----------------------------------------------------------------------


def test_start_draws_from_the_bank_and_reload_shows_the_same(client_for, enrolled, module, bank):
    # given a module drawing 3 of its 6 questions with shuffled options
    module.questions_per_attempt, module.shuffle_options = 3, True
    module.save()
    client = client_for(enrolled)

    # when the learner starts, reloads, and starts again
    started = start(client, module)
    reloaded = client.get(detail(started.json()["id"]))
    again = start(client, module)

    # then 3 distinct questions of the bank come back, the same each time, without any answer
    assert started.status_code == 201, started.content
    body = started.json()
    ids = [question["id"] for question in body["questions"]]
    assert len(ids) == len(set(ids)) == 3
    assert set(ids) <= {str(quiz.pk) for quiz in bank}
    assert reloaded.json()["questions"] == body["questions"]
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    assert body["status"] == "in_progress" and body["deadline"] is None
    for payload in (body, reloaded.json()):
        assert_nothing_revealed(payload)
        assert set(payload["questions"][0]) == {"id", "type", "question", "options"}
    assert QuizAttempt.objects.count() == 1


def test_shuffled_positions_map_back_to_the_stored_answers(client_for, enrolled, module, bank):
    module.shuffle_options, module.reveal = True, "immediately"
    module.save()
    client = client_for(enrolled)
    body = start(client, module).json()

    # when the learner saves then submits the right answers by their shown positions
    saved = client.patch(detail(body["id"]), {"answers": right_answers(body)[:3]}, format="json")
    submitted = submit(client, body["id"], right_answers(body)[3:])

    # then every answer is judged right, and the review speaks in the shown positions too
    assert saved.status_code == 200, saved.content
    assert_nothing_revealed(saved.json())
    assert len(saved.json()["answers"]) == 3
    result = submitted.json()
    assert submitted.status_code == 200, submitted.content
    assert (result["score"], result["total"], result["passed"], result["first_pass"]) == (6, 6, True, True)
    for review, right in zip(result["results"], right_answers(body), strict=True):
        assert review["correct_options"] == review["selected_options"] == right["selected_options"]
    assert_no_answer_keys(result)
    assert ModuleQuizPass.objects.filter(user=enrolled, module=module).count() == 1


def test_quiz_draw_is_uniform_and_without_repeats(module, make_quizzes):
    questions = make_quizzes(module, 5)
    seen: Counter[str] = Counter()

    for _ in range(2000):
        draw = services.quiz_draw(questions=questions, count=2, shuffle=True)
        ids = [item["quiz"] for item in draw]
        assert len(set(ids)) == 2
        assert all(sorted(item["order"]) == [0, 1, 2, 3] for item in draw)
        seen.update(ids)

    # each question is expected 800 times; 5 standard deviations (~110) either side is generous
    assert set(seen) == {str(quiz.pk) for quiz in questions}
    assert all(650 <= count <= 950 for count in seen.values()), seen


def test_one_call_submit_is_refused_where_the_settings_need_a_start(client_for, enrolled, module, bank):
    module.shuffle_options = True
    module.save()

    response = client_for(enrolled).post(
        f"/api/modules/{module.pk}/quiz-attempts/",
        {"answers": [{"quiz": str(quiz.pk), "selected_option": 0} for quiz in bank]},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (409, "quiz_requires_start")
    assert not QuizAttempt.objects.exists()


# --- deadlines ------------------------------------------------------------------------------------------


def test_late_submit_is_scored_on_what_was_saved(client_for, enrolled, module, bank):
    module.time_limit_seconds, module.reveal = 600, "immediately"
    module.save()
    client = client_for(enrolled)
    with time_machine.travel(NOW, tick=False) as clock:
        body = start(client, module).json()
        assert body["deadline"] == "2026-06-17T12:10:00+05:30"
        # the learner saved two right answers in time, then submits all six right ones far too late
        client.patch(detail(body["id"]), {"answers": right_answers(body)[:2]}, format="json")
        clock.shift(datetime.timedelta(minutes=11))
        result = submit(client, body["id"], right_answers(body)).json()

    assert (result["status"], result["score"], result["passed"]) == ("expired", 2, False)


def test_submit_within_the_grace_counts(client_for, enrolled, module, bank):
    module.time_limit_seconds = 600
    module.save()
    client = client_for(enrolled)
    with time_machine.travel(NOW, tick=False) as clock:
        body = start(client, module).json()
        clock.shift(datetime.timedelta(seconds=610))
        result = submit(client, body["id"], right_answers(body)).json()

    assert (result["status"], result["score"]) == ("submitted", 6)


def test_unsubmitted_attempt_closes_itself_when_read_or_swept(
    client_for, enrolled, other_student, course, module, bank
):
    module.time_limit_seconds = 60
    module.save()
    baker.make("catalog.Enrollment", user=other_student, course=course, source="free")
    client, other = client_for(enrolled), client_for(other_student)
    with time_machine.travel(NOW, tick=False) as clock:
        mine = start(client, module).json()
        theirs = start(other, module).json()
        client.patch(detail(mine["id"]), {"answers": right_answers(mine)[:1]}, format="json")
        clock.shift(datetime.timedelta(minutes=5))

        # when the learner reads theirs, and the periodic task sweeps the other
        read = client.get(detail(mine["id"])).json()
        swept = services.quiz_attempts_expire()
        saving = other.patch(detail(theirs["id"]), {"answers": right_answers(theirs)}, format="json")

    # then both are closed, scored on what was saved
    assert (read["status"], read["score"]) == ("expired", 1)
    assert swept == 1
    assert QuizAttempt.objects.get(pk=theirs["id"]).status == "expired"
    assert (saving.status_code, saving.json()["code"]) == (409, "attempt_closed")


# --- limits ---------------------------------------------------------------------------------------------


def test_max_attempts_and_cooldown(client_for, enrolled, module, bank):
    module.max_attempts, module.cooldown_minutes = 2, 10
    module.save()
    client = client_for(enrolled)
    with time_machine.travel(NOW, tick=False) as clock:
        first = start(client, module).json()
        submit(client, first["id"], wrong_answers(first))
        too_soon = start(client, module)
        clock.shift(datetime.timedelta(minutes=10))
        second = start(client, module)
        submit(client, second.json()["id"], wrong_answers(second.json()))
        clock.shift(datetime.timedelta(minutes=10))
        third = start(client, module)

    assert (too_soon.status_code, too_soon.json()["code"]) == (429, "quiz_cooldown")
    assert int(too_soon["Retry-After"]) == 600
    assert second.status_code == 201
    assert (third.status_code, third.json()["code"]) == (409, "attempts_exhausted")
    assert QuizAttempt.objects.count() == 2


# --- reveal policy --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reveal", "max_attempts", "after_fail", "after_pass"),
    [
        ("never", None, False, False),
        ("after_pass", None, False, True),
        ("after_last_attempt", 2, False, True),
        ("immediately", None, True, True),
    ],
)
def test_reveal_policy(client_for, enrolled, module, bank, reveal, max_attempts, after_fail, after_pass):
    module.reveal, module.max_attempts, module.shuffle_options = reveal, max_attempts, True
    module.save()
    client = client_for(enrolled)

    first = start(client, module).json()
    failed = submit(client, first["id"], wrong_answers(first)).json()
    failed_review = client.get(detail(first["id"])).json()
    second = start(client, module).json()
    passed = submit(client, second["id"], right_answers(second)).json()
    passed_review = client.get(detail(second["id"])).json()
    listed = client.get("/api/quiz-results/").json()

    everything = [first, failed, failed_review, second, passed, passed_review, listed]
    for payload in everything:
        assert_no_answer_keys(payload)
    for payload in (failed, failed_review):
        assert payload["revealed"] is after_fail
        if not after_fail:
            assert_nothing_revealed(payload)
        else:
            assert all(result["is_correct"] is False for result in payload["results"])
            assert all(result["explanation"] for result in payload["results"])
    assert passed_review["revealed"] is after_pass
    if after_pass:
        assert [r["correct_options"] for r in passed_review["results"]] == [
            a["selected_options"] for a in right_answers(second)
        ]
    else:
        assert_nothing_revealed(passed_review)
    for item in listed["results"]:
        if not item["revealed"]:
            assert_nothing_revealed(item)


# --- question types -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type", "correct", "partial", "selected", "credit"),
    [
        ("single", [1], False, {1}, 1),
        ("single", [1], False, {2}, 0),
        ("single", [1], False, set(), 0),
        ("true_false", [0], False, {0}, 1),
        ("true_false", [0], False, {1}, 0),
        ("multiple", [0, 2], False, {0, 2}, 1),
        ("multiple", [0, 2], False, {0}, 0),
        ("multiple", [0, 2], False, {0, 1, 2}, 0),
        ("multiple", [0, 2], True, {0}, 0.5),
        ("multiple", [0, 2], True, {0, 2}, 1),
        ("multiple", [0, 2], True, {0, 1}, 0),
        ("multiple", [0, 2, 3], True, {0, 2, 1}, 0.333),
        ("multiple", [0, 2], True, {1, 3}, 0),
    ],
)
def test_scoring_rules(type, correct, partial, selected, credit):
    quiz = Quiz(
        type=type,
        options=["a", "b", "c", "d"],
        correct_option=correct[0],
        correct_options=correct,
        partial_credit=partial,
    )

    assert float(services.quiz_credit(quiz=quiz, selected=selected)) == credit


def test_instructor_authors_each_type(client_for, instructor, module):
    client = client_for(instructor)

    multiple = client.post(
        "/api/quizzes/",
        {
            "module": str(module.pk),
            "type": "multiple",
            "question": "Primes?",
            "options": ["2", "4", "5", "9"],
            "correct_options": [2, 0],
            "partial_credit": True,
        },
        format="json",
    )
    true_false = client.post(
        "/api/quizzes/",
        {"module": str(module.pk), "type": "true_false", "question": "Sky is blue?", "correct_option": 0},
        format="json",
    )
    bad = client.post(
        "/api/quizzes/",
        {"module": str(module.pk), "type": "multiple", "question": "?", "options": ["a", "b"], "correct_options": []},
        format="json",
    )

    assert multiple.status_code == 201, multiple.content
    assert (multiple.json()["correct_options"], multiple.json()["correct_option"]) == ([0, 2], 0)
    assert true_false.status_code == 201, true_false.content
    assert true_false.json()["options"] == ["True", "False"]
    assert (bad.status_code, set(bad.json()["errors"])) == (400, {"correct_options"})


def test_multiple_choice_partial_credit_through_the_api(client_for, enrolled, module):
    module.reveal = "immediately"
    module.save()
    services.quiz_create(
        module=module,
        type="multiple",
        question="Primes?",
        options=["2", "4", "5", "9"],
        correct_options=[0, 2],
        partial_credit=True,
    )
    client = client_for(enrolled)
    body = start(client, module).json()

    result = submit(client, body["id"], [{"quiz": body["questions"][0]["id"], "selected_options": [0]}]).json()

    assert (result["score"], result["points"], result["percentage"], result["passed"]) == (0, 0.5, 50.0, False)
    assert result["results"][0]["credit"] == 0.5


# --- refusals -------------------------------------------------------------------------------------------


def test_another_learners_attempt_is_404(client_for, enrolled, other_student, course, module, bank):
    baker.make("catalog.Enrollment", user=other_student, course=course, source="free")
    body = start(client_for(enrolled), module).json()
    other = client_for(other_student)

    assert other.get(detail(body["id"])).status_code == 404
    assert other.patch(detail(body["id"]), {"answers": right_answers(body)}, format="json").status_code == 404
    assert submit(other, body["id"], []).status_code == 404
    assert QuizAttempt.objects.get().status == "in_progress"


def test_not_enrolled_cannot_start(client_for, other_student, module, bank):
    response = start(client_for(other_student), module)

    assert (response.status_code, response.json()["code"]) == (403, "not_enrolled")


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ([{"quiz": "00000000-0000-4000-8000-000000000000", "selected_options": [0]}], "answers.0.quiz"),
        ("FIRST", "answers.0.selected_options"),
        ("FIRST_TWO", "answers.0.selected_options"),
        ([{"quiz": "not-a-uuid", "selected_options": [0]}], "answers"),
        ([], "answers"),
    ],
)
def test_bad_answers_are_400_and_change_nothing(client_for, enrolled, module, bank, answers, field):
    client = client_for(enrolled)
    body = start(client, module).json()
    first = body["questions"][0]["id"]
    if answers == "FIRST":
        answers = [{"quiz": first, "selected_options": [9]}]
    elif answers == "FIRST_TWO":
        answers = [{"quiz": first, "selected_options": [0, 1]}]

    response = client.patch(detail(body["id"]), {"answers": answers}, format="json")

    assert response.status_code == 400, response.content
    assert any(key.startswith(field) for key in response.json()["errors"]), response.json()
    assert QuizAttempt.objects.get().saved_answers == {}


def test_a_submitted_attempt_is_closed(client_for, enrolled, module, bank):
    client = client_for(enrolled)
    body = start(client, module).json()
    submit(client, body["id"], right_answers(body))

    again = submit(client, body["id"], right_answers(body))
    saving = client.patch(detail(body["id"]), {"answers": right_answers(body)}, format="json")

    assert (again.status_code, again.json()["code"]) == (409, "attempt_closed")
    assert (saving.status_code, saving.json()["code"]) == (409, "attempt_closed")


# --- speed ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 20])
def test_attempt_detail_query_count_is_fixed(
    client_for, enrolled, module, make_quizzes, django_assert_max_num_queries, count
):
    make_quizzes(module, count)
    client = client_for(enrolled)
    body = start(client, module).json()
    submit(client, body["id"], right_answers(body))

    # overdue check (1), the attempt with module and reveal facts (1), its results (1), its questions (1)
    with django_assert_max_num_queries(4):
        response = client.get(detail(body["id"]))

    assert len(response.json()["results"]) == count


def test_a_refused_start_still_closes_the_overdue_attempt(client_for, enrolled, module, bank):
    # given the learner's only allowed attempt, left open past its deadline
    module.time_limit_seconds, module.max_attempts = 60, 1
    module.save()
    client = client_for(enrolled)
    with time_machine.travel(NOW, tick=False) as clock:
        body = start(client, module).json()
        clock.shift(datetime.timedelta(minutes=5))

        # when the learner starts again (refused: no attempts left) and saves (refused: closed)
        again = start(client, module)
        saving = client.patch(detail(body["id"]), {"answers": right_answers(body)}, format="json")

    # then the refusals stand and the overdue attempt is closed for good
    assert (again.status_code, again.json()["code"]) == (409, "attempts_exhausted")
    assert (saving.status_code, saving.json()["code"]) == (409, "attempt_closed")
    assert QuizAttempt.objects.get().status == "expired"


@pytest.mark.calendar
@pytest.mark.parametrize("count", [1, 20])
def test_first_pass_submit_query_count_is_fixed(
    client_for, enrolled, module, make_quizzes, django_assert_max_num_queries, count
):
    # given a started attempt at a module of 1 or 20 questions
    make_quizzes(module, count)
    client = client_for(enrolled)
    body = start(client, module).json()
    answers = right_answers(body)

    # when the learner submits it with the right answers (a first pass): SAVEPOINT, the enrollment lock (found
    # through the attempt, with the course's lesson count), the attempt lock with its module, its questions, the
    # pass INSERT … ON CONFLICT, the attempt (its outcome and the answers sent, one UPDATE), its results, the XP
    # award (user lock, ledger, roll-ups, badge candidates with the event count their rules need, learning
    # days), the completion check on the enrollment in hand (nothing read), RELEASE; the answer is the attempt
    # just judged, not read back (assessments/tests/test_submit_answer.py)
    with django_assert_max_num_queries(14):
        response = submit(client, body["id"], answers)

    # then it passed for the first time
    assert response.status_code == 200 and response.json()["first_pass"] is True

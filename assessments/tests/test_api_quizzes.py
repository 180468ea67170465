"""GET/POST /api/quizzes/?module=, GET/PATCH/DELETE /api/quizzes/{id}/, reorder and stats."""

from __future__ import annotations

import uuid

import pytest
from model_bakery import baker

from assessments.models import Quiz, QuizResult
from assessments.tests.helpers import answers_for
from audit.models import AuditLog

pytestmark = pytest.mark.django_db

LIST = "/api/quizzes/"


def detail(quiz) -> str:
    return f"/api/quizzes/{quiz.pk}/"


def positions(module) -> list[tuple[str, int]]:
    return list(Quiz.objects.filter(module=module).order_by("position").values_list("question", "position"))


# --- list ------------------------------------------------------------------------------------------


def test_learner_lists_questions_in_order_without_answers(client_for, enrolled, module, make_quizzes):
    # given three questions, created out of order
    make_quizzes(module, 1, start=3)
    make_quizzes(module, 2, start=1)

    # when an enrolled learner lists them
    response = client_for(enrolled).get(LIST, {"module": module.pk})

    # then they come by position, with options but neither answer nor explanation
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [item["position"] for item in body["results"]] == [1, 2, 3]
    assert set(body["results"][0]) == {"id", "module", "position", "type", "question", "options"}
    assert body["results"][0]["options"] == ["A", "B", "C", "D"]


@pytest.mark.parametrize("who", ["instructor", "admin_user"])
def test_course_staff_list_questions_with_answers(request, client_for, module, make_quizzes, who):
    # given a question whose answer is index 1
    make_quizzes(module, 1)

    # when the course's instructor or an admin lists them
    response = client_for(request.getfixturevalue(who)).get(LIST, {"module": module.pk})

    # then the answer and the explanation are there
    assert response.status_code == 200
    item = response.json()["results"][0]
    assert item["correct_option"] == 1
    assert item["explanation"] == "Because 1."


@pytest.mark.parametrize("who", ["student", "other_instructor"])
def test_list_refused_to_users_without_access(request, client_for, module, make_quizzes, who):
    # given a question in a course the user neither owns nor is enrolled in
    make_quizzes(module, 1)

    # when they list the module's questions
    response = client_for(request.getfixturevalue(who)).get(LIST, {"module": module.pk})

    # then they are refused
    assert response.status_code == 403
    assert response.json()["code"] == "not_enrolled"


def test_list_refused_after_enrollment_revoked(client_for, student, course, module, make_quizzes):
    baker.make("catalog.Enrollment", user=student, course=course, source="free", status="revoked")
    make_quizzes(module, 1)

    response = client_for(student).get(LIST, {"module": module.pk})

    assert response.status_code == 403


def test_list_anonymous_is_401(client_for, module):
    assert client_for(None).get(LIST, {"module": module.pk}).status_code == 401


@pytest.mark.parametrize(
    ("params", "status"),
    [({}, 400), ({"module": "not-a-uuid"}, 400), ({"module": str(uuid.uuid4())}, 404)],
)
def test_list_bad_module_parameter(client_for, enrolled, params, status):
    response = client_for(enrolled).get(LIST, params)

    assert response.status_code == status
    if status == 400:
        assert "module" in response.json()["errors"]


@pytest.mark.parametrize("count", [1, 20])
def test_list_query_count_is_fixed(client_for, enrolled, module, make_quizzes, django_assert_max_num_queries, count):
    make_quizzes(module, count)
    client = client_for(enrolled)

    # module + course (1), active enrollment (1), COUNT (1), page (1)
    with django_assert_max_num_queries(4):
        response = client.get(LIST, {"module": module.pk})

    assert len(response.json()["results"]) == count


# --- detail ----------------------------------------------------------------------------------------


def test_learner_reads_one_question_without_answer(client_for, enrolled, module, make_quizzes):
    (quiz,) = make_quizzes(module, 1)

    response = client_for(enrolled).get(detail(quiz))

    assert response.status_code == 200
    assert response.json() == {
        "id": str(quiz.pk),
        "module": str(module.pk),
        "position": 1,
        "type": "single",
        "question": "Question 1?",
        "options": ["A", "B", "C", "D"],
    }


def test_owner_reads_one_question_with_answer(client_for, instructor, module, make_quizzes):
    (quiz,) = make_quizzes(module, 1)

    response = client_for(instructor).get(detail(quiz))

    assert response.status_code == 200
    assert response.json()["correct_option"] == 1


@pytest.mark.parametrize("who", ["student", "other_instructor"])
def test_detail_refused_without_access(request, client_for, module, make_quizzes, who):
    (quiz,) = make_quizzes(module, 1)

    response = client_for(request.getfixturevalue(who)).get(detail(quiz))

    assert response.status_code == 403


def test_detail_unknown_is_404(client_for, enrolled):
    response = client_for(enrolled).get(f"/api/quizzes/{uuid.uuid4()}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- create ----------------------------------------------------------------------------------------


def payload(target_module, **overrides) -> dict:
    return {
        "module": str(target_module.pk),
        "question": "What is 2 + 2?",
        "options": ["3", "4", "5"],
        "correct_option": 1,
        "explanation": "Arithmetic.",
        **overrides,
    }


@pytest.mark.parametrize("who", ["instructor", "admin_user"])
def test_staff_create_question_at_the_end(request, client_for, module, make_quizzes, who):
    # given two questions
    make_quizzes(module, 2)

    # when the owner (or an admin) adds one
    response = client_for(request.getfixturevalue(who)).post(LIST, payload(module), format="json")

    # then it is stored at position 3 and returned with its answer
    assert response.status_code == 201
    body = response.json()
    assert body["position"] == 3
    assert body["correct_option"] == 1
    quiz = Quiz.objects.get(pk=body["id"])
    assert (quiz.question, quiz.options, quiz.correct_option) == ("What is 2 + 2?", ["3", "4", "5"], 1)


def test_create_at_a_position_moves_the_others_down(client_for, instructor, module, make_quizzes):
    make_quizzes(module, 3)

    response = client_for(instructor).post(LIST, payload(module, position=2), format="json")

    assert response.status_code == 201
    assert positions(module) == [("Question 1?", 1), ("What is 2 + 2?", 2), ("Question 2?", 3), ("Question 3?", 4)]


def test_create_past_the_end_appends_like_every_ordered_list(client_for, instructor, module, make_quizzes):
    # given two questions; when a third is asked for at position 99 (one policy: common.ordering.position_clamp)
    make_quizzes(module, 2)
    response = client_for(instructor).post(LIST, payload(module, position=99), format="json")

    # then it is added last, as modules and lessons are
    assert response.status_code == 201
    assert response.json()["position"] == 3
    assert positions(module) == [("Question 1?", 1), ("Question 2?", 2), ("What is 2 + 2?", 3)]


def test_create_trims_options(client_for, instructor, module):
    response = client_for(instructor).post(
        LIST, payload(module, options=["  yes ", "no"], correct_option=0), format="json"
    )

    assert response.status_code == 201
    assert Quiz.objects.get().options == ["yes", "no"]


@pytest.mark.parametrize("who", ["student", "other_instructor"])
def test_create_refused_to_non_owners(request, client_for, course, module, who):
    user = request.getfixturevalue(who)
    baker.make("catalog.Enrollment", user=user, course=course, source="free")

    response = client_for(user).post(LIST, payload(module), format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_course_staff"
    assert not Quiz.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"options": ["only one"], "correct_option": 0}, "options"),
        ({"options": ["a", "b", "c", "d", "e", "f", "g"]}, "options"),
        ({"options": ["a", "A "]}, "options"),
        ({"options": ["a", "  "]}, "options"),
        ({"options": "a,b"}, "options"),
        ({"options": ["a", "b"], "correct_option": 2}, "correct_option"),
        ({"correct_option": -1}, "correct_option"),
        ({"correct_option": "x"}, "correct_option"),
        ({"question": ""}, "question"),
        ({"position": 0}, "position"),
        ({"module": "nope"}, "module"),
        ({"module": str(uuid.uuid4())}, "module"),
    ],
)
def test_create_invalid_input_gives_field_errors(client_for, instructor, module, overrides, field):
    response = client_for(instructor).post(LIST, payload(module, **overrides), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    assert not Quiz.objects.exists()


# --- update ----------------------------------------------------------------------------------------


def test_owner_edits_question(client_for, instructor, module, make_quizzes):
    (quiz,) = make_quizzes(module, 1)

    response = client_for(instructor).patch(
        detail(quiz), {"options": ["yes", "no"], "correct_option": 0, "question": "Really?"}, format="json"
    )

    assert response.status_code == 200
    quiz.refresh_from_db()
    assert (quiz.question, quiz.options, quiz.correct_option) == ("Really?", ["yes", "no"], 0)


def test_edit_leaving_correct_option_out_of_range_is_400(client_for, instructor, module, make_quizzes):
    # given a question whose answer is index 3
    quiz = make_quizzes(module, 3)[2]

    # when its options shrink to two without moving the answer
    response = client_for(instructor).patch(detail(quiz), {"options": ["a", "b"]}, format="json")

    # then the edit is refused and nothing changes
    assert response.status_code == 400
    assert "correct_option" in response.json()["errors"]
    quiz.refresh_from_db()
    assert quiz.options == ["A", "B", "C", "D"]


def test_edit_moves_position_keeping_gap_free(client_for, instructor, module, make_quizzes):
    quizzes = make_quizzes(module, 4)

    response = client_for(instructor).patch(detail(quizzes[3]), {"position": 1}, format="json")

    assert response.status_code == 200
    assert response.json()["position"] == 1
    assert positions(module) == [("Question 4?", 1), ("Question 1?", 2), ("Question 2?", 3), ("Question 3?", 4)]


def test_edit_position_past_the_end_moves_to_last(client_for, instructor, module, make_quizzes):
    quizzes = make_quizzes(module, 2)

    response = client_for(instructor).patch(detail(quizzes[0]), {"position": 3}, format="json")

    assert response.status_code == 200
    assert response.json()["position"] == 2
    assert positions(module) == [("Question 2?", 1), ("Question 1?", 2)]


def test_edit_position_below_one_is_400(client_for, instructor, module, make_quizzes):
    quizzes = make_quizzes(module, 2)

    response = client_for(instructor).patch(detail(quizzes[1]), {"position": 0}, format="json")

    assert response.status_code == 400
    assert "position" in response.json()["errors"]
    assert positions(module) == [("Question 1?", 1), ("Question 2?", 2)]


def test_edit_never_rewrites_past_results(client_for, instructor, enrolled, module, make_quizzes):
    # given a learner answered the only question correctly
    (quiz,) = make_quizzes(module, 1)
    client_for(enrolled).post(
        f"/api/modules/{module.pk}/quiz-attempts/", {"answers": answers_for([quiz], 1)}, format="json"
    )

    # when the owner changes the question and its answer
    client_for(instructor).patch(detail(quiz), {"question": "Changed?", "correct_option": 0}, format="json")

    # then the stored result still says what was asked and that it was correct
    result = QuizResult.objects.get()
    assert (result.question, result.is_correct, result.selected_option) == ("Question 1?", True, 1)


@pytest.mark.parametrize("who", ["student", "other_instructor"])
def test_edit_refused_to_non_owners(request, client_for, enrolled, module, make_quizzes, who):
    (quiz,) = make_quizzes(module, 1)

    response = client_for(request.getfixturevalue(who)).patch(detail(quiz), {"question": "Hacked"}, format="json")

    assert response.status_code == 403
    quiz.refresh_from_db()
    assert quiz.question == "Question 1?"


# --- delete ----------------------------------------------------------------------------------------


def test_delete_closes_the_gap_and_is_audited(client_for, instructor, module, make_quizzes):
    # given a course without learners yet
    quizzes = make_quizzes(module, 3)

    response = client_for(instructor).delete(detail(quizzes[0]))

    assert response.status_code == 204
    assert positions(module) == [("Question 2?", 1), ("Question 3?", 2)]
    entry = AuditLog.objects.get(action="quiz.delete")
    assert (entry.actor, entry.target_id) == (instructor, str(quizzes[0].pk))
    assert entry.details["question"] == "Question 1?"


def test_delete_in_a_course_with_learners_is_409_and_keeps_questions_and_results(
    client_for, instructor, enrolled, module, make_quizzes
):
    # given a learner who took the module's quiz
    quizzes = make_quizzes(module, 3)
    client_for(enrolled).post(
        f"/api/modules/{module.pk}/quiz-attempts/", {"answers": answers_for(quizzes, 3)}, format="json"
    )

    response = client_for(instructor).delete(detail(quizzes[0]))

    assert response.status_code == 409
    assert response.json()["code"] == "course_has_learners"
    assert positions(module) == [("Question 1?", 1), ("Question 2?", 2), ("Question 3?", 3)]
    assert QuizResult.objects.get(question="Question 1?").quiz == quizzes[0]
    assert not AuditLog.objects.filter(action="quiz.delete").exists()


@pytest.mark.parametrize("who", ["student", "other_instructor"])
def test_delete_refused_to_non_owners(request, client_for, enrolled, module, make_quizzes, who):
    (quiz,) = make_quizzes(module, 1)

    response = client_for(request.getfixturevalue(who)).delete(detail(quiz))

    assert response.status_code == 403
    assert Quiz.objects.filter(pk=quiz.pk).exists()


# --- reorder ---------------------------------------------------------------------------------------


def test_owner_reorders_all_questions(client_for, instructor, module, make_quizzes):
    first, second, third = make_quizzes(module, 3)

    response = client_for(instructor).post(
        "/api/quizzes/reorder/",
        {"module": str(module.pk), "order": [str(third.pk), str(first.pk), str(second.pk)]},
        format="json",
    )

    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == [str(third.pk), str(first.pk), str(second.pk)]
    assert positions(module) == [("Question 3?", 1), ("Question 1?", 2), ("Question 2?", 3)]


@pytest.mark.parametrize("shape", ["missing", "duplicate", "foreign"])
def test_reorder_needs_every_question_once(client_for, instructor, course, module, make_quizzes, shape):
    first, second = make_quizzes(module, 2)
    other_module = baker.make("catalog.Module", course=course, position=2)
    (foreign,) = make_quizzes(other_module, 1)
    order = {
        "missing": [first.pk],
        "duplicate": [first.pk, first.pk],
        "foreign": [first.pk, second.pk, foreign.pk],
    }[shape]

    response = client_for(instructor).post(
        "/api/quizzes/reorder/", {"module": str(module.pk), "order": [str(pk) for pk in order]}, format="json"
    )

    assert response.status_code == 400
    assert "order" in response.json()["errors"]
    assert positions(module) == [("Question 1?", 1), ("Question 2?", 2)]


def test_reorder_refused_to_other_instructor(client_for, other_instructor, module, make_quizzes):
    first, second = make_quizzes(module, 2)

    response = client_for(other_instructor).post(
        "/api/quizzes/reorder/", {"module": str(module.pk), "order": [str(second.pk), str(first.pk)]}, format="json"
    )

    assert response.status_code == 403


# --- stats -----------------------------------------------------------------------------------------


def test_stats_count_learners_and_correct_share(
    client_for, instructor, enrolled, other_student, course, module, make_quizzes
):
    # given two learners: one answers both right (after a first wrong try), the other gets only the first
    baker.make("catalog.Enrollment", user=other_student, course=course, source="free")
    quizzes = make_quizzes(module, 2)
    url = f"/api/modules/{module.pk}/quiz-attempts/"
    client_for(enrolled).post(url, {"answers": answers_for(quizzes, 0)}, format="json")
    client_for(enrolled).post(url, {"answers": answers_for(quizzes, 2)}, format="json")
    client_for(other_student).post(url, {"answers": answers_for(quizzes, 1)}, format="json")

    # when the owner asks for the statistics
    response = client_for(instructor).get("/api/quizzes/stats/", {"module": module.pk})

    # then each question counts learners once
    assert response.status_code == 200
    rows = {row["position"]: row for row in response.json()["results"]}
    assert (rows[1]["attempted_learners"], rows[1]["correct_learners"], rows[1]["correct_share"]) == (2, 2, 1.0)
    assert (rows[2]["attempted_learners"], rows[2]["correct_learners"], rows[2]["correct_share"]) == (2, 1, 0.5)


def test_stats_without_attempts_have_no_share(client_for, instructor, module, make_quizzes):
    make_quizzes(module, 1)

    row = client_for(instructor).get("/api/quizzes/stats/", {"module": module.pk}).json()["results"][0]

    assert (row["attempted_learners"], row["correct_learners"], row["correct_share"]) == (0, 0, None)


@pytest.mark.parametrize("who", ["enrolled", "other_instructor"])
def test_stats_refused_to_learners_and_other_instructors(request, client_for, module, make_quizzes, who):
    make_quizzes(module, 1)

    response = client_for(request.getfixturevalue(who)).get("/api/quizzes/stats/", {"module": module.pk})

    assert response.status_code == 403


@pytest.mark.parametrize("count", [1, 20])
def test_stats_query_count_is_fixed(client_for, instructor, module, make_quizzes, django_assert_max_num_queries, count):
    make_quizzes(module, count)
    client = client_for(instructor)

    # module + course (1), COUNT (1), grouped page (1), ranked attempts (1), the page's results (1)
    with django_assert_max_num_queries(5):
        response = client.get("/api/quizzes/stats/", {"module": module.pk})

    assert len(response.json()["results"]) == count


def test_stats_difficulty_and_discrimination(client_for, instructor, course, module, make_quizzes, make_user):
    # given two questions and ten learners: the strong ones (all right) and the weak ones (only question 2 right)
    from assessments import services

    good, bad = make_quizzes(module, 2)
    for index in range(10):
        learner = make_user()
        baker.make("catalog.Enrollment", user=learner, course=course, source="free")
        strong = index < 5
        services.quiz_attempt_submit(
            user=learner,
            module=module,
            answers=[
                {"quiz": good.pk, "selected_option": good.correct_option if strong else (good.correct_option + 1) % 4},
                {"quiz": bad.pk, "selected_option": bad.correct_option},
            ],
        )

    rows = client_for(instructor).get("/api/quizzes/stats/", {"module": module.pk}).json()["results"]

    # then question 1 separates them fully (best 27% = 3 attempts all right, worst 3 all wrong); question 2 not
    assert [(row["difficulty"], row["discrimination"]) for row in rows] == [(0.5, 1.0), (1.0, 0.0)]

"""Bulk import of questions from CSV: row-level errors, all or nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import Quiz

pytestmark = pytest.mark.django_db

GOOD = (
    "type,question,options,correct,explanation,partial_credit\n"
    ",What is 2 + 2?,3|4|5,1,Arithmetic.,\n"
    "multiple,Which are primes?,2|4|5|9,0|2,,true\n"
    "true_false,The sky is blue.,,0,,\n"
)


def upload(client, module, text: str, name: str = "questions.csv"):
    return client.post(
        f"/api/modules/{module.pk}/quizzes/import/",
        {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")},
        format="multipart",
    )


def test_owner_imports_every_type(client_for, instructor, module, make_quizzes):
    make_quizzes(module, 1)

    response = upload(client_for(instructor), module, GOOD)

    assert response.status_code == 201, response.content
    assert response.json()["created"] == 3
    rows = list(Quiz.objects.filter(module=module).order_by("position"))
    assert [(q.position, q.type) for q in rows] == [(1, "single"), (2, "single"), (3, "multiple"), (4, "true_false")]
    assert (rows[2].correct_options, rows[2].partial_credit) == ([0, 2], True)
    assert rows[3].options == ["True", "False"]
    assert module.__class__.objects.get(pk=module.pk).quiz_question_count == 4


def test_faulty_rows_are_reported_and_nothing_is_created(client_for, instructor, module):
    text = (
        "type,question,options,correct\n"
        ",Fine?,a|b,0\n"
        ",,a|b,0\n"  # row 2: no question
        ",Out of range?,a|b,7\n"  # row 3
        "single,Two answers?,a|b|c,0|1\n"  # row 4
        "essay,Unknown type?,a|b,0\n"  # row 5
        ",Not a number?,a|b,x\n"  # row 6
    )

    response = upload(client_for(instructor), module, text)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "rows.2.question",
        "rows.3.correct",
        "rows.4.correct",
        "rows.5.type",
        "rows.6.correct",
    }
    assert not Quiz.objects.exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"question,options\nx,a|b\n", b"\xff\xfe\x00garbage", b"question,options,correct\n"],
)
def test_unreadable_files_are_400(client_for, instructor, module, content):
    response = client_for(instructor).post(
        f"/api/modules/{module.pk}/quizzes/import/",
        {"file": SimpleUploadedFile("q.csv", content, content_type="text/csv")},
        format="multipart",
    )

    assert response.status_code == 400, response.content
    assert "file" in response.json()["errors"]
    assert not Quiz.objects.exists()


def test_learners_and_other_instructors_are_refused(client_for, enrolled, other_instructor, module):
    assert upload(client_for(enrolled), module, GOOD).status_code == 403
    assert upload(client_for(other_instructor), module, GOOD).status_code == 403
    assert not Quiz.objects.exists()


def test_imports_are_rate_limited_per_user(client_for, instructor, module, settings):
    settings.QUIZ_IMPORT_RATE = "1/h"
    client = client_for(instructor)
    assert upload(client, module, GOOD).status_code == 201

    response = upload(client, module, GOOD)

    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0
    assert Quiz.objects.filter(module=module).count() == 3

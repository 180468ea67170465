"""Fixtures of the assessments tests: a published course with one module, an enrolled learner, questions."""

from __future__ import annotations

import pytest
from model_bakery import baker

from assessments.models import Quiz


@pytest.fixture
def course(instructor):
    return baker.make("catalog.Course", instructor=instructor, status="published", price="0.00")


@pytest.fixture
def module(course):
    return baker.make("catalog.Module", course=course, position=1, pass_mark=60)


@pytest.fixture
def enrolled(student, course):
    baker.make("catalog.Enrollment", user=student, course=course, source="free", status="active")
    return student


@pytest.fixture
def make_quizzes():
    """``make_quizzes(module, n)``: n questions with options A–D; the correct one is index ``i % 4``."""

    def make(module, count: int, start: int = 1) -> list[Quiz]:
        return [
            Quiz.objects.create(
                module=module,
                question=f"Question {position}?",
                options=["A", "B", "C", "D"],
                correct_option=position % 4,
                explanation=f"Because {position}.",
                position=position,
            )
            for position in range(start, start + count)
        ]

    return make

"""common.rows: a .values() row rebuilt into the instances select_related builds, nothing read again."""

from __future__ import annotations

import pytest
from model_bakery import baker

from catalog.models import Enrollment, Lesson
from common.rows import instance_with_related, select_related_values

pytestmark = pytest.mark.django_db

RELATED = ("course", "course__domain", "last_lesson", "last_lesson__module")


def _columns(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


@pytest.mark.parametrize("with_last_lesson", [True, False])
def test_the_instances_of_select_related(with_last_lesson, student, django_assert_num_queries):
    # given an enrollment with (or without) its nullable last lesson
    lesson = baker.make(Lesson, module__position=1, position=1)
    enrollment = baker.make(
        Enrollment, user=student, course=lesson.module.course, last_lesson=lesson if with_last_lesson else None
    )
    expected = Enrollment.objects.select_related(*RELATED).get(pk=enrollment.pk)
    # when it is read as values and rebuilt
    with django_assert_num_queries(1):
        row = Enrollment.objects.filter(pk=enrollment.pk).values(*select_related_values(Enrollment, RELATED)).get()
    with django_assert_num_queries(0):
        found = instance_with_related(row, Enrollment, RELATED, "default")
        # then every object along every path holds the same columns, and none is read again
        assert _columns(found) == _columns(expected)
        assert _columns(found.course) == _columns(expected.course)
        assert _columns(found.course.domain) == _columns(expected.course.domain)
        if with_last_lesson:
            assert _columns(found.last_lesson) == _columns(expected.last_lesson)
            assert _columns(found.last_lesson.module) == _columns(expected.last_lesson.module)
        else:
            assert found.last_lesson is None
    assert found._state.db == "default" and not found._state.adding

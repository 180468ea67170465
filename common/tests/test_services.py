"""model_update and model_insert_if_absent: the write helpers every app's services use."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from model_bakery import baker

from accounts.models import User
from catalog.models import Course, Enrollment
from common.services import model_insert_if_absent, model_update

pytestmark = pytest.mark.django_db
EARLIER = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
LATER = datetime.datetime(2026, 6, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def course(instructor):
    with time_machine.travel(EARLIER, tick=False):
        return baker.make(Course, instructor=instructor, title="Old title", price=Decimal("499.00"), description="d")


def test_only_the_changed_fields_and_updated_at_are_written(course):
    # Given data with one new value, one equal value and a key the caller handles itself
    data = {"title": "New title", "price": Decimal("499"), "position": 3}

    # When
    with time_machine.travel(LATER, tick=False), CaptureQueriesContext(connection) as queries:
        updated, changed = model_update(instance=course, fields=("title", "price", "description"), data=data)

    # Then one UPDATE names the title and updated_at only, and the row says so
    assert changed is True and updated is course
    assert len(queries) == 1
    sql = queries[0]["sql"]
    assert '"title"' in sql and '"updated_at"' in sql and '"price"' not in sql and '"description"' not in sql
    row = Course.objects.get(pk=course.pk)
    assert (row.title, row.price, row.updated_at) == ("New title", Decimal("499.00"), LATER)


def test_nothing_new_writes_nothing(course, django_assert_num_queries):
    # When every value given equals the stored one (or is not one of the fields)
    with django_assert_num_queries(0):
        _, changed = model_update(instance=course, fields=("title",), data={"title": "Old title", "slug": "x"})

    # Then no row is touched
    assert changed is False
    assert Course.objects.get(pk=course.pk).updated_at == EARLIER


def test_a_relation_is_compared_by_key_without_loading_it(course, django_assert_num_queries):
    # Given the course as a fresh read, its domain not loaded, and another domain
    fresh = Course.objects.get(pk=course.pk)
    other = baker.make("catalog.Domain", slug="data-science")

    # When the same domain is given, nothing is read or written
    with django_assert_num_queries(0):
        _, same = model_update(instance=fresh, fields=("domain",), data={"domain": course.domain})
    # and a different one is one UPDATE
    with django_assert_num_queries(1):
        _, moved = model_update(instance=fresh, fields=("domain",), data={"domain": other})

    # Then
    assert (same, moved) == (False, True)
    assert Course.objects.get(pk=course.pk).domain_id == other.pk


def test_a_model_without_updated_at_saves_just_its_fields(student):
    # When a user's branch changes (User has no updated_at)
    _, changed = model_update(instance=student, fields=("branch", "year"), data={"branch": "ECE"})

    # Then
    assert changed is True
    assert User.objects.values_list("branch", flat=True).get(pk=student.pk) == "ECE"


def test_insert_if_absent_inserts_once_in_one_statement(course, student, django_assert_num_queries):
    # Given no enrollment yet, when one is inserted: one statement, no savepoint, auto_now_add filled in
    first = Enrollment(user=student, course=course, source=Enrollment.Source.FREE)
    with django_assert_num_queries(1):
        assert model_insert_if_absent(instance=first) is True
    stored = Enrollment.objects.get()
    assert (stored.pk, stored.created_at) == (first.pk, first.created_at) and not first._state.adding
    # When the same (user, course) is inserted again: nothing is written and the transaction stays usable
    again = Enrollment(user=student, course=course, source=Enrollment.Source.PAYMENT)
    with django_assert_num_queries(1):
        assert model_insert_if_absent(instance=again) is False
    assert list(Enrollment.objects.values_list("pk", "source")) == [(first.pk, Enrollment.Source.FREE)]

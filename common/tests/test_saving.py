"""common.saving: save()'s UPDATE and INSERT written once per model and columns, the rest of save() Django's."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.db.models import F, QuerySet
from django.test.utils import CaptureQueriesContext
from model_bakery import baker

from assessments.models import QuizAttempt
from billing.models import WebhookEvent
from catalog.models import Course, Domain
from common import saving

pytestmark = pytest.mark.django_db
EARLIER = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
LATER = datetime.datetime(2026, 6, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def orm_writes_refused():
    """The ORM's own UPDATE and INSERT fail the test: a save must not reach them."""
    refused = AssertionError("the ORM compiled a save() statement")
    with (
        mock.patch.object(QuerySet, "_update", side_effect=refused),
        mock.patch.object(QuerySet, "_insert", side_effect=refused),
    ):
        yield


def test_a_new_row_is_inserted_with_the_sql_written_once(orm_writes_refused):
    # given one domain saved already (its statement written then)
    Domain(name="First", slug="first").save()
    # when another is saved
    with CaptureQueriesContext(connection) as queries:
        domain = Domain(name="Data", slug="data", description="Numbers")
        domain.save()
    # then one INSERT, whose SQL was written once for both, stored the row as given
    assert len(queries) == 1
    assert queries[0]["sql"].startswith('INSERT INTO "catalog_domain"')
    assert len([key for key in saving._insert_sql if key[0] is Domain]) == 1
    assert domain._state.adding is False and domain._state.db == "default"
    stored = Domain.objects.get(pk=domain.pk)
    assert (stored.name, stored.slug, stored.description) == ("Data", "data", "Numbers")


def test_auto_now_fields_json_and_null_keys_are_written_as_save_writes_them(orm_writes_refused):
    # given a webhook event with a JSON payload and no payment
    with time_machine.travel(EARLIER, tick=False):
        event = WebhookEvent(event_id="evt_1", event_type="payment.captured", outcome="pending", payload={"a": [1]})
        event.save()
    # when its outcome is saved
    event.outcome = "ignored"
    event.payload = {"b": None}
    event.save(update_fields=["outcome", "payload"])
    # then the stored row has what was set, the insert's timestamp, and NULL for the payment
    stored = WebhookEvent.objects.get(pk=event.pk)
    assert (stored.outcome, stored.payload, stored.payment_id) == ("ignored", {"b": None}, None)
    assert stored.received_at == EARLIER == event.received_at


def test_update_fields_write_those_columns_and_updated_at(instructor, orm_writes_refused):
    with time_machine.travel(EARLIER, tick=False):
        course = baker.make(Course, instructor=instructor, title="Old", price=Decimal("499.00"), description="d")
    # when two fields are saved a day later
    course.title, course.description = "New", "e"
    with time_machine.travel(LATER, tick=False), CaptureQueriesContext(connection) as queries:
        course.save(update_fields=["title", "updated_at"])
    # then one UPDATE by primary key names only them: the description stays as stored
    assert len(queries) == 1
    sql = queries[0]["sql"]
    assert sql.startswith('UPDATE "catalog_course" SET "updated_at" = ') and '"title" = ' in sql
    assert "description" not in sql
    stored = Course.objects.get(pk=course.pk)
    assert (stored.title, stored.description, stored.updated_at) == ("New", "d", LATER)


def test_a_full_save_of_a_stored_row_updates_every_column(instructor, orm_writes_refused):
    course = baker.make(Course, instructor=instructor, title="Old", price=Decimal("499.00"), description="d")
    course.title, course.description = "New", ""
    course.save()
    stored = Course.objects.get(pk=course.pk)
    assert (stored.title, stored.description, stored.price) == ("New", "", Decimal("499.00"))


def test_an_expression_is_left_to_the_orm(instructor):
    # given a course with a learner count, incremented by an F() expression on the instance
    course = baker.make(Course, instructor=instructor, learner_count=2)
    course.learner_count = F("learner_count") + 1
    # when saved
    course.save(update_fields=["learner_count"])
    # then the ORM compiled it (no parameter can carry an expression) and the database added one
    assert Course.objects.get(pk=course.pk).learner_count == 3


def test_columns_the_database_returns_are_left_to_the_orm(student):
    # QuizAttempt's status has a database default: the INSERT … RETURNING is the ORM's, and the value read back
    with mock.patch.object(QuerySet, "_insert", autospec=True, side_effect=QuerySet._insert) as orm_insert:
        attempt = baker.make(QuizAttempt, user=student)
    assert [call.args[1][0] for call in orm_insert.call_args_list][-1] is attempt  # (and its module's, likewise)
    assert QuizAttempt.objects.get(pk=attempt.pk).status == attempt.status


def test_saving_update_fields_of_a_deleted_row_still_fails_as_django_does():
    domain = Domain.objects.create(name="Gone", slug="gone")
    Domain.objects.filter(pk=domain.pk).delete()
    domain.name = "Back"
    with pytest.raises(DatabaseError, match="did not affect any rows"), transaction.atomic():
        domain.save(update_fields=["name"])
    assert not Domain.objects.filter(pk=domain.pk).exists()


def test_saving_a_deleted_row_without_update_fields_inserts_it_again_as_django_does():
    domain = Domain.objects.create(name="Gone", slug="gone")
    Domain.objects.filter(pk=domain.pk).delete()
    domain.save()  # the UPDATE matched nothing, so save() inserts
    assert Domain.objects.filter(pk=domain.pk, name="Gone").exists()

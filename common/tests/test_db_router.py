"""The read-replica router: lag-tolerant reads go to a replica, everything else (and every read after a write)
to the primary. "replica_test" is Django's test mirror of the test database (config/settings_test.py), so
the rows are the same and a query's alias tells where it went."""

from __future__ import annotations

import pytest
from django.core.signals import request_started
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext
from model_bakery import baker

from catalog.models import Course, Domain
from common.db_router import lag_tolerant, replica_reads, replica_reads_iter, routing_reset

REPLICA = "replica_test"


@pytest.fixture
def with_replica(settings):
    settings.DATABASE_REPLICAS = [REPLICA]
    routing_reset()
    yield
    routing_reset()


@pytest.fixture
def fresh_request_state():
    routing_reset()
    yield
    routing_reset()


def test_without_replicas_every_read_goes_to_the_primary(settings, fresh_request_state):
    settings.DATABASE_REPLICAS = []
    with replica_reads():
        assert Course.objects.all().db == "default"


def test_reads_go_to_a_replica_only_inside_a_lag_tolerant_block(with_replica):
    # Given a configured replica
    # Then a read outside replica_reads() stays on the primary, one inside goes to the replica
    assert Course.objects.all().db == "default"
    with replica_reads():
        assert Course.objects.all().db == REPLICA
        with replica_reads():  # nested blocks keep it
            assert Course.objects.all().db == REPLICA
        assert Course.objects.all().db == REPLICA
    assert Course.objects.all().db == "default"


def test_writes_always_go_to_the_primary_even_in_a_lag_tolerant_block(with_replica):
    with replica_reads():
        assert Course.objects.all().select_for_update().db == "default"


@pytest.mark.django_db(transaction=True)
def test_after_a_write_the_same_request_reads_its_own_writes_from_the_primary(with_replica):
    # Given a request that has written a row
    domain = baker.make(Domain)
    # When it then reads in a lag-tolerant block
    with replica_reads():
        # Then the read stays on the primary (the replica may not have the row yet)
        assert Domain.objects.all().db == "default"
        assert Domain.objects.filter(pk=domain.pk).exists()
    # And the next request starts afresh
    request_started.send(sender=None)
    with replica_reads():
        assert Domain.objects.all().db == REPLICA


@pytest.mark.django_db
def test_reads_inside_a_transaction_on_the_primary_stay_there(with_replica):
    with transaction.atomic(), replica_reads():
        assert Course.objects.all().db == "default"


def test_the_decorator_and_the_streaming_wrapper_mark_their_reads_lag_tolerant(with_replica):
    @lag_tolerant
    def listing() -> str:
        return Course.objects.all().db

    def lazy_rows():
        yield Course.objects.all().db

    assert listing() == REPLICA
    assert list(replica_reads_iter(lazy_rows())) == [REPLICA]
    assert Course.objects.all().db == "default"


def test_migrations_never_run_on_a_replica(with_replica):
    assert router.allow_migrate(REPLICA, "catalog") is False
    assert router.allow_migrate("default", "catalog") is True


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_the_catalogue_and_the_leaderboard_are_read_from_the_replica_and_a_purchase_is_not(
    with_replica, api_client, client_for, student
):
    # Given a published course (committed, so the replica connection sees it)
    course = baker.make(Course, status=Course.Status.PUBLISHED, price=0, title="Replica reading")
    replica = connections[REPLICA]

    # When anyone lists the catalogue and the leaderboard
    with CaptureQueriesContext(replica) as on_replica:
        catalogue = api_client.get("/api/courses/")
        board = api_client.get("/api/leaderboard/?period=all_time")
    # Then those reads ran on the replica
    assert catalogue.status_code == 200 and board.status_code == 200
    assert [row["id"] for row in catalogue.json()["results"]] == [str(course.pk)]
    assert len(on_replica.captured_queries) >= 2

    # When a learner enrolls and then reads their enrollments (read-your-writes)
    client = client_for(student)
    with CaptureQueriesContext(replica) as on_replica:
        enrolled = client.post(f"/api/courses/{course.pk}/enroll/")
        mine = client.get("/api/enrollments/")
    # Then none of it touched the replica, and the new enrollment is there at once
    assert enrolled.status_code == 201, enrolled.content
    assert [row["course"]["id"] for row in mine.json()["results"]] == [str(course.pk)] or mine.json()["count"] == 1
    assert on_replica.captured_queries == []

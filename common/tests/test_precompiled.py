"""A precompiled query runs the ORM's own SQL and answers what the ORM answers, for any value of its parameter."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models import Q, QuerySet
from django.db.models.functions import Upper
from django.db.models.query import MAX_GET_RESULTS
from django.test.utils import CaptureQueriesContext
from model_bakery import baker

from accounts.models import USER_BY_PK, User
from audit.models import AuditLog
from catalog.models import Domain
from common.precompiled import PrecompiledQuery, PrecompiledRows, get_one
from gamification.selectors import _MY_STANDING

pytestmark = pytest.mark.django_db


def _fields(user: User) -> dict:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def _sql(run) -> tuple[list[str], object]:
    with CaptureQueriesContext(connection) as captured:
        result = run()
    return [query["sql"] for query in captured.captured_queries], result


def test_user_objects_get_by_pk_is_the_orms_statement_and_instance():
    # Given two users (the second with a domain)
    baker.make(User, email="a@example.com")
    user = baker.make(User, email="b@example.com", domain=baker.make(Domain), full_name="B")
    for value in (user.pk, str(user.pk)):
        # When the user is loaded by primary key through the manager and through a plain QuerySet
        orm_sql, orm_user = _sql(lambda v=value: QuerySet(User).get(pk=v))
        fast_sql, fast_user = _sql(lambda v=value: User.objects.get(pk=v))
        # Then the statement, the field values and the instance's state are the same
        assert fast_sql == orm_sql
        assert _fields(fast_user) == _fields(orm_user)
        assert (type(fast_user), fast_user._state.db, fast_user._state.adding) == (User, "default", False)
    assert User.objects.get(id=user.pk) == user


def test_a_missing_or_malformed_pk_fails_as_the_orm_does():
    with pytest.raises(User.DoesNotExist, match=r"^User matching query does not exist\.$"):
        User.objects.get(pk=uuid.uuid4())
    with pytest.raises(Exception) as orm_error:
        QuerySet(User).get(pk="not-a-uuid")
    with pytest.raises(type(orm_error.value)):
        User.objects.get(pk="not-a-uuid")


def test_other_lookups_and_historical_models_keep_the_orm(django_assert_num_queries):
    user = baker.make(User, email="c@example.com")
    # Lookups other than one primary key take the ORM's path (compiled each time) and still answer
    assert User.objects.get(email="c@example.com") == user
    assert User.objects.get(pk=user.pk, email="c@example.com") == user
    with django_assert_num_queries(1):
        assert User.objects.get(pk=user.pk) == user
    # A data migration's historical User (its manager is UserManager too) gets its own class back
    historical = MigrationLoader(connection).project_state().apps.get_model("accounts", "User")
    loaded = historical.objects.get(pk=user.pk)
    assert type(loaded) is historical
    assert loaded.email == "c@example.com"


def test_values_rows_are_the_orms_dicts():
    domain = baker.make(Domain, name="Data")
    user = baker.make(User, email="d@example.com", domain=domain)
    fields = ("id", "email", "domain__name", "created_at")
    query = PrecompiledQuery(
        lambda pk: User.objects.filter(pk=pk).values(*fields).order_by()[:MAX_GET_RESULTS],
        placeholder=uuid.UUID(int=0),
        field=User._meta.pk,
    )
    orm_sql, orm_row = _sql(lambda: User.objects.filter(pk=user.pk).values(*fields).get())
    fast_sql, fast_row = _sql(lambda: get_one(query.dicts(user.pk, using="default"), User))
    assert fast_sql == orm_sql
    assert fast_row == orm_row
    assert list(fast_row) == list(fields)


def test_values_with_annotations_keep_the_orms_keys_and_order():
    # Given values() naming an annotation between two columns (the ORM selects them in that order)
    domain = baker.make(Domain, name="Data")
    user = baker.make(User, email="g@example.com", domain=domain)
    query = PrecompiledQuery(
        lambda pk: (
            User.objects.filter(pk=pk)
            .annotate(shout=Upper("email"))
            .values("email", "shout", "domain__name")
            .order_by()
        ),
        placeholder=uuid.UUID(int=0),
        field=User._meta.pk,
    )
    orm_rows = list(
        User.objects.filter(pk=user.pk).annotate(shout=Upper("email")).values("email", "shout", "domain__name")
    )
    assert (
        query.dicts(user.pk, using="default")
        == orm_rows
        == [{"email": "g@example.com", "shout": "G@EXAMPLE.COM", "domain__name": "Data"}]
    )


def test_precompiled_rows_page_like_the_queryset(django_assert_num_queries):
    # Given 3 users and the precompiled rows of a query of them ordered by email
    users = [baker.make(User, email=f"{letter}@example.com", full_name="Row") for letter in "cab"]
    query = PrecompiledQuery(
        lambda name: User.objects.filter(full_name=name).order_by("email").values("email"),
        placeholder="placeholder",
        field=User._meta.get_field("full_name"),
    )
    rows = PrecompiledRows(query, "Row")
    expected = list(User.objects.filter(full_name="Row").order_by("email").values("email"))
    # The first rows come from the precompiled SQL (LIMIT n), one query each
    with django_assert_num_queries(1):
        assert rows[:2] == expected[:2]
    assert rows[0:5] == expected
    # Everything else is the queryset's
    assert (rows.count(), len(rows), list(rows), list(rows[1:3]), rows.ordered) == (3, 3, expected, expected[1:3], True)
    assert len(users) == 3


def test_several_varying_values_each_take_their_place():
    # Given a query with two varying values (a primary key and a name), compiled with placeholders for both
    user = baker.make(User, email="h@example.com", full_name="Hana")
    query = PrecompiledQuery(
        lambda pk, name: User.objects.filter(pk=pk, full_name=name).values("email"),
        placeholder=uuid.UUID(int=0),
        field=User._meta.pk,
        also=(("placeholder", User._meta.get_field("full_name")),),
    )
    orm_sql, _rows = _sql(lambda: list(User.objects.filter(pk=user.pk, full_name="Hana").values("email")))
    fast_sql, rows = _sql(lambda: query.dicts(user.pk, "Hana", using="default"))
    assert (fast_sql, rows) == (orm_sql, [{"email": "h@example.com"}])
    assert query.dicts(user.pk, "Someone else", using="default") == []


def test_column_converters_run_as_the_orms():
    # Given a JSON column (the ORM converts it with JSONField.from_db_value) in values rows and in instances
    actor = baker.make(User, email="i@example.com")
    baker.make(AuditLog, actor=actor, action="x", details={"amount": 5, "codes": ["a"]})
    rows = PrecompiledQuery(
        lambda actor_id: AuditLog.objects.filter(actor_id=actor_id).values("action", "details"),
        placeholder=uuid.UUID(int=0),
        field=AuditLog._meta.get_field("actor"),
    )
    instances = PrecompiledQuery(
        lambda actor_id: AuditLog.objects.filter(actor_id=actor_id),
        placeholder=uuid.UUID(int=0),
        field=AuditLog._meta.get_field("actor"),
    )
    assert rows.dicts(actor.pk, using="default") == list(
        AuditLog.objects.filter(actor=actor).values("action", "details")
    )
    assert rows._compiled[("default", None)].converters  # the JSON column has one
    assert [entry.details for entry in instances.instances(actor.pk, using="default")] == [
        {"amount": 5, "codes": ["a"]}
    ]


def test_more_than_one_row_is_multiple_objects_returned():
    # A precompiled query on a non-unique column, bounded like get()
    baker.make(User, full_name="Same", _quantity=2)
    query = PrecompiledQuery(
        lambda name: User.objects.filter(full_name=name).order_by()[:MAX_GET_RESULTS],
        placeholder="placeholder",
        field=User._meta.get_field("full_name"),
    )
    with pytest.raises(User.MultipleObjectsReturned, match="it returned 2!"):
        get_one(query.instances("Same", using="default"), User)
    assert query.instances("Nobody", using="default") == []


def test_shapes_it_cannot_run_are_refused_when_compiled():
    with_related = PrecompiledQuery(
        lambda pk: User.objects.select_related("domain").filter(pk=pk),
        placeholder=uuid.UUID(int=0),
        field=User._meta.pk,
    )
    with pytest.raises(ValueError, match="select_related"):
        with_related.instances(uuid.uuid4(), using="default")
    # A parameter computed from the value (not the value itself) cannot be replaced by a new value
    computed = PrecompiledQuery(
        lambda name: User.objects.filter(full_name=name.upper()),
        placeholder="placeholder",
        field=User._meta.get_field("full_name"),
    )
    with pytest.raises(ValueError, match="changes with the values but is not one of them"):
        computed.instances("x", using="default")
    # A value the SQL does not use at all
    unused = PrecompiledQuery(lambda pk: User.objects.all(), placeholder=uuid.UUID(int=0), field=User._meta.pk)
    with pytest.raises(ValueError, match="must be a parameter"):
        unused.instances(uuid.uuid4(), using="default")
    # values_list() rows are tuples, which it does not build
    as_tuples = PrecompiledQuery(
        lambda pk: User.objects.filter(pk=pk).values_list("email"), placeholder=uuid.UUID(int=0), field=User._meta.pk
    )
    with pytest.raises(ValueError, match="values"):
        as_tuples.dicts(uuid.uuid4(), using="default")


def test_the_user_query_is_compiled_once_per_database():
    user = baker.make(User, email="e@example.com")
    User.objects.get(pk=user.pk)
    compiled = USER_BY_PK._compiled[("default", None)]
    User.objects.get(pk=baker.make(User, email="f@example.com").pk)
    assert USER_BY_PK._compiled[("default", None)] is compiled


def test_a_value_may_appear_more_than_once():
    # Given a query using the user's id twice
    user = baker.make(User, email="g@example.com", full_name="placeholder~")
    other = baker.make(User, email="h@example.com", full_name="placeholder~")

    def build(pk, name):
        return User.objects.filter(Q(pk=pk) | Q(domain__users__pk=pk), full_name=name).values("email")

    twice = PrecompiledQuery(
        build,
        placeholder=uuid.UUID(int=0),
        field=User._meta.pk,
        also=(("placeholder", User._meta.get_field("full_name")),),
    )
    # When it runs with other values, then every occurrence takes the new value, as the ORM's query does
    for pk in (user.pk, other.pk, uuid.uuid4()):
        for name in ("placeholder~", "nobody"):
            orm_sql, orm_rows = _sql(lambda p=pk, n=name: list(build(p, n)))
            fast_sql, fast_rows = _sql(lambda p=pk, n=name: twice.dicts(p, n, using="default"))
            assert (fast_sql, fast_rows) == (orm_sql, orm_rows)
    assert twice.dicts(user.pk, "placeholder~", using="default") == [{"email": "g@example.com"}]


def test_the_sql_may_not_change_shape_with_the_value():
    # A build whose SQL text depends on the value (here: a filter only for some values) is refused
    shaped = PrecompiledQuery(
        lambda name: User.objects.filter(full_name=name) if name == "first" else User.objects.filter(email=name),
        placeholder="first",
        field=User._meta.get_field("full_name"),
    )
    with pytest.raises(ValueError, match="must be the same"):
        shaped.instances("first", using="default")


def _constants_query() -> PrecompiledQuery:
    # The user varies; two roles, a name fragment with "%" and a quote, and a LIMIT are constants of the query
    return PrecompiledQuery(
        lambda pk: User.objects.filter(
            pk=pk, role__in=[User.Role.INSTRUCTOR, User.Role.ADMIN], full_name__contains="50% 'off'"
        ).values("email"),
        placeholder=uuid.UUID(int=0),
        field=User._meta.pk,
    )


def test_constants_of_the_query_answer_as_the_orms():
    # Given users matching the constants or not
    match = baker.make(User, email="m@example.com", role=User.Role.INSTRUCTOR, full_name="Deal 50% 'off' now")
    student = baker.make(User, email="s@example.com", role=User.Role.STUDENT, full_name="Deal 50% 'off' now")
    other = baker.make(User, email="o@example.com", role=User.Role.ADMIN, full_name="Deal 50 off")
    query = _constants_query()
    # When it runs for each, then its statement and rows are the ORM's
    for user in (match, student, other):
        orm_sql, orm_rows = _sql(lambda u=user: list(query.queryset(u.pk)))
        fast_sql, fast_rows = _sql(lambda u=user: query.dicts(u.pk, using="default"))
        assert (fast_sql, fast_rows) == (orm_sql, orm_rows)
    assert query.dicts(match.pk, using="default") == [{"email": "m@example.com"}]
    assert query.dicts(student.pk, using="default") == query.dicts(other.pk, using="default") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="written in on PostgreSQL (prepared statements)")
def test_constants_are_written_into_the_sql_so_a_prepared_statement_plans_once():
    # When the query is compiled on PostgreSQL
    query = _constants_query()
    query.dicts(uuid.uuid4(), using="default")
    compiled = query._compiled[("default", None)]
    # Then only the varying value is a parameter; the constants are literals ("%" doubled for the driver)
    assert compiled.sql.count("%s") == 1
    assert len(compiled.params) == 1
    assert compiled.positions == ((0, 0),)
    assert "'instructor'" in compiled.sql
    assert "'admin'" in compiled.sql
    assert "LIKE  E'%%50\\\\%% ''off''%%'" in compiled.sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="written in on PostgreSQL (prepared statements)")
def test_the_leaderboard_standing_has_no_constant_parameters():
    # The standing on the whole-platform board: PostgreSQL planned it at every request while its roles and
    # zeros were parameters (a generic plan estimated `role IN ($6, $7)` as a third of all users)
    user = baker.make(User, email="p@example.com")
    _MY_STANDING.dicts(user.pk, "weekly", datetime.date(2026, 11, 30), using="default", limit=1)
    compiled = _MY_STANDING._compiled[("default", 1)]
    assert sorted(value for _position, value in compiled.positions) == [0, 1, 1, 1, 2, 2, 2]
    assert compiled.sql.count("%s") == len(compiled.params) == 7
    assert "IN ('instructor', 'admin')" in compiled.sql

"""One error vocabulary: invalid query values are 400s naming the parameter on every list, related objects
are refused in the product's words, and an unknown domain reads the same everywhere."""

from __future__ import annotations

import importlib
import inspect
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from model_bakery import baker
from rest_framework import relations, serializers

from catalog.models import DOMAIN_SLUG_UNKNOWN, Course

pytestmark = pytest.mark.django_db

# Query parameters whose every value is meaningful (free text matched as typed): nothing to refuse.
FREE_TEXT = {
    "search": "words to look for",
    "q": "course suggestions: what the learner has typed so far",
    "action": "audit log: exact action name, an open vocabulary",
    "target_type": "audit log: exact model label",
    "target_id": "audit log: exact id of any kind of object",
}
# Operations the walk does not call, with the reason.
SKIPPED = {
    "/api/certificates/{id}/download/": "not a list; `format` is DRF's content negotiation",
    "/api/payments/{id}/invoice/": "not a list; `format` is DRF's content negotiation",
    "/api/payments/{id}/credit-note/": "not a list; `format` is DRF's content negotiation",
    "/api/instructor/statements/{id}/pdf/": "not a list; `format` is DRF's content negotiation",
    "/api/instructor/statements/{id}/csv/": "not a list; `format` is DRF's content negotiation",
    "/api/forum/posts/{id}/replies/": "needs a forum post; its only parameters are the shared paginator's",
    "/api/courses/{id}/announcements/": "needs a course; its only parameters are the shared paginator's",
    "/api/notifications/unsubscribe/": "a bad token is a 400 `unsubscribe_link_invalid` (notifications tests)",
}
PATH_VALUES = {"/api/admin/reports/{name}/": {"name": "users"}}
# Lists under one course: their {id} is the walk's course.
COURSE_PATHS = {"/api/courses/{id}/reviews/"}


@pytest.fixture
def domain(db):
    return baker.make("catalog.Domain", name="Web Development", slug="web-development")


@pytest.fixture
def make_course(domain, instructor):
    def make(*, title: str, price: Decimal = Decimal("0.00"), status: str = Course.Status.PUBLISHED) -> Course:
        return baker.make(
            Course,
            title=title,
            price=price,
            status=status,
            domain=domain,
            instructor=instructor,
            published_at=timezone.now(),
        )

    return make


def _bogus(schema: dict) -> str | None:
    """A value of the declared type that no filter may accept (None: free text)."""
    if "enum" in schema:
        return "bogus-value"
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "boolean":
        return "maybe"
    if kind == "integer":
        return "abc"
    if fmt == "uuid":
        return "not-a-uuid"
    if fmt == "date":
        return "someday"
    return "no-such-thing"


def _list_parameters() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(path, parameter, bogus value, the list's required parameters) for every GET with query parameters."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    cases = []
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if not operation or path in SKIPPED:
            continue
        query = [parameter for parameter in operation.get("parameters", []) if parameter["in"] == "query"]
        required = tuple(parameter["name"] for parameter in query if parameter.get("required"))
        for parameter in query:
            if parameter["name"] not in FREE_TEXT:
                cases.append((path, parameter["name"], _bogus(parameter["schema"]), required))
    return sorted(cases)


LIST_PARAMETERS = _list_parameters()


def test_the_walk_covers_the_lists_and_their_filters():
    walked = {(path, name) for path, name, _, _ in LIST_PARAMETERS}
    assert {
        ("/api/courses/", "is_free"),
        ("/api/courses/", "domain"),
        ("/api/courses/", "ordering"),
        ("/api/leaderboard/", "domain"),
        ("/api/admin/users/", "ordering"),
        ("/api/admin/users/", "suspended"),
        ("/api/admin/payments/", "ordering"),
        ("/api/lessons/", "page"),
    } <= walked


@pytest.mark.parametrize(
    ("path", "name", "value", "required"), LIST_PARAMETERS, ids=[f"{p} {n}" for p, n, _, _ in LIST_PARAMETERS]
)
def test_every_list_refuses_a_bogus_value_of_every_declared_parameter(
    client_for, admin_user, instructor, student, make_course, path, name, value, required
):
    # Given a course with a module, for the lists that require one (valid values for the other parameters)
    course = make_course(title="Walk")
    module = baker.make("catalog.Module", course=course, position=1)
    valid = {"course": str(course.pk), "module": str(module.pk)}
    query = {param: valid[param] for param in required if param != name}
    url = path.format(**PATH_VALUES.get(path, {}), **({"id": course.pk} if path in COURSE_PATHS else {}))

    # When the first role the list lets in (admin, else instructor, else student) sends a bogus value
    for user in (admin_user, instructor, student):
        response = client_for(user).get(url, {**query, name: value})
        if response.status_code not in (401, 403):
            break

    # Then it is a 400 naming the parameter, never ignored
    assert response.status_code == 400, (url, name, value, response.content)
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"][name] and all(isinstance(m, str) for m in body["errors"][name])


class TestFilterValues:
    def test_is_free_maybe_is_a_field_error_and_true_false_still_filter(self, client_for, make_course):
        free, paid = make_course(title="Free"), make_course(title="Paid", price=Decimal("499.00"))
        client = client_for(None)

        refused = client.get("/api/courses/", {"is_free": "maybe"})

        assert refused.status_code == 400
        assert refused.json()["errors"] == {"is_free": ["Must be true or false."]}
        assert [c["id"] for c in client.get("/api/courses/", {"is_free": "true"}).json()["results"]] == [str(free.pk)]
        assert [c["id"] for c in client.get("/api/courses/", {"is_free": "0"}).json()["results"]] == [str(paid.pk)]

    @pytest.mark.parametrize("slug", ["nope", "no\x00pe", "not a slug"])
    def test_an_unknown_domain_reads_the_same_on_the_catalogue_and_the_leaderboard(self, client_for, slug):
        client = client_for(None)

        catalogue = client.get("/api/courses/", {"domain": slug})
        leaderboard = client.get("/api/leaderboard/", {"domain": slug})

        assert catalogue.status_code == leaderboard.status_code == 400
        assert catalogue.json()["errors"] == leaderboard.json()["errors"] == {"domain": [DOMAIN_SLUG_UNKNOWN]}

    def test_a_known_domain_filters_both(self, client_for, make_course, domain):
        course = make_course(title="Web")
        client = client_for(None)
        listed = client.get("/api/courses/", {"domain": domain.slug}).json()["results"]
        assert [c["id"] for c in listed] == [str(course.pk)]
        assert client.get("/api/leaderboard/", {"domain": domain.slug}).status_code == 200

    @pytest.mark.parametrize("url", ["/api/admin/users/", "/api/admin/payments/"])
    def test_an_unknown_ordering_is_a_field_error_and_a_known_one_orders(self, client_for, admin_user, url):
        client = client_for(admin_user)

        refused = client.get(url, {"ordering": "password"})
        accepted = client.get(url, {"ordering": "-created_at"})

        assert refused.status_code == 400
        (message,) = refused.json()["errors"]["ordering"]
        assert message.startswith("Unknown ordering. Choose from: ") and "created_at" in message
        assert accepted.status_code == 200

    def test_the_admin_user_list_orders_as_asked(self, client_for, admin_user, make_user):
        make_user("student", email="b@example.com")
        make_user("student", email="a@example.com")
        emails = [u["email"] for u in client_for(admin_user).get("/api/admin/users/?ordering=email").json()["results"]]
        assert emails == sorted(emails)

    @pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "²"])
    def test_a_page_that_is_not_a_page_number_is_a_field_error(self, client_for, page):
        response = client_for(None).get("/api/courses/", {"page": page})
        assert response.status_code == 400
        assert response.json()["errors"] == {"page": ["A whole number of 1 or more is required."]}

    def test_a_page_past_the_end_stays_404_and_last_works(self, client_for, make_course):
        make_course(title="Only")
        client = client_for(None)
        assert client.get("/api/courses/", {"page": "9"}).json()["code"] == "not_found"
        assert client.get("/api/courses/", {"page": "last"}).json()["count"] == 1


class TestRelatedObjects:
    def test_ordering_an_archived_course_says_it_is_not_on_sale(self, client_for, student, make_course):
        # Given a paid course that was archived
        course = make_course(title="Gone", price=Decimal("499.00"), status=Course.Status.ARCHIVED)

        # When a student orders it
        response = client_for(student).post("/api/payments/order/", {"course": str(course.pk)}, format="json")

        # Then the refusal says why, in the product's words
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "course": ["This course is not on sale: it does not exist or is no longer published."]
        }

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("00000000-0000-0000-0000-000000000000", "There is no module with this id, or it is not available."),
            ("web", "Must be a valid UUID."),
            (["x"], "Must be a valid UUID."),
        ],
    )
    def test_an_unknown_or_malformed_id_is_said_plainly(self, client_for, instructor, value, message):
        response = client_for(instructor).post("/api/lessons/", {"module": value, "title": "x"}, format="json")

        assert response.status_code == 400
        assert response.json()["errors"] == {"module": [message]}

    def test_no_writable_related_field_speaks_drfs_default_words(self):
        raw = {
            relations.PrimaryKeyRelatedField.default_error_messages["does_not_exist"],
            relations.PrimaryKeyRelatedField.default_error_messages["incorrect_type"],
            relations.SlugRelatedField.default_error_messages["does_not_exist"],
        }
        checked, offenders = 0, []
        for config in apps.get_app_configs():
            if not config.path.startswith(str(settings.BASE_DIR)) or ".venv" in config.path:
                continue
            try:
                module = importlib.import_module(f"{config.name}.serializers")
            except ModuleNotFoundError:
                continue
            for cls_name, cls in inspect.getmembers(module, inspect.isclass):
                if not issubclass(cls, serializers.Serializer) or cls.__module__ != module.__name__:
                    continue
                for field_name, field in cls().fields.items():
                    if isinstance(field, relations.RelatedField) and not field.read_only:
                        checked += 1
                        if raw & set(field.error_messages.values()):
                            offenders.append(f"{cls_name}.{field_name}")
        assert checked >= 7  # the walk found the input serializers' related fields
        assert offenders == []

"""Catalogue facets: counts per domain, free/paid and bands, for the same filters as the list."""

from __future__ import annotations

from decimal import Decimal

import pytest
from model_bakery import baker

from catalog.models import Course, Lesson

pytestmark = pytest.mark.django_db

FACETS = "/api/courses/facets/"


def bands(body, name) -> dict[str, int]:
    return {band["key"]: band["count"] for band in body[name]}


def test_counts_for_the_whole_catalogue(client_for, make_course):
    # given a free 2-hour course rated 4.6, a ₹499 20-minute one rated 3.2 in another domain, an unrated ₹2,500 one
    ai = baker.make("catalog.Domain", name="AI", slug="ai")
    free = make_course(title="Free", modules=1, lessons=1)
    Lesson.objects.filter(module__course=free).update(duration_seconds=2 * 3600)
    Course.objects.filter(pk=free.pk).update(rating_count=5, rating_average=Decimal("4.60"))
    cheap = make_course(title="Cheap", price=Decimal("499.00"), domain=ai, modules=1, lessons=1)
    Lesson.objects.filter(module__course=cheap).update(duration_seconds=1200)
    Course.objects.filter(pk=cheap.pk).update(rating_count=2, rating_average=Decimal("3.20"))
    make_course(title="Dear", price=Decimal("2500.00"))
    make_course(title="Draft", status=Course.Status.DRAFT)
    # when anyone asks for the facets
    response = client_for(None).get(FACETS)
    # then every published course is counted once per facet
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3
    assert body["domains"] == [
        {"slug": "web-development", "name": "Web Development", "count": 2},
        {"slug": "ai", "name": "AI", "count": 1},
    ]
    assert body["is_free"] == {"free": 1, "paid": 2}
    assert bands(body, "price_bands") == {"free": 1, "under_500": 1, "500_to_1999": 0, "2000_plus": 1}
    assert bands(body, "rating_bands") == {"4.5_plus": 1, "4_plus": 1, "3.5_plus": 1, "3_plus": 2}
    assert bands(body, "duration_bands") == {"under_1h": 2, "1_to_3h": 1, "3_to_6h": 0, "6_to_17h": 0, "17h_plus": 0}


def test_the_catalogue_filters_apply(client_for, make_course):
    make_course(title="Intro to SQL")
    make_course(title="Cooking", price=Decimal("99.00"))
    assert client_for(None).get(FACETS, {"search": "sql"}).json()["total"] == 1
    assert client_for(None).get(FACETS, {"is_free": "false"}).json()["is_free"] == {"free": 0, "paid": 1}


def test_bad_filters_are_field_errors(client_for):
    response = client_for(None).get(FACETS, {"domain": "nope", "is_free": "maybe"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"domain", "is_free"}


@pytest.mark.parametrize("count", [1, 20])
def test_query_count(client_for, make_course, student, count, django_assert_max_num_queries):
    for i in range(count):
        make_course(title=f"Python {i}", modules=1, lessons=1, price=Decimal(i))
    client = client_for(student)
    # one aggregate with a filtered COUNT per band, one GROUP BY domain
    with django_assert_max_num_queries(2):
        response = client.get(FACETS, {"search": "python"})
    assert response.json()["total"] == count

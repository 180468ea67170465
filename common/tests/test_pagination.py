"""Page 1 of a list shorter than a page runs no COUNT; every page answers as DRF's own pagination does."""

from __future__ import annotations

import pytest
from model_bakery import baker
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from catalog.models import Domain
from common.pagination import DefaultPagination


class DRFPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def _page(pagination, queryset, query: str):
    request = Request(APIRequestFactory().get(f"/api/things/?{query}", HTTP_HOST="testserver"))
    rows = pagination.paginate_queryset(queryset, request)
    return pagination.get_paginated_response(rows).data


@pytest.mark.parametrize("total", [0, 1, 19, 20, 21, 45])
@pytest.mark.parametrize("query", ["", "page=1", "page=01", "page=2", "page=last", "page_size=7", "page_size=7&page=1"])
def test_every_page_is_drfs_page(total, query):
    # Given a list of `total` items
    items = list(range(total))
    # When a page is asked of ours and of DRF's pagination
    try:
        expected = _page(DRFPagination(), items, query)
    except Exception as exc:
        with pytest.raises(type(exc)):
            _page(DefaultPagination(), items, query)
        return
    # Then the envelope is the same: count, links and rows
    assert _page(DefaultPagination(), items, query) == expected


@pytest.mark.django_db
def test_a_short_first_page_runs_no_count(django_assert_num_queries):
    # Given 3 domains (fewer than a page)
    baker.make(Domain, _quantity=3)
    # When page 1 is read
    with django_assert_num_queries(1):  # the page's rows only
        body = _page(DefaultPagination(), Domain.objects.order_by("pk"), "")
    # Then the count is the rows' number, with no next page
    assert (body["count"], body["next"], len(body["results"])) == (3, None, 3)


@pytest.mark.django_db
def test_a_full_first_page_counts_once(django_assert_num_queries):
    # Given 5 domains, read 2 per page
    baker.make(Domain, _quantity=5)
    with django_assert_num_queries(2):  # the page's rows, then COUNT
        body = _page(DefaultPagination(), Domain.objects.order_by("pk"), "page_size=2")
    assert (body["count"], len(body["results"])) == (5, 2)
    assert body["next"] == "http://testserver/api/things/?page=2&page_size=2"

"""Page-number pagination: ``?page=N&page_size=M``, default 20, larger sizes clamped to 100."""

from django.core.paginator import Page
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


class DefaultPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except (TypeError, ValueError):
            raise ValidationError({self.page_size_query_param: ["A whole number is required."]}) from None
        # Out-of-range sizes are clamped, never an error (API convention).
        return min(max(size, 1), self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        is_number = raw is not None and raw.isascii() and raw.isdigit() and int(raw) >= 1
        if raw is not None and raw not in self.last_page_strings and not is_number:
            # Not a page number at all is invalid input; a page past the end stays a 404 below.
            raise ValidationError({self.page_query_param: ["A whole number of 1 or more is required."]})
        if raw is None or (is_number and int(raw) == 1):
            return self._first_page(queryset, request)
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise NotFound("That page does not exist.", code="not_found") from exc

    def _first_page(self, queryset, request):
        """Page 1 reads its rows first: when it is not full they are every row there is, so no COUNT is run.

        Most lists a user reads are their own and shorter than a page (enrollments, certificates, payments):
        for them the count query was half the SQL. A full page still counts, once, for ``count`` and ``next``.
        The response is the one ``PageNumberPagination`` builds (same count, links and rows).
        """
        self.request = request
        page_size = self.get_page_size(request)
        rows = list(queryset[:page_size])
        if len(rows) < page_size:
            paginator = self.django_paginator_class(rows, page_size)  # a list: its count is its length
        else:
            paginator = self.django_paginator_class(queryset, page_size)
        self.page = Page(rows, 1, paginator)
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return rows

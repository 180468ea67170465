"""Page-number pagination: ``?page=N&page_size=M``, default 20, larger sizes clamped to 100."""

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
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise NotFound("That page does not exist.", code="not_found") from exc

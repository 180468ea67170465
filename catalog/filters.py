"""Query-string filters of the catalogue and the course lists."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.core.validators import validate_slug
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import DOMAIN_SLUG_UNKNOWN, Course, Domain, Enrollment, Lesson, Module
from catalog.search import courses_search
from common.filters import BooleanFilter, FilterSet

# Public ordering names → database ordering (a stable tiebreaker last, so pages never overlap).
CATALOGUE_ORDERINGS = {
    "newest": ("-published_at", "-created_at", "pk"),
    "oldest": ("published_at", "created_at", "pk"),
    "price": ("price", "-published_at", "pk"),
    "-price": ("-price", "-published_at", "pk"),
    "popularity": ("-learner_count", "-published_at", "pk"),
    "title": ("title", "pk"),
    # Best match first; the default when ``search`` is given (without it: newest).
    "relevance": ("-relevance", "-published_at", "pk"),
    # Best rated first; among equal averages, the more reviewed.
    "rating": ("-rating_average", "-rating_count", "-published_at", "pk"),
    # Learners who enrolled in the last POPULAR_DAYS days (an indexed count per course, see recent_learners).
    "popular": ("-recent_learners", "-learner_count", "-published_at", "pk"),
}
POPULAR_DAYS = 30
SEARCH_MAX_LENGTH = 200


def recent_learners(*, days: int = POPULAR_DAYS) -> Coalesce:
    """Active enrollments of the course from the last ``days`` days, as a correlated count on the
    ``(course, status, created_at)`` index."""
    since = timezone.now() - datetime.timedelta(days=days)
    recent = (
        Enrollment.objects.filter(course_id=OuterRef("pk"), status=Enrollment.Status.ACTIVE, created_at__gte=since)
        .order_by()
        .values("course_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(recent, output_field=IntegerField()), Value(0))


class DomainSlugChoiceField(forms.ModelChoiceField):
    """A domain by slug. Something that is not a slug at all is refused before any query (PostgreSQL would
    turn a NUL byte into a server error)."""

    default_error_messages = {"invalid_choice": DOMAIN_SLUG_UNKNOWN}

    def to_python(self, value):
        if value not in self.empty_values:
            try:
                validate_slug(value)
            except forms.ValidationError:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None
        return super().to_python(value)


class DomainSlugFilter(django_filters.ModelChoiceFilter):
    field_class = DomainSlugChoiceField

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Domain.objects.all())
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("help_text", "A domain's slug; an unknown slug is a 400.")
        super().__init__(**kwargs)


class CatalogueFilter(FilterSet):
    domain = DomainSlugFilter(field_name="domain")
    is_free = BooleanFilter(method="filter_is_free", help_text="true: free courses; false: paid.")
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text=(
            "Words to find in the title, description, module and lesson titles and instructor name (prefixes "
            "match; a typo in a title word is forgiven). Ranked by relevance unless `ordering` says otherwise. "
            "On SQLite: substrings of the title or description."
        ),
    )
    ordering = django_filters.ChoiceFilter(
        method="filter_ordering",
        choices=[(name, name) for name in CATALOGUE_ORDERINGS],
        help_text=(
            "newest (default), oldest, price, -price, popularity (most learners first), title, relevance "
            "(default with `search`), rating (best average first), popular (most learners in the last 30 days)."
        ),
    )

    class Meta:
        model = Course
        fields = ["domain", "is_free", "search", "ordering"]

    def filter_search(self, queryset: QuerySet[Course], name: str, value: str) -> QuerySet[Course]:
        if not value.strip():
            return queryset
        return courses_search(queryset, value).order_by(*CATALOGUE_ORDERINGS["relevance"])

    def filter_is_free(self, queryset: QuerySet[Course], name: str, value: bool | None) -> QuerySet[Course]:
        if value is None:
            return queryset
        return queryset.filter(price=0) if value else queryset.filter(price__gt=0)

    def filter_ordering(self, queryset: QuerySet[Course], name: str, value: str) -> QuerySet[Course]:
        if not value or (value == "relevance" and "relevance" not in queryset.query.annotations):
            return queryset  # relevance without a search: the default order
        if value == "popular":
            queryset = queryset.annotate(recent_learners=recent_learners())
        return queryset.order_by(*CATALOGUE_ORDERINGS[value])


class CourseStatusFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=Course.Status.choices)

    class Meta:
        model = Course
        fields = ["status"]


class ModuleFilter(FilterSet):
    course = django_filters.UUIDFilter(field_name="course_id", help_text="Course id.")

    class Meta:
        model = Module
        fields = ["course"]


class LessonFilter(FilterSet):
    module = django_filters.UUIDFilter(field_name="module_id", help_text="Module id.")
    course = django_filters.UUIDFilter(field_name="module__course_id", help_text="Course id.")

    class Meta:
        model = Lesson
        fields = ["module", "course"]

"""Query-string filters of the catalogue and the course lists."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from catalog.models import Course, Lesson, Module

# Public ordering names → database ordering (a stable tiebreaker last, so pages never overlap).
CATALOGUE_ORDERINGS = {
    "newest": ("-published_at", "-created_at", "pk"),
    "oldest": ("published_at", "created_at", "pk"),
    "price": ("price", "-published_at", "pk"),
    "-price": ("-price", "-published_at", "pk"),
    "popularity": ("-learner_count", "-published_at", "pk"),
    "title": ("title", "pk"),
}


class CatalogueFilter(django_filters.FilterSet):
    domain = django_filters.CharFilter(field_name="domain__slug", help_text="Domain slug.")
    is_free = django_filters.BooleanFilter(method="filter_is_free", help_text="true: free courses; false: paid.")
    ordering = django_filters.ChoiceFilter(
        method="filter_ordering",
        choices=[(name, name) for name in CATALOGUE_ORDERINGS],
        help_text="newest (default), oldest, price, -price, popularity (most learners first), title.",
    )

    class Meta:
        model = Course
        fields = ["domain", "is_free", "ordering"]

    def filter_is_free(self, queryset: QuerySet[Course], name: str, value: bool | None) -> QuerySet[Course]:
        if value is None:
            return queryset
        return queryset.filter(price=0) if value else queryset.filter(price__gt=0)

    def filter_ordering(self, queryset: QuerySet[Course], name: str, value: str) -> QuerySet[Course]:
        return queryset.order_by(*CATALOGUE_ORDERINGS[value]) if value else queryset


class CourseStatusFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Course.Status.choices)

    class Meta:
        model = Course
        fields = ["status"]


class ModuleFilter(django_filters.FilterSet):
    course = django_filters.UUIDFilter(field_name="course_id", help_text="Course id.")

    class Meta:
        model = Module
        fields = ["course"]


class LessonFilter(django_filters.FilterSet):
    module = django_filters.UUIDFilter(field_name="module_id", help_text="Module id.")
    course = django_filters.UUIDFilter(field_name="module__course_id", help_text="Course id.")

    class Meta:
        model = Lesson
        fields = ["module", "course"]

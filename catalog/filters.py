"""Query-string filters of the catalogue and the course lists."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.validators import validate_slug
from django.db.models import QuerySet

from catalog.models import DOMAIN_SLUG_UNKNOWN, Course, Domain, Lesson, Module
from common.filters import BooleanFilter, FilterSet

# Public ordering names → database ordering (a stable tiebreaker last, so pages never overlap).
CATALOGUE_ORDERINGS = {
    "newest": ("-published_at", "-created_at", "pk"),
    "oldest": ("published_at", "created_at", "pk"),
    "price": ("price", "-published_at", "pk"),
    "-price": ("-price", "-published_at", "pk"),
    "popularity": ("-learner_count", "-published_at", "pk"),
    "title": ("title", "pk"),
}


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

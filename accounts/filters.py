"""Query filters of the admin user list."""

import django_filters
from django.db.models import Q

from accounts.models import User
from common.filters import BooleanFilter, FilterSet


class AdminUserFilter(FilterSet):
    role = django_filters.ChoiceFilter(choices=User.Role.choices)
    suspended = BooleanFilter(field_name="is_suspended", help_text="true or false.")
    search = django_filters.CharFilter(method="filter_search", help_text="Part of the name or email.")

    class Meta:
        model = User
        fields = ["role", "suspended", "search"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(full_name__icontains=value) | Q(email__icontains=value))
